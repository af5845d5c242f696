//! Resizing an instance (API reference §5.10): the choices come only from the products DMS
//! says the instance can change to (§5.10.1); the preview shows the flavour, brokers, storage
//! and TPS now and after, and what the change means; the change itself (§5.10.2) is audited,
//! and the page then follows `EXTENDING` until the instance runs again.
//!
//! What the reference allows: only pay-per-use `RUNNING` instances are resized through the
//! API; storage only grows, by at least 100 GB per broker, up to the flavour's limit per
//! broker; a 4.8.0 instance gains brokers (`horizontal`) or changes flavour (`vertical`); a
//! 5.x instance changes flavour (`horizontal` with a product id).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::api::ErrorKind;
use crate::api::models::extend::{ExtendProductsQuery, ResizeRequest};
use crate::api::models::instances::Instance;
use crate::domain::InstanceId;
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{Change, FormErrors, FormView, Step};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::create::{Flavour, is_uuid};
use super::not_found;
use super::progress::Job;

/// Storage grows by at least this much per broker (API reference §5.10.2).
const MIN_GROWTH_PER_BROKER: i64 = 100;

/// The resize form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ResizeForm {
    /// `storage`, `brokers` or `flavour`.
    change: String,
    new_storage_space: String,
    new_broker_num: String,
    new_product_id: String,
    publicip_id: String,
    op: String,
    step: String,
}

/// The total storage an instance can grow to, in GB.
#[derive(Debug, Clone, Copy)]
pub struct StorageRange {
    /// The least (at least 100 GB more per broker).
    pub min: i64,
    /// The most the flavour allows.
    pub max: i64,
}

/// The instance as it is and the products it can change to.
pub struct Current {
    /// The instance.
    pub instance: Instance,
    /// Its flavour among the products of §5.10.1, when DMS lists it.
    pub flavour: Option<Flavour>,
    /// The other products it can change to.
    pub targets: Vec<Flavour>,
    /// Its broker count.
    pub brokers: i64,
    /// Its total storage in GB.
    pub storage: i64,
}

impl Current {
    fn five(&self) -> bool {
        self.instance.engine_version.starts_with('5')
    }

    /// The changes this instance offers: storage, and brokers (4.8.0) or flavour.
    pub fn changes(&self) -> Vec<(&'static str, &'static str)> {
        let mut changes = vec![("storage", "resize-change-storage")];
        if !self.five() {
            changes.push(("brokers", "resize-change-brokers"));
        }
        if !self.targets.is_empty() {
            changes.push(("flavour", "resize-change-flavour"));
        }
        changes
    }

    /// The product ids it can change to.
    pub fn target_ids(&self) -> Vec<String> {
        self.targets.iter().map(|f| f.id().to_owned()).collect()
    }

    /// The smallest and largest total storage it can grow to, in GB.
    pub fn storage_range(&self) -> Option<StorageRange> {
        let flavour = self.flavour.as_ref()?;
        Some(StorageRange {
            min: self.storage + MIN_GROWTH_PER_BROKER * self.brokers,
            max: flavour.max_storage_per_broker * self.brokers,
        })
    }

    /// The most brokers it can have.
    pub fn max_brokers(&self) -> Option<i64> {
        self.flavour.as_ref().map(|f| f.max_brokers)
    }

    /// The most brokers it can have, 0 when unknown.
    pub fn brokers_limit(&self) -> i64 {
        self.max_brokers().unwrap_or(0)
    }
}

/// The TPS of `flavour` (5.x products say it through their RCUs), or `-`.
fn tps(flavour: Option<&Flavour>, instance: Option<&Instance>) -> String {
    let from_product = flavour.and_then(|f| {
        let p = &f.product.properties;
        let rcu: i64 = p.rcu.trim().parse().ok()?;
        let per_rcu: i64 = p.max_tps_per_rcu.trim().parse().ok()?;
        Some(rcu * per_rcu)
    });
    from_product
        .or_else(|| instance.and_then(|i| i.max_msg_process_tps))
        .map(|n| n.to_string())
        .unwrap_or_else(|| "-".to_owned())
}

/// A valid resize: the request and its before and after.
struct Resize {
    request: ResizeRequest,
    changes: Vec<Change>,
    meaning: &'static str,
}

