//! Resetting a group's consumption offsets (API reference §5.2.8): to a time (picked in the
//! reader's zone, shown in UTC as well), to the earliest kept message or to the latest, on one
//! topic or on every topic the group consumes (or on another topic of the instance, which is
//! how a new group starts consuming one).
//!
//! The preview shows, per topic, the offsets now (per queue), the lag now and the lag the reset
//! leaves (the earliest: every kept message, from §5.3.7; the latest: none; a time: the messages
//! stored since, from §5.4.1), so it says what it will make the group consume again or skip. It
//! then needs the group's name typed. Each topic's reset is sent once (never retried: a second
//! run would rewind again after the consumers moved on), audited on its own; the answer shows
//! each topic's new offsets, and for a reset whose outcome is unknown, the offsets as they are
//! now.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Serialize;

use crate::api::models::groups::{ResetConsumeOffsetReq, ResetConsumeOffsetResult};
use crate::api::models::messages::ListMessagesQuery;
use crate::domain::{GroupName, InstanceId, TopicName};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::forms::{FormErrors, FormView, Step, confirm};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::GroupPath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::time::TimeView;

use super::lag::{self, budgeted};
use super::show::TopicFigures;
use super::{Item, ItemResult, VIEW_DEADLINE, group_href, load_group, run_each};

/// Topics previewed at the same time.
const TOPICS_AT_ONCE: usize = 8;

/// The reset form as posted.
#[derive(Debug, Default, Serialize)]
pub struct ResetForm {
    /// `*` (every topic the group consumes) or one of them.
    topic: String,
    /// Another topic of the instance (wins over `topic` when given).
    other_topic: String,
    /// `earliest`, `latest` or `time`.
    to: String,
    /// A `datetime-local` value in the reader's zone.
    time: String,
    confirm: String,
    op: String,
    step: String,
}

impl ResetForm {
    /// The form from its posted fields. A previewed form carries its values again, and the
    /// typed confirmation comes after them: the last value given wins, empty ones aside.
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "topic" => &mut form.topic,
                "other_topic" => &mut form.other_topic,
                "to" => &mut form.to,
                "time" => &mut form.time,
                "confirm" => &mut form.confirm,
                "op" => &mut form.op,
                "step" => &mut form.step,
                _ => continue,
            };
            if !value.is_empty() || slot.is_empty() {
                *slot = value.clone();
            }
        }
        form
    }
}

/// Where offsets are moved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Earliest,
    Latest,
    /// Unix milliseconds.
    Time(i64),
}

impl Target {
    /// The timestamp §5.2.8 is sent: the first message stored at or after it becomes the
    /// group's next one. The latest is "now", when the reset is sent.
    fn timestamp(self) -> i64 {
        match self {
            Self::Earliest => 0,
            Self::Latest => crate::clock::now_ms(),
            Self::Time(ms) => ms,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Earliest => "earliest",
            Self::Latest => "latest",
            Self::Time(_) => "time",
        }
    }
}

/// A valid reset.
struct Plan {
    topics: Vec<String>,
    target: Target,
}

fn plan(form: &ResetForm, consumed: &[String], user: &CurrentUser) -> Result<Plan, FormErrors> {
    let mut errors = FormErrors::new();
    let topics = if !form.other_topic.trim().is_empty() {
        errors
            .check("other_topic", TopicName::try_from(form.other_topic.trim()))
            .map(|t| vec![t.to_string()])
            .unwrap_or_default()
    } else if form.topic == "*" || form.topic.is_empty() {
        if consumed.is_empty() {
            errors.add("topic", Msg::new("group-reset-no-topics"));
        }
        consumed.to_vec()
    } else if consumed.contains(&form.topic) {
        vec![form.topic.clone()]
    } else {
        errors.add("topic", Msg::new("group-reset-topic-unknown"));
        Vec::new()
    };
    let target = match form.to.as_str() {
        "earliest" => Some(Target::Earliest),
        "latest" => Some(Target::Latest),
        "time" => match user.ui.zone.parse_local(&form.time) {
            Some(ms) => Some(Target::Time(ms)),
            None => {
                errors.add("time", Msg::new("group-reset-bad-time"));
                None
            }
        },
        _ => {
            errors.add("to", Msg::new("group-reset-choose-target"));
            None
        }
    };
    match target {
        Some(target) if errors.is_empty() => Ok(Plan { topics, target }),
        _ => Err(errors),
    }
}

