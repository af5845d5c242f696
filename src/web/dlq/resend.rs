//! Resending dead letters (API reference §5.4.4): the selection (checked messages, or every
//! match of the page's search) is previewed with its number and topic, confirmed (by typing
//! the number above `messages.confirm_above`), then sent in batches, each audited with its
//! exact ids, and the result is shown message by message.
//!
//! "Never sent twice": before anything is sent, every message is claimed in the ledger under
//! its instance, topic and id. A double click, a retried post or a second tab with the same
//! selection (whatever its operation id) finds the claims and sends nothing; messages whose
//! resend failed are released, so they can be resent on purpose; an unknown outcome keeps its
//! claim and says how to check. Each batch also carries the form's operation id, so the same
//! form never reaches DMS twice either.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::api::models::messages::{DlqResendRequest, ResendResult};
use crate::domain::InstanceId;
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::{Claim, OpState, new_op_id};
use crate::web::list::ListParams;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::super::messages::query;
use super::super::messages::search::SPEC;
use super::super::messages::trace::trace_href;
use super::super::messages::{message_href, policy, query_string};
use super::list::SEARCH_FIELDS;
use super::{SELECTION_MAX, dlq_topic, form_fields, group_param, list_href, selected_ids};

/// Ids per resend call.
const BATCH: usize = 100;
/// The ledger's namespace for resent dead letters.
const CLAIMS: &str = "dlq-resend";

/// The selection form as posted.
#[derive(Debug, Default, Clone)]
pub struct ResendForm {
    group: String,
    scope: String,
    step: String,
    op: String,
    confirm: String,
    ids: Vec<String>,
    search: Vec<(String, String)>,
}

impl ResendForm {
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (name, value) in form_fields(body) {
            match name.as_str() {
                "group" => form.group = value,
                "scope" => form.scope = value,
                "step" => form.step = value,
                "op" => form.op = value,
                "confirm" => form.confirm = value,
                "id" => form.ids.push(value),
                other if SEARCH_FIELDS.contains(&other) => form.search.push((name, value)),
                _ => {}
            }
        }
        form
    }
}

/// What became of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// DMS resent it.
    Resent,
    /// DMS refused it (per message or the whole call); it may be resent again.
    Failed,
    /// No readable answer: it may or may not have been resent.
    Unknown,
    /// Not sent: resent before.
    AlreadyResent,
    /// Not sent: another submission is resending it right now.
    AlreadyInFlight,
    /// Not sent: an earlier resend of it has an unknown outcome.
    AlreadyUnknown,
    /// Not sent: an earlier batch failed or its outcome is unknown.
    NotSent,
}

impl Outcome {
    fn key(self) -> &'static str {
        match self {
            Self::Resent => "resend-outcome-resent",
            Self::Failed => "resend-outcome-failed",
            Self::Unknown => "resend-outcome-unknown",
            Self::AlreadyResent => "resend-outcome-already",
            Self::AlreadyInFlight => "resend-outcome-in-flight",
            Self::AlreadyUnknown => "resend-outcome-already-unknown",
            Self::NotSent => "resend-outcome-not-sent",
        }
    }

    fn tone(self) -> &'static str {
        match self {
            Self::Resent => "ok",
            Self::Failed => "bad",
            Self::Unknown | Self::AlreadyUnknown => "busy",
            _ => "neutral",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Resent => "resent",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::AlreadyResent => "already-resent",
            Self::AlreadyInFlight => "in-flight",
            Self::AlreadyUnknown => "already-unknown",
            Self::NotSent => "not-sent",
        }
    }
}

/// One message of the results.
pub struct ResultRow {
    /// Its id.
    pub msg_id: String,
    /// Its page.
    pub href: String,
    /// What became of it.
    pub outcome: Outcome,
    /// DMS's code for it.
    pub code: String,
    /// DMS's words for it.
    pub message: String,
    /// Where to check an unknown outcome: its trace shows a new delivery if it was resent.
    pub check_href: Option<String>,
}

#[derive(Template)]
#[template(path = "dlq/resend.html", blocks = ["content"])]
struct ResendPage {
    layout: Layout,
    instance_id: String,
    group: String,
    topic: String,
    ids: Vec<String>,
    op: String,
    typed: bool,
    confirm_error: Option<Msg>,
    problem: Option<ErrorSummary>,
    results: Option<Vec<ResultRow>>,
    summary: Option<Msg>,
    carried: Vec<(String, String)>,
    back: String,
}
crate::page!(ResendPage);

