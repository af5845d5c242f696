//! Creating an instance (API reference §5.1.2): a form fed by the region's availability zones
//! (§5.9.1) and products (§5.9.2), which says what each flavour allows; the first post checks
//! every rule of the reference and shows what will be created, with the billing core count
//! of the chosen flavour and broker count (§5.9.3); the second creates it, audited, then adds
//! its tags (the create body has none, §5.8.1) and follows the new instance until it runs.
//!
//! The rules checked before anything is sent: the name (a letter, then letters, digits, `-`
//! and `_`, 4–64), a flavour of the chosen engine version, a broker count within the
//! flavour's range, storage within the flavour's per-broker range times the brokers and on
//! its step, a storage class the flavour offers in the chosen zones, one zone or three and
//! more (IPv6 only in zones that support it), the network ids, EIP ids when public access is
//! on, and the tag rules.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Serialize;

use crate::api::ApiError;
use crate::api::models::common::Tag;
use crate::api::models::instances::{CreateInstanceReq, ListInstancesQuery};
use crate::api::models::other::{AvailableZone, ListProductsQuery, Product, ProductCoresQuery};
use crate::api::walk::{self, Page};
use crate::domain::{InstanceId, NameRule};
use crate::web::audit::audited::{Audited, audited};
use crate::web::body::{self, FORM_LIMIT, Fields};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{FormErrors, FormView, Step};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Section};
use crate::web::ledger::new_op_id;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::progress::{Job, progress_page};
use super::tags;

/// The longest description DMS accepts.
const DESCRIPTION_MAX: usize = 1024;

/// What the region offers: its zones, engine versions and products.
pub struct Offer {
    /// The availability zones.
    pub zones: Vec<AvailableZone>,
    /// The engine versions.
    pub versions: Vec<String>,
    /// The products (flavours).
    pub products: Vec<Flavour>,
}

/// A product and the limits the form applies, read from its string-valued properties.
#[derive(Debug, Clone)]
pub struct Flavour {
    /// The product as DMS lists it.
    pub product: Product,
    /// Its engine version.
    pub version: String,
    /// Brokers: the fewest.
    pub min_brokers: i64,
    /// Brokers: the most.
    pub max_brokers: i64,
    /// Storage per broker, GB: the least.
    pub min_storage_per_broker: i64,
    /// Storage per broker, GB: the most.
    pub max_storage_per_broker: i64,
    /// Storage must be a multiple of this, GB.
    pub step: i64,
    /// Billing cores of one broker, as the product says.
    pub cores: String,
    /// The storage classes.
    pub io_specs: Vec<String>,
}