/// One topic of the preview.
pub struct TopicPlan {
    /// The topic.
    pub topic: String,
    /// Its offsets and lag now.
    pub before: Result<TopicFigures, ErrorSummary>,
    /// The lag after the reset (`None`: could not be told).
    pub after: Result<Option<i64>, ErrorSummary>,
    /// Per queue `(broker, id)`, the offset after the reset, when it can be told.
    pub after_offsets: Vec<((String, i64), i64)>,
}

impl TopicPlan {
    /// The lag the reset adds (positive: consumed again) or removes (negative: skipped).
    pub fn delta(&self) -> Option<i64> {
        match (&self.before, &self.after) {
            (Ok(before), Ok(Some(after))) => Some(after - before.lag),
            _ => None,
        }
    }

    /// The lag after the reset, when it can be told.
    pub fn lag_after(&self) -> Option<i64> {
        self.after.as_ref().ok().copied().flatten()
    }

    /// The offset of queue `(broker, id)` after the reset, when it can be told.
    pub fn offset_after(&self, broker: &str, id: &i64) -> Option<i64> {
        self.after_offsets
            .iter()
            .find(|((b, q), _)| b == broker && q == id)
            .map(|(_, offset)| *offset)
    }
}

/// One topic's outcome.
pub struct TopicResult {
    /// The topic.
    pub topic: String,
    /// `done`, `failed`, `unknown` or `not-sent`.
    pub kind: &'static str,
    /// The queues the reset moved (done).
    pub moved: Option<ResetConsumeOffsetResult>,
    /// The offsets read back after an unknown outcome.
    pub current: Option<Result<TopicFigures, ErrorSummary>>,
    /// What DMS said.
    pub problem: Option<ErrorSummary>,
    /// Why it was not sent.
    pub note: Option<Msg>,
}

#[derive(Template)]
#[template(path = "groups/reset.html", blocks = ["content"])]
struct ResetPage {
    layout: Layout,
    group: String,
    href: String,
    /// `form`, `preview` or `results`.
    step: &'static str,
    consumed: Result<Vec<String>, ErrorSummary>,
    form: FormView,
    zone: String,
    target_time: Option<TimeView>,
    target: &'static str,
    plans: Vec<TopicPlan>,
    results: Vec<TopicResult>,
    problem: Option<ErrorSummary>,
}
crate::page!(ResetPage);

impl ResetPage {
    /// "Lag now N → lag after M (K consumed again / skipped)" of one topic, when its offsets
    /// were read.
    fn lag_line(&self, plan: &TopicPlan) -> Option<String> {
        let lang = self.layout.ui.lang;
        let before = plan.before.as_ref().ok()?;
        let mut line = lang.msg(&Msg::new("group-reset-lag-now").arg("lag", before.lag));
        match &plan.after {
            Ok(Some(after)) => {
                line.push_str(" → ");
                line.push_str(&lang.msg(&Msg::new("group-reset-lag-after").arg("lag", *after)));
                let delta = after - before.lag;
                let change = if delta > 0 {
                    Msg::new("group-reset-adds").arg("count", delta)
                } else if delta < 0 {
                    Msg::new("group-reset-removes").arg("count", -delta)
                } else {
                    Msg::new("group-reset-no-change")
                };
                line.push(' ');
                line.push_str(&lang.msg(&change));
            }
            Ok(None) => {
                line.push_str(" · ");
                line.push_str(&lang.t("group-reset-after-unknown"));
            }
            Err(_) => {}
        }
        Some(line)
    }

    fn done(&self) -> usize {
        self.results.iter().filter(|r| r.kind == "done").count()
    }
}