fn check(form: &ResizeForm, current: &Current) -> Result<Resize, FormErrors> {
    let mut errors = FormErrors::new();
    let instance = &current.instance;
    let mut after_flavour = current.flavour.clone();
    let mut after_brokers = current.brokers;
    let mut after_storage = current.storage;
    let (request, meaning) = match form.change.as_str() {
        "storage" => {
            let Some(StorageRange { min, max }) = current.storage_range() else {
                errors.add("change", Msg::new("resize-flavour-unlisted"));
                return Err(errors);
            };
            if min > max {
                errors.add("new_storage_space", Msg::new("resize-storage-full"));
                return Err(errors);
            }
            let total =
                errors.integer("new_storage_space", &form.new_storage_space, min, max, None);
            if let Some(total) = total {
                if total % 100 != 0 {
                    errors.add(
                        "new_storage_space",
                        Msg::new("create-storage-step").arg("step", 100),
                    );
                }
                after_storage = total;
            }
            (
                ResizeRequest::storage(after_storage),
                "resize-meaning-storage",
            )
        }
        "brokers" if !current.five() => {
            let Some(max) = current.max_brokers() else {
                errors.add("change", Msg::new("resize-flavour-unlisted"));
                return Err(errors);
            };
            if current.brokers >= max {
                errors.add(
                    "new_broker_num",
                    Msg::new("resize-brokers-full").arg("max", max),
                );
                return Err(errors);
            }
            if let Some(count) = errors.integer(
                "new_broker_num",
                &form.new_broker_num,
                current.brokers + 1,
                max,
                None,
            ) {
                after_brokers = count;
                // The storage per broker stays the same.
                after_storage = current.storage / current.brokers.max(1) * count;
            }
            let mut request = ResizeRequest::brokers(after_brokers);
            request.new_storage_space = Some(after_storage);
            if instance.enable_publicip {
                let eips: Vec<&str> = form
                    .publicip_id
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                let needed = (after_brokers - current.brokers).max(0) as usize;
                if eips.len() < needed || eips.iter().any(|e| !is_uuid(e)) {
                    errors.add(
                        "publicip_id",
                        Msg::new("resize-eips-needed").arg("count", needed),
                    );
                }
                request.publicip_id = Some(eips.join(","));
            }
            (request, "resize-meaning-brokers")
        }
        "flavour" => {
            match current
                .targets
                .iter()
                .find(|f| f.id() == form.new_product_id)
            {
                None => errors.add(
                    "new_product_id",
                    Msg::new("form-one-of").text("allowed", current.target_ids().join(", ")),
                ),
                Some(target) if current.brokers > target.max_brokers => errors.add(
                    "new_product_id",
                    Msg::new("resize-flavour-brokers")
                        .arg("max", target.max_brokers)
                        .arg("brokers", current.brokers),
                ),
                Some(target) => after_flavour = Some(target.clone()),
            }
            let product = form.new_product_id.clone();
            let request = if current.five() {
                ResizeRequest::horizontal_product(product)
            } else {
                ResizeRequest::vertical(product)
            };
            (request, "resize-meaning-flavour")
        }
        _ => {
            let allowed: Vec<&str> = current.changes().iter().map(|(c, _)| *c).collect();
            errors.add(
                "change",
                Msg::new("form-one-of").text("allowed", allowed.join(", ")),
            );
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let flavour_name = |f: &Option<Flavour>| {
        f.as_ref()
            .map(|f| f.id().to_owned())
            .unwrap_or_else(|| instance.product_id.clone())
    };
    let changes = vec![
        Change::new(
            "create-flavour",
            flavour_name(&current.flavour),
            flavour_name(&after_flavour),
        ),
        Change::new(
            "field-brokers",
            current.brokers.to_string(),
            after_brokers.to_string(),
        ),
        Change::new(
            "resize-storage-total",
            current.storage.to_string(),
            after_storage.to_string(),
        ),
        Change::new(
            "resize-tps",
            tps(current.flavour.as_ref(), Some(instance)),
            tps(after_flavour.as_ref(), None),
        ),
    ];
    Ok(Resize {
        request,
        changes,
        meaning,
    })
}

#[derive(Template)]
#[template(path = "instances/resize.html", blocks = ["content"])]
struct ResizePage {
    layout: Layout,
    instance_id: String,
    current: Result<Current, ErrorSummary>,
    /// Why the instance cannot be resized now, if it cannot.
    blocked: Option<Msg>,
    form: FormView,
    changes: Vec<Change>,
    meaning: Option<&'static str>,
    problem: Option<ErrorSummary>,
}
crate::page!(ResizePage);

async fn load(user: &CurrentUser, id: &InstanceId) -> Result<(ResizePage, StatusCode), WebError> {
    let query = ExtendProductsQuery {
        limit: Some(50),
        ..Default::default()
    };
    let (instance, products, nav) = tokio::join!(
        user.dms.show_instance(id.as_str()),
        user.dms.show_extend_products(id.as_str(), &query),
        InstanceNav::load(user, id, Tab::Overview)
    );
    let instance = match instance {
        Ok(reply) => reply.into_inner(),
        Err(e) if e.kind == ErrorKind::NotFound => return Err(not_found(id)),
        Err(e) => return Err(WebError::upstream("op-read-instance", e)),
    };
    let mut status = StatusCode::OK;
    let current = match products {
        Ok(reply) => {
            let mut flavours: Vec<Flavour> = reply
                .into_inner()
                .products
                .into_iter()
                .map(Flavour::of)
                .collect();
            let flavour = flavours
                .iter()
                .position(|f| f.id() == instance.product_id)
                .map(|at| flavours.remove(at));
            let brokers = instance.broker_num.filter(|n| *n > 0).unwrap_or(1);
            let storage = instance.storage_total();
            Ok(Current {
                instance,
                flavour,
                targets: flavours,
                brokers,
                storage,
            })
        }
        Err(error) => {
            status = upstream_status(&error);
            Err(ErrorSummary::upstream("op-list-extend-products", &error))
        }
    };
    let blocked = current.as_ref().ok().and_then(|c| {
        if c.instance.charging_mode == Some(0) {
            Some(Msg::new("resize-prepaid"))
        } else if c.instance.status != "RUNNING" {
            Some(Msg::new("resize-not-running").arg("status", c.instance.status.as_str()))
        } else {
            None
        }
    });
    let mut layout = Layout::for_user(user, "resize-title", Section::Instances).in_instance(nav);
    layout = layout.crumb("resize-title", None);
    Ok((
        ResizePage {
            layout,
            instance_id: id.to_string(),
            current,
            blocked,
            form: FormView::default(),
            changes: Vec::new(),
            meaning: None,
            problem: None,
        },
        status,
    ))
}

/// `GET /instances/{instance_id}/resize`.
pub async fn resize_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let id = path.into_inner().instance_id;
    let (mut page, status) = load(&user, &id).await?;
    let mut form = ResizeForm {
        change: "storage".to_owned(),
        op: new_op_id(),
        ..Default::default()
    };
    if let Ok(current) = &page.current {
        if let Some(range) = current.storage_range() {
            form.new_storage_space = range.min.to_string();
        }
        form.new_broker_num = (current.brokers + 1).to_string();
        form.new_product_id = current.target_ids().first().cloned().unwrap_or_default();
    }
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    render_page(hx, status, &page)
}

/// `POST /instances/{instance_id}/resize`: previews the change, or (`step=confirm`) starts it.
pub async fn resize_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<ResizeForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let id = path.into_inner().instance_id;
    let mut form = form.into_inner();
    let (mut page, status) = load(&user, &id).await?;
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    let current = match (&page.current, &page.blocked) {
        (Ok(current), None) => current,
        (Ok(_), Some(_)) => return render_page(hx, StatusCode::CONFLICT, &page),
        (Err(_), _) => return render_page(hx, status, &page),
    };
    let resize = match check(&form, current) {
        Ok(resize) => resize,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if Step::of(&form.step) == Step::Preview {
        page.changes = resize.changes;
        page.meaning = Some(resize.meaning);
        return render_page(hx, StatusCode::OK, &page);
    }
    let params = serde_json::json!({
        "request": resize.request,
        "changes": resize.changes.iter().map(|c| serde_json::json!({
            "setting": c.label_key, "before": c.before, "after": c.after,
        })).collect::<Vec<_>>(),
    });
    let action = Audited::new(
        &request,
        &user,
        Permission::ModifyInstances,
        "ResizeInstance",
        format!("instance/{id}"),
        params,
        &form.op,
    );
    let result = audited(
        action,
        user.dms.resize_instance(id.as_str(), &resize.request),
    )
    .await?;
    user.state.lists.invalidate(id.as_str());
    match result {
        Ok(_) => Ok(redirect(
            hx,
            &format!("/instances/{id}/progress?job={}", Job::Resize.as_str()),
        )),
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = match form.change.as_str() {
                "storage" => "new_storage_space",
                "brokers" => "new_broker_num",
                _ => "new_product_id",
            };
            errors.from_dms(field, &error);
            form.op = new_op_id();
            form.step = String::new();
            page.form = FormView::of(user.ui.lang, &form, errors);
            page.problem = Some(
                ErrorSummary::upstream("op-resize-instance", &error)
                    .check_state_at(format!("/instances/{id}")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

impl ResizePage {
    /// The TPS of a product the instance can change to.
    fn target_tps(&self, flavour: &Flavour) -> String {
        tps(Some(flavour), None)
    }

    /// The instance's TPS now.
    fn current_tps(&self) -> String {
        match &self.current {
            Ok(current) => tps(current.flavour.as_ref(), Some(&current.instance)),
            Err(_) => "-".to_owned(),
        }
    }
}