fn number(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

impl Flavour {
    /// The limits of `product`.
    pub fn of(product: Product) -> Self {
        let p = &product.properties;
        let min_brokers = number(&p.min_broker).unwrap_or(1).max(1);
        let max_brokers = number(&p.max_broker)
            .unwrap_or(min_brokers)
            .max(min_brokers);
        // 5.x products give instance-wide storage limits and no per-broker ones.
        let min_storage_per_broker = number(&p.min_storage_per_node)
            .or_else(|| number(&p.min_storage))
            .unwrap_or(100);
        let max_storage_per_broker = number(&p.max_storage_per_node)
            .or_else(|| number(&p.max_storage))
            .unwrap_or(min_storage_per_broker);
        let step = number(&p.step_length).filter(|s| *s > 0).unwrap_or(100);
        let io_specs = product.ios.iter().map(|io| io.io_spec.clone()).collect();
        Self {
            version: p.engine_versions.clone(),
            min_brokers,
            max_brokers,
            min_storage_per_broker,
            max_storage_per_broker,
            step,
            cores: p.core.clone(),
            io_specs,
            product,
        }
    }

    /// The product id.
    pub fn id(&self) -> &str {
        &self.product.product_id
    }

    /// Whether it runs engine version `version`.
    pub fn runs(&self, version: &str) -> bool {
        self.version.split(',').any(|v| v.trim() == version)
    }

    /// Whether it can be placed in zone `zone` (with storage class `io_spec`, when given).
    pub fn available_in(&self, zone: &str, io_spec: Option<&str>) -> bool {
        let p = &self.product;
        if p.unavailable_zones.iter().any(|z| z == zone)
            || (!p.available_zones.is_empty() && !p.available_zones.iter().any(|z| z == zone))
        {
            return false;
        }
        match io_spec.and_then(|spec| p.ios.iter().find(|io| io.io_spec == spec)) {
            Some(io) => {
                !io.unavailable_zones.iter().any(|z| z == zone)
                    && (io.available_zones.is_empty()
                        || io.available_zones.iter().any(|z| z == zone))
            }
            None => true,
        }
    }
}

/// Reads what the region offers.
pub async fn load_offer(user: &CurrentUser) -> Result<Offer, ErrorSummary> {
    let versions = std::sync::Mutex::new(Vec::new());
    // The SDK pages products (10 by default); the reference's form answers them all at once.
    let products = walk::collect(50, 1_000, |offset, limit| {
        let dms = user.dms.clone();
        let versions = &versions;
        async move {
            let query = ListProductsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..Default::default()
            };
            let list = dms.list_products(&query).await?.into_inner();
            versions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(list.versions);
            Ok(Page {
                total: list.total.map(|t| t.max(0) as u64),
                items: list.products,
            })
        }
    });
    let (zones, products) = tokio::join!(user.dms.list_available_zones(), products);
    let zones = zones
        .map_err(|e| ErrorSummary::upstream("op-list-zones", &e))?
        .into_inner()
        .available_zones;
    let products = products.map_err(|e| ErrorSummary::upstream("op-list-products", &e))?;
    let flavours: Vec<Flavour> = products.items.into_iter().map(Flavour::of).collect();
    let mut listed = versions.into_inner().unwrap_or_else(|e| e.into_inner());
    listed.dedup();
    let mut versions: Vec<String> = Vec::new();
    for version in listed {
        if !versions.contains(&version) {
            versions.push(version);
        }
    }
    for flavour in &flavours {
        for version in flavour.version.split(',').map(str::trim) {
            if !version.is_empty() && !versions.iter().any(|v| v == version) {
                versions.push(version.to_owned());
            }
        }
    }
    Ok(Offer {
        zones,
        versions,
        products: flavours,
    })
}

/// The create form as posted: every field as text (`zones` joined with commas, checkboxes
/// `on` when ticked).
#[derive(Debug, Default, Serialize)]
pub struct CreateForm {
    name: String,
    description: String,
    engine_version: String,
    product_id: String,
    broker_num: String,
    storage_space: String,
    storage_spec_code: String,
    zones: String,
    vpc_id: String,
    subnet_id: String,
    security_group_id: String,
    enterprise_project_id: String,
    enable_acl: String,
    ssl_enable: String,
    ipv6_enable: String,
    enable_publicip: String,
    publicip_id: String,
    tags: String,
    op: String,
    step: String,
}

impl CreateForm {
    fn of(fields: &Fields) -> Self {
        let ticked = fields.all("zone");
        let zones = if ticked.is_empty() {
            fields.text("zones")
        } else {
            ticked.join(",")
        };
        let text = |name: &str| fields.text(name);
        Self {
            name: text("name"),
            description: text("description"),
            engine_version: text("engine_version"),
            product_id: text("product_id"),
            broker_num: text("broker_num"),
            storage_space: text("storage_space"),
            storage_spec_code: text("storage_spec_code"),
            zones,
            vpc_id: text("vpc_id"),
            subnet_id: text("subnet_id"),
            security_group_id: text("security_group_id"),
            enterprise_project_id: text("enterprise_project_id"),
            enable_acl: text("enable_acl"),
            ssl_enable: text("ssl_enable"),
            ipv6_enable: text("ipv6_enable"),
            enable_publicip: text("enable_publicip"),
            publicip_id: text("publicip_id"),
            tags: text("tags"),
            op: text("op"),
            step: text("step"),
        }
    }