/// The lag `topic` would have after the reset to `target`.
async fn lag_after(
    user: &CurrentUser,
    id: &InstanceId,
    topic: &str,
    target: Target,
    before: &Result<TopicFigures, ErrorSummary>,
) -> (Result<Option<i64>, ErrorSummary>, Vec<((String, i64), i64)>) {
    let budget = user.budget(id);
    let now = crate::clock::now_ms();
    match target {
        Target::Latest => (
            Ok(Some(0)),
            before
                .as_ref()
                .map(|f| {
                    f.queues
                        .iter()
                        .map(|q| ((q.broker.clone(), q.id), q.broker_offset))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        Target::Time(ms) if ms >= now => (Ok(Some(0)), Vec::new()),
        Target::Earliest => {
            match budgeted(&budget, || user.dms.show_topic_status(id.as_str(), topic)).await {
                Ok(status) => {
                    let mut lag = 0;
                    let mut offsets = Vec::new();
                    for broker in &status.brokers {
                        for queue in &broker.queues {
                            lag += (queue.max_offset - queue.min_offset).max(0);
                            offsets
                                .push(((broker.broker_name.clone(), queue.id), queue.min_offset));
                        }
                    }
                    (Ok(Some(lag)), offsets)
                }
                Err(e) => (
                    Err(ErrorSummary::upstream("groups-op-topic-status", &e)),
                    Vec::new(),
                ),
            }
        }
        Target::Time(ms) => {
            let query = ListMessagesQuery {
                topic: topic.to_owned(),
                start_time: Some(ms),
                end_time: Some(now),
                limit: Some(1),
                offset: Some(0),
                ..Default::default()
            };
            match budgeted(&budget, || user.dms.list_messages(id.as_str(), &query)).await {
                Ok(found) => (Ok(Some(found.total.max(0))), Vec::new()),
                Err(e) => (
                    Err(ErrorSummary::upstream("groups-op-count-messages", &e)),
                    Vec::new(),
                ),
            }
        }
    }
}

/// The offsets of `topic` now.
async fn offsets_now(
    user: &CurrentUser,
    id: &InstanceId,
    group: &str,
    topic: &str,
) -> Result<TopicFigures, ErrorSummary> {
    let budget = user.budget(id);
    lag::topic_detail(&user.dms, &budget, id.as_str(), group, topic)
        .await
        .map(|d| TopicFigures::of(&d, crate::clock::now_ms()))
        .map_err(|e| ErrorSummary::upstream("groups-op-read-topic", &e))
}

/// The preview of `plan`: every topic's offsets now and lag after, within the view's deadline.
async fn preview(user: &CurrentUser, id: &InstanceId, group: &str, plan: &Plan) -> Vec<TopicPlan> {
    let deadline = tokio::time::Instant::now() + VIEW_DEADLINE;
    futures_util::stream::iter(&plan.topics)
        .map(|topic| async move {
            let work = async {
                let before = offsets_now(user, id, group, topic).await;
                let (after, after_offsets) = lag_after(user, id, topic, plan.target, &before).await;
                TopicPlan {
                    topic: topic.clone(),
                    before,
                    after,
                    after_offsets,
                }
            };
            tokio::time::timeout_at(deadline, work)
                .await
                .unwrap_or_else(|_| TopicPlan {
                    topic: topic.clone(),
                    before: Err(super::show::late()),
                    after: Ok(None),
                    after_offsets: Vec::new(),
                })
        })
        .buffered(TOPICS_AT_ONCE)
        .collect()
        .await
}

async fn page(
    user: &CurrentUser,
    id: &InstanceId,
    group: &GroupName,
    form: &ResetForm,
    errors: FormErrors,
) -> Result<(ResetPage, Vec<String>), WebError> {
    let budget = user.budget(id);
    let (loaded, nav, consumed) = tokio::join!(
        load_group(user, id, group),
        InstanceNav::load(user, id, Tab::Groups),
        lag::group_topics(&user.dms, &budget, id.as_str(), group.as_str())
    );
    let group = loaded?;
    let href = group_href(id.as_str(), &group.name);
    let consumed = consumed.map_err(|e| ErrorSummary::upstream("groups-op-list-topics", &e));
    let topics = consumed.clone().unwrap_or_default();
    Ok((
        ResetPage {
            layout: Layout::for_user(user, "group-reset-title", Section::Instances)
                .in_instance(nav)
                .crumb("groups-title", Some(format!("/instances/{id}/groups")))
                .crumb_value(group.name.clone(), Some(href.clone()))
                .crumb("group-reset-title", None),
            group: group.name,
            href,
            step: "form",
            consumed,
            form: FormView::of(user.ui.lang, form, errors),
            zone: user.ui.zone.name().to_owned(),
            target_time: None,
            target: "",
            plans: Vec::new(),
            results: Vec::new(),
            problem: None,
        },
        topics,
    ))
}

/// `GET /instances/{instance_id}/groups/{group}/reset`.
pub async fn reset_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<GroupPath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ResetOffsets)?;
    let GroupPath {
        instance_id: id,
        group,
    } = path.into_inner();
    let hour_ago = crate::clock::now_ms() - 3_600_000;
    let form = ResetForm {
        topic: "*".into(),
        to: "time".into(),
        time: user.ui.zone.local_input(hour_ago),
        op: new_op_id(),
        ..Default::default()
    };
    let (page, _) = page(&user, &id, &group, &form, FormErrors::new()).await?;
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/groups/{group}/reset`: previews the reset, or
/// (`step=confirm`, with the group's name typed) carries it out, topic by topic.
pub async fn reset_offsets(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<GroupPath>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ResetOffsets)?;
    let GroupPath {
        instance_id: id,
        group,
    } = path.into_inner();
    let mut form = ResetForm::from_pairs(&fields);
    let (mut page, consumed) = page(&user, &id, &group, &form, FormErrors::new()).await?;
    let plan = match plan(&form, &consumed, &user) {
        Ok(plan) => plan,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    page.target = plan.target.name();
    if let Target::Time(ms) = plan.target {
        page.target_time = Some(user.ui.zone.at(ms));
    }
    let mut errors = FormErrors::new();
    if Step::of(&form.step) == Step::Confirm {
        confirm(&mut errors, "confirm", &form.confirm, group.as_str());
    }
    if Step::of(&form.step) == Step::Preview || !errors.is_empty() {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        page.step = "preview";
        page.plans = preview(&user, &id, group.as_str(), &plan).await;
        page.form = FormView::of(user.ui.lang, &form, errors);
        return render_page(hx, status, &page);
    }
    let timestamp = plan.target.timestamp();
    let href = page.href.clone();
    let items: Vec<Item> = plan
        .topics
        .iter()
        .enumerate()
        .map(|(position, topic)| Item {
            position,
            name: topic.clone(),
            target: format!("instance/{id}/group/{group}/topic/{topic}"),
            params: serde_json::json!({
                "topic": topic,
                "to": plan.target.name(),
                "timestamp": timestamp,
            }),
            check_state: href.clone(),
        })
        .collect();
    let (dms, instance, group_name) = (&user.dms, id.as_str(), group.as_str());
    let outcomes = run_each(
        &request,
        &user,
        &id,
        Permission::ResetOffsets,
        "ResetConsumeOffset",
        "groups-op-reset",
        &form.op,
        items,
        |topic| async move {
            let body = ResetConsumeOffsetReq { topic, timestamp };
            dms.reset_consume_offset(instance, group_name, &body).await
        },
    )
    .await?;
    user.state.lists.invalidate(id.as_str());
    // One topic refused for its topic or time: the form again, with DMS's message next to
    // the field it concerns.
    if let [(_, ItemResult::Failed(problem))] = outcomes.as_slice() {
        let field = match problem.code.as_deref() {
            Some("DMS.00400876") if form.other_topic.trim().is_empty() => Some("topic"),
            Some("DMS.00400876") => Some("other_topic"),
            Some("DMS.00400142") => Some("time"),
            _ => None,
        };
        if let Some(field) = field {
            let mut errors = FormErrors::new();
            errors.add(
                field,
                Msg::new("form-dms-refused")
                    .arg("detail", problem.message.clone())
                    .text("code", problem.code.clone().unwrap_or_default()),
            );
            form.op = new_op_id();
            form.step = String::new();
            form.confirm = String::new();
            page.form = FormView::of(user.ui.lang, &form, errors);
            page.problem = Some(problem.clone());
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    }
    let mut results = Vec::new();
    for (topic, outcome) in outcomes {
        let kind = outcome.kind();
        let mut result = TopicResult {
            topic: topic.clone(),
            kind,
            moved: None,
            current: None,
            problem: None,
            note: None,
        };
        match outcome {
            ItemResult::Done(moved) => result.moved = Some(moved),
            ItemResult::Failed(problem) => result.problem = Some(problem),
            ItemResult::Unknown(problem) => {
                result.problem = Some(problem);
                result.current = Some(offsets_now(&user, &id, group.as_str(), &topic).await);
            }
            ItemResult::NotSent(note) => result.note = Some(note),
        }
        results.push(result);
    }
    let status = match results.iter().find(|r| r.kind != "done") {
        None => StatusCode::OK,
        Some(r) if r.kind == "not-sent" => StatusCode::CONFLICT,
        Some(_) => StatusCode::BAD_GATEWAY,
    };
    form.op = new_op_id();
    page.step = "results";
    page.results = results;
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    render_page(hx, status, &page)
}