impl ResendPage {
    fn outcome_key(&self, outcome: &Outcome) -> &'static str {
        outcome.key()
    }

    fn outcome_tone(&self, outcome: &Outcome) -> &'static str {
        outcome.tone()
    }

    fn outcome_name(&self, outcome: &Outcome) -> &'static str {
        outcome.name()
    }

    fn message_href(&self, msg_id: &str) -> String {
        message_href(&self.instance_id, msg_id, &self.topic)
    }
}

/// The ledger key of one dead letter.
fn claim_key(user: &CurrentUser, instance_id: &str, topic: &str, msg_id: &str) -> String {
    format!(
        "{}|{instance_id}|{topic}|{}",
        user.tenant,
        msg_id.to_ascii_uppercase()
    )
}

/// `POST /instances/{instance_id}/dlq/resend`: previews the selection, or (`step=confirm`)
/// resends it.
pub async fn resend_dead_letters(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ResendMessages)?;
    let instance_id = path.into_inner().instance_id;
    let id = instance_id.as_str();
    let form = ResendForm::parse(&body);
    let Some(group) = group_param(&form.group)? else {
        return Err(WebError::Invalid(Msg::new("dlq-group-required")));
    };
    let topic = dlq_topic(group.as_str());
    let nav = InstanceNav::load(&user, &instance_id, Tab::DeadLetters).await;
    let back = {
        let mut pairs: Vec<(&str, &str)> = vec![("group", group.as_str())];
        pairs.extend(form.search.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        format!("/instances/{id}/dlq?{}", query_string(pairs))
    };
    let mut page = ResendPage {
        layout: Layout::for_user(&user, "resend-title", Section::Instances)
            .in_instance(nav)
            .crumb("dlq-title", Some(format!("/instances/{id}/dlq")))
            .crumb_value(group.to_string(), Some(list_href(id, group.as_str())))
            .crumb("resend-title", None),
        instance_id: id.to_owned(),
        group: group.to_string(),
        topic: topic.clone(),
        ids: Vec::new(),
        op: form.op.clone(),
        typed: false,
        confirm_error: None,
        problem: None,
        results: None,
        summary: None,
        carried: form.search.clone(),
        back,
    };
    let threshold = policy(&user).confirm_above as usize;
    if form.step != "confirm" {
        // The confirmation needs a one-time id; a preview posted without one gets one.
        if page.op.is_empty() {
            page.op = new_op_id();
        }
        let ids = match selection(&user, &instance_id, &topic, &form).await {
            Ok(ids) => ids,
            Err(problem) => {
                page.problem = Some(problem);
                return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        };
        page.typed = ids.len() > threshold;
        page.ids = ids;
        return render_page(hx, StatusCode::OK, &page);
    }
    let ids = match selected_ids(&form.ids) {
        Ok(ids) if !ids.is_empty() => ids,
        Ok(_) => {
            page.problem = Some(plain_problem(Msg::new("dlq-nothing-selected")));
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(why) => {
            page.problem = Some(plain_problem(why));
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    page.typed = ids.len() > threshold;
    page.ids = ids.clone();
    if page.typed && form.confirm.trim() != ids.len().to_string() {
        page.confirm_error = Some(Msg::new("resend-confirm-mismatch").arg("count", ids.len()));
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let state = user.state.clone();
    let allowed = state
        .limits
        .allow(
            &format!("{}|{}", user.tenant, user.record.user),
            "dlq-resend",
            state.messages.resends_per_minute,
            std::time::Duration::from_secs(60),
        )
        .await;
    if let Err(limited) = allowed {
        let wait = match limited {
            crate::web::ratelimit::Limited::Wait(wait) => wait,
            unavailable => return Err(unavailable.into()),
        };
        page.problem = Some(ErrorSummary::new(
            Msg::new("error-too-many-title"),
            Msg::new("resend-rate-limited")
                .arg("seconds", wait.as_secs().max(1))
                .arg("per_minute", state.messages.resends_per_minute),
        ));
        return render_page(hx, StatusCode::TOO_MANY_REQUESTS, &page);
    }
    // Claim every message, all at once, before anything is sent: whatever was claimed before
    // (by this form, another tab or another user) is not sent.
    let keys: Vec<String> = ids
        .iter()
        .map(|msg_id| claim_key(&user, id, &topic, msg_id))
        .collect();
    let claims = state
        .ledger
        .claim_all(CLAIMS, &keys)
        .await
        .map_err(|e| WebError::SessionStore(e.0))?;
    let mut rows: Vec<ResultRow> = Vec::with_capacity(ids.len());
    let mut fresh: Vec<String> = Vec::new();
    for (msg_id, claim) in ids.iter().zip(claims) {
        match claim {
            Claim::Fresh => fresh.push(msg_id.clone()),
            Claim::Seen(seen) => rows.push(row(
                id,
                &topic,
                msg_id,
                match seen {
                    OpState::Done => Outcome::AlreadyResent,
                    OpState::InFlight => Outcome::AlreadyInFlight,
                    OpState::Unknown => Outcome::AlreadyUnknown,
                    // Refused resends are released, so this one was refused a moment ago.
                    OpState::Failed => Outcome::NotSent,
                },
                "",
                "",
            )),
        }
    }
    let batches: Vec<&[String]> = fresh.chunks(BATCH).collect();
    let count = batches.len();
    let mut status = StatusCode::OK;
    let mut stopped = false;
    for (index, batch) in batches.into_iter().enumerate() {
        let body = DlqResendRequest {
            topic: Some(topic.clone()),
            msg_id_list: Some(batch.to_vec()),
        };
        let action = Audited::new(
            &request,
            &user,
            Permission::ResendMessages,
            "SendDlqMessage",
            format!("dlq/{id}/{group}"),
            serde_json::json!({
                "topic": topic,
                "group": group.as_str(),
                "msg_ids": batch,
                "batch": index + 1,
                "batches": count,
            }),
            &format!("{}-{}", page.op, index + 1),
        );
        let sent = if stopped {
            None
        } else {
            match audited(action, user.dms.resend_dlq_messages(id, &body)).await {
                Ok(result) => Some(result),
                Err(refused) => {
                    // Nothing was sent for this batch (an old form, or the audit log is down),
                    // and nothing after it will be.
                    stopped = true;
                    page.problem = Some(refused.summary());
                    status = actix_web::ResponseError::status_code(&refused);
                    None
                }
            }
        };
        let Some(result) = sent else {
            release(
                &state,
                &user,
                id,
                &topic,
                batch,
                Outcome::NotSent,
                &mut rows,
                "",
                "",
            )
            .await;
            continue;
        };
        match result {
            Ok(reply) => {
                let answered = reply.into_inner().resend_results;
                for (position, msg_id) in batch.iter().enumerate() {
                    let key = claim_key(&user, id, &topic, msg_id);
                    // Matched by id, else by position (API reference §5.4.4's example answers
                    // with another id than the one sent).
                    let found = answered
                        .iter()
                        .find(|r| r.msg_id.eq_ignore_ascii_case(msg_id))
                        .or_else(|| {
                            answered
                                .get(position)
                                .filter(|_| answered.len() == batch.len())
                        });
                    let outcome = match found {
                        Some(result) if result.is_success() => {
                            state.ledger.finish(CLAIMS, &key, OpState::Done).await;
                            Outcome::Resent
                        }
                        Some(_) => {
                            state.ledger.release(CLAIMS, &key).await;
                            Outcome::Failed
                        }
                        None => {
                            state.ledger.finish(CLAIMS, &key, OpState::Unknown).await;
                            Outcome::Unknown
                        }
                    };
                    let empty = ResendResult::default();
                    let result = found.unwrap_or(&empty);
                    rows.push(row(
                        id,
                        &topic,
                        msg_id,
                        outcome,
                        &result.error_code,
                        &result.error_message,
                    ));
                }
            }
            Err(error) if error.outcome_unknown => {
                stopped = true;
                for msg_id in batch {
                    state
                        .ledger
                        .finish(
                            CLAIMS,
                            &claim_key(&user, id, &topic, msg_id),
                            OpState::Unknown,
                        )
                        .await;
                    rows.push(row(id, &topic, msg_id, Outcome::Unknown, "", ""));
                }
                status = upstream_status(&error);
                page.problem = Some(ErrorSummary::upstream("op-resend-dead-letters", &error));
            }
            Err(error) => {
                stopped = true;
                let code = error.code.clone().unwrap_or_default();
                release(
                    &state,
                    &user,
                    id,
                    &topic,
                    batch,
                    Outcome::Failed,
                    &mut rows,
                    &code,
                    &error.message,
                )
                .await;
                status = upstream_status(&error);
                page.problem = Some(ErrorSummary::upstream("op-resend-dead-letters", &error));
            }
        }
    }
    // Results in the order of the selection.
    rows.sort_by_key(|r| ids.iter().position(|i| i == &r.msg_id));
    let count = |outcome: Outcome| rows.iter().filter(|r| r.outcome == outcome).count();
    page.summary = Some(
        Msg::new("resend-summary")
            .arg("resent", count(Outcome::Resent))
            .arg("failed", count(Outcome::Failed))
            .arg("unknown", count(Outcome::Unknown))
            .arg(
                "skipped",
                rows.len()
                    - count(Outcome::Resent)
                    - count(Outcome::Failed)
                    - count(Outcome::Unknown),
            ),
    );
    page.results = Some(rows);
    page.op = new_op_id();
    render_page(hx, status, &page)
}

fn plain_problem(message: Msg) -> ErrorSummary {
    ErrorSummary::new(Msg::new("resend-problem-title"), message)
}

fn row(
    instance_id: &str,
    topic: &str,
    msg_id: &str,
    outcome: Outcome,
    code: &str,
    message: &str,
) -> ResultRow {
    ResultRow {
        href: message_href(instance_id, msg_id, topic),
        check_href: matches!(outcome, Outcome::Unknown | Outcome::AlreadyUnknown)
            .then(|| trace_href(instance_id, msg_id, topic)),
        msg_id: msg_id.to_owned(),
        outcome,
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// The ids a preview shows: the checked ones, or every match of the page's search (up to
/// [`SELECTION_MAX`]; more is refused rather than cut).
async fn selection(
    user: &CurrentUser,
    instance_id: &InstanceId,
    topic: &str,
    form: &ResendForm,
) -> Result<Vec<String>, ErrorSummary> {
    if form.scope != "all" {
        let ids = selected_ids(&form.ids).map_err(plain_problem)?;
        if ids.is_empty() {
            return Err(plain_problem(Msg::new("dlq-nothing-selected")));
        }
        return Ok(ids);
    }
    let query: String = {
        let mut pairs: Vec<(&str, &str)> = vec![("topic", topic)];
        pairs.extend(form.search.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        query_string(pairs)
    };
    let params = ListParams::parse(&query, SPEC);
    let parsed = query::parse(&params, &user.ui.zone, crate::clock::now_ms(), "3d");
    let Some(search) = parsed.search else {
        return Err(plain_problem(Msg::new("dlq-search-invalid")));
    };
    let found = query::find(
        &user.dms,
        &user.budget(instance_id),
        instance_id.as_str(),
        &search,
        0,
        SELECTION_MAX as u32 + 1,
    )
    .await
    .map_err(|e| ErrorSummary::upstream("op-list-dead-letters", &e))?;
    if found.total as usize > SELECTION_MAX {
        return Err(plain_problem(
            Msg::new("dlq-selection-too-large")
                .arg("count", found.total)
                .arg("max", SELECTION_MAX),
        ));
    }
    if found.messages.is_empty() {
        return Err(plain_problem(Msg::new("dlq-nothing-selected")));
    }
    Ok(found.messages.into_iter().map(|m| m.msg_id).collect())
}

/// Gives back the claims of `batch` (nothing of it was sent, or DMS refused it, so it may be
/// resent on purpose) and reports each message with `outcome`.
#[allow(clippy::too_many_arguments)]
async fn release(
    state: &crate::web::state::AppState,
    user: &CurrentUser,
    id: &str,
    topic: &str,
    batch: &[String],
    outcome: Outcome,
    rows: &mut Vec<ResultRow>,
    code: &str,
    text: &str,
) {
    for msg_id in batch {
        state
            .ledger
            .release(CLAIMS, &claim_key(user, id, topic, msg_id))
            .await;
        rows.push(row(id, topic, msg_id, outcome, code, text));
    }
}