    fn zone_ids(&self) -> Vec<String> {
        self.zones
            .split(',')
            .map(str::trim)
            .filter(|z| !z.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

fn on(value: &str) -> bool {
    matches!(value, "on" | "true" | "1")
}

/// Whether `text` is a UUID (`8-4-4-4-12` hexadecimal), the shape of VPC, subnet, security
/// group and EIP ids.
pub fn is_uuid(text: &str) -> bool {
    InstanceId::try_from(text.to_owned()).is_ok()
}

/// One line of what a create will do.
pub struct SummaryLine {
    /// The catalogue key of the setting.
    pub label_key: &'static str,
    /// Its value (from DMS or the user, shown isolated).
    pub value: String,
    /// Catalogue text shown instead of `value` (on, off).
    pub value_key: Option<&'static str>,
}

impl SummaryLine {
    fn value(label_key: &'static str, value: impl Into<String>) -> Self {
        Self {
            label_key,
            value: value.into(),
            value_key: None,
        }
    }

    fn flag(label_key: &'static str, on: bool) -> Self {
        Self {
            label_key,
            value: String::new(),
            value_key: Some(if on { "create-on" } else { "create-off" }),
        }
    }
}

/// A checked create: the request, the tags to add after it, and what to show.
struct NewInstance {
    request: CreateInstanceReq,
    tags: Vec<Tag>,
    summary: Vec<SummaryLine>,
}

fn check_uuid(errors: &mut FormErrors, field: &str, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, Msg::new("form-required"));
    } else if !is_uuid(value) {
        errors.add(field, Msg::new("create-not-uuid"));
    }
    value.to_owned()
}

/// Checks `form` against the rules of the reference and what `offer` says.
fn check(form: &CreateForm, offer: &Offer, engine: &str) -> Result<NewInstance, FormErrors> {
    let mut errors = FormErrors::new();
    let name = form.name.trim();
    errors.check("name", NameRule::INSTANCE.check(name));
    errors.max_chars("description", &form.description, DESCRIPTION_MAX);
    let version = form.engine_version.trim();
    if !offer.versions.iter().any(|v| v == version) {
        errors.add(
            "engine_version",
            Msg::new("form-one-of").text("allowed", offer.versions.join(", ")),
        );
    }
    let flavour = offer.products.iter().find(|f| f.id() == form.product_id);
    let flavour = match flavour {
        None => {
            errors.add("product_id", Msg::new("create-no-flavour"));
            None
        }
        Some(f) if !f.runs(version) => {
            errors.add(
                "product_id",
                Msg::new("create-flavour-version")
                    .arg("flavour", f.id())
                    .arg("version", f.version.as_str()),
            );
            None
        }
        Some(f) => Some(f),
    };
    let brokers = flavour.and_then(|f| {
        errors.integer(
            "broker_num",
            &form.broker_num,
            f.min_brokers,
            f.max_brokers,
            Some(f.min_brokers),
        )
    });
    if let (Some(f), Some(brokers)) = (flavour, brokers) {
        let (min, max) = (
            f.min_storage_per_broker * brokers,
            f.max_storage_per_broker * brokers,
        );
        if let Some(storage) = errors.integer("storage_space", &form.storage_space, min, max, None)
            && storage % f.step != 0
        {
            errors.add(
                "storage_space",
                Msg::new("create-storage-step").arg("step", f.step),
            );
        }
        if !f.io_specs.contains(&form.storage_spec_code) {
            errors.add(
                "storage_spec_code",
                Msg::new("form-one-of").text("allowed", f.io_specs.join(", ")),
            );
        }
    }
    let zones = form.zone_ids();
    let ipv6 = on(&form.ipv6_enable);
    let mut zone_names = Vec::new();
    for id in &zones {
        match offer.zones.iter().find(|z| z.id == *id) {
            None => errors.add("zones", Msg::new("create-zone-unknown").arg("zone", id)),
            Some(zone) => {
                zone_names.push(zone.name.clone());
                if !zone.has_resources() {
                    errors.add(
                        "zones",
                        Msg::new("create-zone-sold-out").arg("zone", &zone.name),
                    );
                }
                if ipv6 && !zone.ipv6_enable {
                    errors.add(
                        "zones",
                        Msg::new("create-zone-no-ipv6").arg("zone", &zone.name),
                    );
                }
                if let Some(f) = flavour
                    && !f.available_in(id, Some(&form.storage_spec_code))
                {
                    errors.add(
                        "zones",
                        Msg::new("create-zone-no-flavour")
                            .arg("zone", &zone.name)
                            .arg("flavour", f.id()),
                    );
                }
            }
        }
    }
    if zones.is_empty() || zones.len() == 2 {
        errors.add("zones", Msg::new("create-zone-count"));
    }
    let vpc_id = check_uuid(&mut errors, "vpc_id", &form.vpc_id);
    let subnet_id = check_uuid(&mut errors, "subnet_id", &form.subnet_id);
    let security_group_id = check_uuid(&mut errors, "security_group_id", &form.security_group_id);
    let public = on(&form.enable_publicip);
    let eips: Vec<&str> = form
        .publicip_id
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if public && eips.is_empty() {
        errors.add("publicip_id", Msg::new("create-eip-required"));
    } else if public && let Some(bad) = eips.iter().find(|e| !is_uuid(e)) {
        errors.add("publicip_id", Msg::new("create-eip-bad").arg("eip", *bad));
    }
    let tags = match tags::parse_lines(&form.tags) {
        Ok(tags) => tags,
        Err(why) => {
            errors.add("tags", why);
            Vec::new()
        }
    };
    let (Some(flavour), Some(brokers), true) = (flavour, brokers, errors.is_empty()) else {
        if errors.is_empty() {
            errors.add("_form", Msg::new("form-check-fields"));
        }
        return Err(errors);
    };
    let storage = number(&form.storage_space).unwrap_or_default();
    let enterprise = form.enterprise_project_id.trim();
    let request = CreateInstanceReq {
        name: name.to_owned(),
        description: Some(form.description.clone()).filter(|d| !d.is_empty()),
        engine: engine.to_owned(),
        engine_version: version.to_owned(),
        storage_space: storage as u64,
        vpc_id,
        subnet_id,
        security_group_id,
        available_zones: zones,
        product_id: flavour.id().to_owned(),
        ssl_enable: Some(on(&form.ssl_enable)),
        storage_spec_code: form.storage_spec_code.clone(),
        enterprise_project_id: Some(enterprise.to_owned()).filter(|e| !e.is_empty()),
        enable_acl: Some(on(&form.enable_acl)),
        ipv6_enable: Some(ipv6),
        enable_publicip: Some(public),
        publicip_id: public.then(|| eips.join(",")),
        broker_num: Some(brokers as u32),
        ..Default::default()
    };
    let summary = vec![
        SummaryLine::value("field-name", request.name.clone()),
        SummaryLine::value("create-version", request.engine_version.clone()),
        SummaryLine::value("create-flavour", request.product_id.clone()),
        SummaryLine::value("field-brokers", brokers.to_string()),
        SummaryLine::value(
            "col-storage",
            format!("{storage} GB, {}", request.storage_spec_code),
        ),
        SummaryLine::value("create-zones", zone_names.join(", ")),
        SummaryLine::value(
            "create-network",
            format!(
                "{} / {} / {}",
                request.vpc_id, request.subnet_id, request.security_group_id
            ),
        ),
        SummaryLine::flag("create-acl", on(&form.enable_acl)),
        SummaryLine::flag("create-ssl", on(&form.ssl_enable)),
        SummaryLine::flag("create-ipv6", ipv6),
        if public {
            SummaryLine::value("create-public", eips.join(", "))
        } else {
            SummaryLine::flag("create-public", false)
        },
        SummaryLine::value(
            "field-tags",
            tags.iter()
                .map(|t| format!("{}={}", t.key, t.value))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    Ok(NewInstance {
        request,
        tags,
        summary,
    })
}

#[derive(Template)]
#[template(path = "instances/new.html", blocks = ["content"])]
struct NewInstancePage {
    layout: Layout,
    offer: Result<Offer, ErrorSummary>,
    form: FormView,
    zones: Vec<String>,
    summary: Vec<SummaryLine>,
    cores: Option<Result<i64, ErrorSummary>>,
    problem: Option<ErrorSummary>,
}
crate::page!(NewInstancePage);

impl NewInstancePage {
    fn zone_checked(&self, id: &str) -> bool {
        self.zones.iter().any(|z| z == id)
    }

    fn versions(&self) -> Vec<String> {
        match &self.offer {
            Ok(offer) => offer.versions.clone(),
            Err(_) => Vec::new(),
        }
    }

    fn flavour_ids(&self) -> Vec<String> {
        match &self.offer {
            Ok(offer) => offer.products.iter().map(|f| f.id().to_owned()).collect(),
            Err(_) => Vec::new(),
        }
    }

    fn io_specs(&self) -> Vec<String> {
        let mut specs: Vec<String> = Vec::new();
        if let Ok(offer) = &self.offer {
            for spec in offer.products.iter().flat_map(|f| f.io_specs.iter()) {
                if !specs.contains(spec) {
                    specs.push(spec.clone());
                }
            }
        }
        specs
    }
}

fn layout(user: &CurrentUser) -> Layout {
    Layout::for_user(user, "create-title", Section::Instances)
        .crumb("nav-instances", Some("/instances".into()))
        .crumb("create-title", None)
}

/// The network ids of the newest instance, as the form's starting values (instances of a
/// project usually share them).
async fn network_defaults(user: &CurrentUser) -> Option<(String, String, String)> {
    let query = ListInstancesQuery {
        limit: Some(1),
        offset: Some(0),
        ..Default::default()
    };
    let list = user.dms.list_instances(&query).await.ok()?.into_inner();
    let newest = list.instances.into_iter().next()?;
    Some((newest.vpc_id, newest.subnet_id, newest.security_group_id))
}

/// `GET /instances/new`.
pub async fn new_instance_form(user: CurrentUser, hx: HxRequest) -> Result<HttpResponse, WebError> {
    user.require(Permission::CreateInstances)?;
    let (offer, network) = tokio::join!(load_offer(&user), network_defaults(&user));
    let mut form = CreateForm {
        op: new_op_id(),
        broker_num: "1".to_owned(),
        ..Default::default()
    };
    let mut zones = Vec::new();
    if let Ok(offer) = &offer {
        form.engine_version = offer.versions.first().cloned().unwrap_or_default();
        if let Some(flavour) = offer.products.iter().find(|f| f.runs(&form.engine_version)) {
            form.product_id = flavour.id().to_owned();
            form.storage_space = (flavour.min_storage_per_broker * flavour.min_brokers).to_string();
            form.storage_spec_code = flavour.io_specs.first().cloned().unwrap_or_default();
        }
        if let Some(zone) = offer
            .zones
            .iter()
            .find(|z| z.default_az && z.has_resources())
            .or_else(|| offer.zones.iter().find(|z| z.has_resources()))
        {
            zones.push(zone.id.clone());
        }
    }
    form.zones = zones.join(",");
    if let Some((vpc, subnet, group)) = network {
        (form.vpc_id, form.subnet_id, form.security_group_id) = (vpc, subnet, group);
    }
    let status = match &offer {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::BAD_GATEWAY,
    };
    let page = NewInstancePage {
        layout: layout(&user),
        offer,
        form: FormView::of(user.ui.lang, &form, FormErrors::new()),
        zones,
        summary: Vec::new(),
        cores: None,
        problem: None,
    };
    render_page(hx, status, &page)
}

async fn core_count(user: &CurrentUser, request: &CreateInstanceReq) -> Result<i64, ApiError> {
    let query = ProductCoresQuery {
        instance_id: None,
        product_id: Some(request.product_id.clone()),
        broker_num: request.broker_num,
    };
    Ok(user
        .dms
        .show_product_cores(&query)
        .await?
        .into_inner()
        .core_num)
}

/// `POST /instances`: checks and previews the new instance, or (`step=confirm`) creates it.
pub async fn create_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::CreateInstances)?;
    let fields = body::form(&request, payload, FORM_LIMIT).await?;
    let mut form = CreateForm::of(&fields);
    let offer = load_offer(&user).await;
    let zones = form.zone_ids();
    let mut page = NewInstancePage {
        layout: layout(&user),
        offer,
        form: FormView::of(user.ui.lang, &form, FormErrors::new()),
        zones,
        summary: Vec::new(),
        cores: None,
        problem: None,
    };
    let offer = match &page.offer {
        Ok(offer) => offer,
        Err(_) => return render_page(hx, StatusCode::BAD_GATEWAY, &page),
    };
    if !fields.text("back").is_empty() {
        // "Change the values" from the preview: the form again, as filled in.
        return render_page(hx, StatusCode::OK, &page);
    }
    let engine = user.dms.config().engine.to_string();
    let new = match check(&form, offer, &engine) {
        Ok(new) => new,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if Step::of(&form.step) == Step::Preview {
        page.cores = Some(
            core_count(&user, &new.request)
                .await
                .map_err(|e| ErrorSummary::upstream("op-product-cores", &e)),
        );
        page.summary = new.summary;
        return render_page(hx, StatusCode::OK, &page);
    }
    let params = serde_json::to_value(&new.request).unwrap_or_default();
    let action = Audited::new(
        &request,
        &user,
        Permission::CreateInstances,
        "CreateInstanceByEngine",
        format!("instance/new/{}", new.request.name),
        params,
        &form.op,
    );
    let result = audited(action, user.dms.create_instance(&new.request)).await?;
    user.state.lists.invalidate("");
    let created = match result {
        Ok(reply) => reply.into_inner(),
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = match error.code.as_deref() {
                Some("DMS.00400010" | "DMS.00400060" | "DMS.00400081") => "name",
                Some("DMS.00400067" | "DMS.00400042" | "DMS.00400049") => "zones",
                Some("DMS.00400013" | "DMS.00400068") => "vpc_id",
                Some("DMS.00400016" | "DMS.00400018") => "subnet_id",
                Some("DMS.00400014" | "DMS.00400046") => "security_group_id",
                Some("DMS.00400128") => "publicip_id",
                Some("DMS.00400500") => "storage_space",
                Some("DMS.00400125") => "storage_spec_code",
                Some("DMS.00400009" | "DMS.00400022") => "product_id",
                _ => "_form",
            };
            errors.from_dms(field, &error);
            // A new operation id: trying again after a failure is a new, deliberate change.
            form.op = new_op_id();
            form.step = String::new();
            page.form = FormView::of(user.ui.lang, &form, errors);
            page.problem = Some(
                ErrorSummary::upstream("op-create-instance", &error)
                    .check_state_at("/instances?status=CREATING"),
            );
            return render_page(hx, upstream_status(&error), &page);
        }
    };
    let id = match InstanceId::try_from(created.instance_id.clone()) {
        Ok(id) => id,
        // DMS's examples show ids that are not UUIDs; the list still shows the new instance.
        Err(_) => return Ok(redirect(hx, "/instances")),
    };
    if new.tags.is_empty() {
        return Ok(redirect(
            hx,
            &format!("/instances/{id}/progress?job={}", Job::Create.as_str()),
        ));
    }
    let tag_action = Audited::new(
        &request,
        &user,
        Permission::ManageTags,
        "BatchCreateOrDeleteRocketmqTag",
        format!("instance/{id}"),
        serde_json::json!({"action": "create", "tags": new.tags}),
        // The tags are a second change of the same submission, with an id of its own.
        &format!("{}-tags", form.op.trim()),
    );
    let tagged = audited(
        tag_action,
        user.dms.add_instance_tags(id.as_str(), &new.tags),
    )
    .await?;
    match tagged {
        Ok(_) => Ok(redirect(
            hx,
            &format!("/instances/{id}/progress?job={}", Job::Create.as_str()),
        )),
        Err(error) => {
            let problem = ErrorSummary::upstream("op-tag-new-instance", &error)
                .check_state_at(format!("/instances/{id}/tags"));
            progress_page(&user, hx, &id, Job::Create, Some(problem), StatusCode::OK).await
        }
    }
}
