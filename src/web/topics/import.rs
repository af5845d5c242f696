//! Batch create from a file (API reference §6.1: DMS has no batch create, so the console
//! creates the topics one call each): an uploaded or pasted CSV, JSON or plain-text list is
//! previewed row by row (will be created, already exists, invalid and why), then, once
//! confirmed, each new topic is created with its own audited call and its own result.
//!
//! Formats: §6.1's text file (`name TYPE` per line; on 4.8.0 the second word is the
//! permission), CSV with or without a header (`name`, `message_type`, `permission`,
//! `queues`, `brokers`, `description`), or JSON (an array of names or of objects with those
//! keys, or `{"topics": [...]}`). The preview carries the rows it read, not the file, and the
//! confirmation checks them all again.

use std::collections::BTreeSet;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog;
use super::{
    DEFAULT_QUEUES, DESCRIPTION_MAX, MESSAGE_TYPES, PERMISSIONS, broker_names, instance_and_nav,
    is_5x, topic_href, topic_layout,
};
use crate::api::ApiError;
use crate::api::models::topics::{CreateTopicReq, TopicQueues, UpdateTopicReq};
use crate::domain::{InstanceId, TopicName};
use crate::web::audit::audited::{Audited, audited};
use crate::web::body::{self, Fields, UPLOAD_LIMIT};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::forms::FormView;
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 200;
/// How long the preview waits for the instance's topic list.
const LIST_DEADLINE: Duration = Duration::from_secs(10);
/// Topics created at the same time.
const CREATES_AT_ONCE: usize = 4;

/// One row as read from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawRow {
    /// The line (or array index + 1) it came from.
    pub line: usize,
    /// Topic name.
    pub name: String,
    /// 5.x message type.
    pub message_type: String,
    /// 4.8.0 permission.
    pub permission: String,
    /// Queues per broker.
    pub queues: String,
    /// 4.8.0 brokers, separated by spaces, `;` or `|`.
    pub brokers: String,
    /// Description.
    pub description: String,
}

/// A row checked against the instance.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Valid and new: it will be created.
    Create(Box<CreateTopicReq>),
    /// A topic of that name exists.
    Exists,
    /// Why it cannot be created.
    Invalid(Msg),
}

/// One row of the preview.
pub struct PreviewRow {
    /// The row.
    pub raw: RawRow,
    /// What will happen to it.
    pub verdict: Verdict,
}

impl PreviewRow {
    /// `create`, `exists` or `invalid`.
    pub fn state(&self) -> &'static str {
        match self.verdict {
            Verdict::Create(_) => "create",
            Verdict::Exists => "exists",
            Verdict::Invalid(_) => "invalid",
        }
    }

    /// Why the row is invalid.
    pub fn problem(&self) -> Option<&Msg> {
        match &self.verdict {
            Verdict::Invalid(why) => Some(why),
            _ => None,
        }
    }
}

/// What became of one row after the confirmation.
pub struct RowResult {
    /// The row.
    pub raw: RawRow,
    /// `ok`, `failed`, `unknown` or `skipped`.
    pub state: &'static str,
    /// What to say.
    pub message: Msg,
    /// The DMS failure, with its code and request id.
    pub problem: Option<ErrorSummary>,
    /// The topic's page (created, or possibly created).
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "topics/import.html", blocks = ["content"])]
struct ImportPage {
    layout: Layout,
    instance_id: String,
    five: bool,
    form: FormView,
    /// Why the file could not be read.
    refusal: Option<Msg>,
    preview: Vec<PreviewRow>,
    /// The rows carried to the confirmation (JSON).
    carried: String,
    results: Vec<RowResult>,
    /// The topic list could not be read whole: "exists" was checked one by one.
    list_note: Option<Msg>,
}
crate::page!(ImportPage);

impl ImportPage {
    fn count(&self, state: &str) -> usize {
        self.preview.iter().filter(|r| r.state() == state).count()
    }

    fn result_count(&self, state: &str) -> usize {
        self.results.iter().filter(|r| r.state == state).count()
    }

    fn detail(&self, raw: &RawRow) -> String {
        let mut parts = Vec::new();
        for value in [&raw.message_type, &raw.permission] {
            if !value.trim().is_empty() {
                parts.push(value.trim().to_owned());
            }
        }
        if !raw.queues.trim().is_empty() {
            parts.push(self.t1("import-queues", "count", raw.queues.trim()));
        }
        if !raw.brokers.trim().is_empty() {
            parts.push(raw.brokers.trim().to_owned());
        }
        parts.join(" · ")
    }
}

/// Splits one CSV line into cells (double quotes, doubled quotes inside).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells.into_iter().map(|c| c.trim().to_owned()).collect()
}

/// The column a header cell names.
fn column(cell: &str) -> Option<&'static str> {
    match cell
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .as_str()
    {
        "name" | "topic" | "topic_name" => Some("name"),
        "message_type" | "type" => Some("message_type"),
        "permission" | "perm" => Some("permission"),
        "queues" | "queue_num" | "queue_count" => Some("queues"),
        "brokers" | "broker" => Some("brokers"),
        "description" | "desc" | "topic_desc" => Some("description"),
        _ => None,
    }
}

fn set(row: &mut RawRow, column: &str, value: String) {
    match column {
        "name" => row.name = value,
        "message_type" => row.message_type = value,
        "permission" => row.permission = value,
        "queues" => row.queues = value,
        "brokers" => row.brokers = value,
        _ => row.description = value,
    }
}

/// The rows of a text file: CSV (with or without a header) or §6.1's `name TYPE` lines.
/// Without a header the second column is the message type on 5.x and the permission on
/// 4.8.0, then the queues, then the description.
fn parse_text(text: &str, five: bool) -> Vec<RawRow> {
    let second = if five { "message_type" } else { "permission" };
    let positional = ["name", second, "queues", "description"];
    let mut header: Option<Vec<Option<&'static str>>> = None;
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<String> = if line.contains(',') {
            csv_cells(line)
        } else {
            let mut words = line.split_whitespace().map(str::to_owned);
            let mut cells: Vec<String> = words.by_ref().take(3).collect();
            let rest: Vec<String> = words.collect();
            if !rest.is_empty() {
                cells.push(rest.join(" "));
            }
            cells
        };
        if rows.is_empty() && header.is_none() && column(&cells[0]) == Some("name") {
            header = Some(cells.iter().map(|c| column(c)).collect());
            continue;
        }
        let mut row = RawRow {
            line: index + 1,
            ..RawRow::default()
        };
        for (at, value) in cells.into_iter().enumerate() {
            let named = match &header {
                Some(columns) => columns.get(at).copied().flatten(),
                None => positional.get(at).copied(),
            };
            if let Some(named) = named {
                set(&mut row, named, value);
            }
        }
        rows.push(row);
    }
    rows
}

fn json_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// The rows of a JSON file, or why it cannot be read.
fn parse_json(text: &str) -> Result<Vec<RawRow>, Msg> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Msg::new("import-bad-json").arg("detail", e.to_string()))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("topics") {
            Some(Value::Array(items)) => items,
            _ => return Err(Msg::new("import-json-shape")),
        },
        _ => return Err(Msg::new("import-json-shape")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let mut row = RawRow {
                line: index + 1,
                ..RawRow::default()
            };
            match item {
                Value::String(name) => row.name = name,
                Value::Object(map) => {
                    for (key, value) in map {
                        if let Some(named) = column(&key) {
                            set(&mut row, named, json_text(&value));
                        }
                    }
                }
                _ => return Err(Msg::new("import-json-shape")),
            }
            Ok(row)
        })
        .collect()
}

/// The rows of an uploaded or pasted file.
fn parse(text: &str, five: bool) -> Result<Vec<RawRow>, Msg> {
    let trimmed = text.trim().trim_start_matches('\u{feff}');
    let rows = if trimmed.starts_with('[') || trimmed.starts_with('{') {
        parse_json(trimmed)?
    } else {
        parse_text(trimmed, five)
    };
    if rows.is_empty() {
        return Err(Msg::new("import-empty"));
    }
    if rows.len() > MAX_ROWS {
        return Err(Msg::new("import-too-many")
            .arg("count", rows.len())
            .arg("max", MAX_ROWS));
    }
    Ok(rows)
}

/// The create request of a row, or why it is invalid.
fn check_row(row: &RawRow, five: bool, brokers: &[String]) -> Result<CreateTopicReq, Msg> {
    let name = TopicName::try_from(row.name.trim())
        .map_err(|invalid| crate::web::forms::name_message(&invalid))?;
    let queues = match row.queues.trim() {
        "" => DEFAULT_QUEUES as u32,
        text => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=50).contains(n))
            .ok_or_else(|| Msg::new("import-bad-queues").arg("value", text))?,
    };
    if row.description.chars().count() > DESCRIPTION_MAX {
        return Err(Msg::new("form-too-long").arg("max", DESCRIPTION_MAX));
    }
    let mut body = CreateTopicReq {
        name: name.to_string(),
        ..CreateTopicReq::default()
    };
    if five {
        let kind = match row.message_type.trim().to_ascii_uppercase().as_str() {
            "" => "NORMAL".to_owned(),
            kind if MESSAGE_TYPES.contains(&kind) => kind.to_owned(),
            other => return Err(Msg::new("import-bad-type").arg("value", other)),
        };
        if !matches!(row.permission.trim(), "" | "all") || !row.brokers.trim().is_empty() {
            return Err(Msg::new("import-48-only"));
        }
        body.message_type = Some(kind);
        body.queue_num = Some(queues);
    } else {
        if !row.message_type.trim().is_empty() {
            return Err(Msg::new("import-5x-only"));
        }
        let permission = match row.permission.trim().to_ascii_lowercase().as_str() {
            "" => "all".to_owned(),
            p if PERMISSIONS.contains(&p) => p.to_owned(),
            other => return Err(Msg::new("import-bad-permission").arg("value", other)),
        };
        let chosen: Vec<String> = row
            .brokers
            .split(|c: char| c.is_whitespace() || c == ';' || c == '|')
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(unknown) = chosen.iter().find(|b| !brokers.contains(b)) {
            return Err(Msg::new("topic-broker-unknown").arg("broker", unknown.as_str()));
        }
        let chosen = if chosen.is_empty() {
            brokers.to_vec()
        } else {
            chosen
        };
        body.queues = Some(
            chosen
                .iter()
                .map(|b| TopicQueues {
                    broker: b.clone(),
                    queue_num: queues,
                })
                .collect(),
        );
        body.brokers = Some(chosen);
        body.permission = Some(permission);
    }
    Ok(body)
}

/// The verdict of every row: invalid ones, names that repeat in the file, names that exist.
async fn judge(
    user: &CurrentUser,
    id: &InstanceId,
    rows: Vec<RawRow>,
    five: bool,
    brokers: &[String],
) -> (Vec<PreviewRow>, Option<Msg>) {
    let mut seen = BTreeSet::new();
    let mut judged: Vec<PreviewRow> = rows
        .into_iter()
        .map(|raw| {
            let verdict = match check_row(&raw, five, brokers) {
                Ok(_) if !seen.insert(raw.name.trim().to_owned()) => {
                    Verdict::Invalid(Msg::new("import-repeated"))
                }
                Ok(body) => Verdict::Create(Box::new(body)),
                Err(why) => Verdict::Invalid(why),
            };
            PreviewRow { raw, verdict }
        })
        .collect();
    let (known, note) = match catalog::load(user, id, true, LIST_DEADLINE).await {
        Ok(catalog) if !catalog.incomplete() => (
            Some(
                catalog
                    .listing
                    .topics
                    .iter()
                    .map(|t| t.name.clone())
                    .collect::<BTreeSet<_>>(),
            ),
            None,
        ),
        _ => (None, Some(Msg::new("import-checked-one-by-one"))),
    };
    let exists: Vec<bool> = futures_util::stream::iter(judged.iter())
        .map(|row| {
            let known = known.as_ref();
            async move {
                let Verdict::Create(body) = &row.verdict else {
                    return false;
                };
                match known {
                    Some(names) => names.contains(&body.name),
                    // The list could not be read whole: ask for each topic.
                    None => user
                        .budget(id)
                        .run(user.dms.show_topic(id.as_str(), &body.name))
                        .await
                        .is_ok(),
                }
            }
        })
        .buffered(CREATES_AT_ONCE)
        .collect()
        .await;
    for (row, exists) in judged.iter_mut().zip(exists) {
        if exists {
            row.verdict = Verdict::Exists;
        }
    }
    (judged, note)
}

/// The fields of the posted form, from a multipart body (with the file) or an urlencoded one.
struct Posted {
    text: String,
    step: String,
    op: String,
    rows: String,
}

fn posted(fields: Fields) -> Posted {
    let file = fields
        .file("file")
        .map(|part| part.text().into_owned())
        .unwrap_or_default();
    Posted {
        // A chosen file wins over pasted text.
        text: if file.trim().is_empty() {
            fields.text("text")
        } else {
            file
        },
        step: fields.text("step"),
        op: fields.text("op"),
        rows: fields.text("rows"),
    }
}

async fn import_page(
    user: &CurrentUser,
    id: &InstanceId,
) -> Result<(ImportPage, Vec<String>), WebError> {
    let (instance, nav) = instance_and_nav(user, id, Tab::Topics).await?;
    let five = is_5x(&instance);
    let brokers = if five {
        Vec::new()
    } else {
        broker_names(user, id)
            .await
            .map_err(|e| WebError::upstream("op-list-brokers", e))?
    };
    let mut form = FormView::empty(user.ui.lang);
    form.set("op", new_op_id());
    Ok((
        ImportPage {
            layout: topic_layout(user, nav, "import-title", None, Some("import-title")),
            instance_id: id.to_string(),
            five,
            form,
            refusal: None,
            preview: Vec::new(),
            carried: String::new(),
            results: Vec::new(),
            list_note: None,
        },
        brokers,
    ))
}

/// `GET /instances/{instance_id}/import-topics`.
pub async fn import_topics_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let id = path.into_inner().instance_id;
    let (page, _) = import_page(&user, &id).await?;
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/import-topics`: previews a file (multipart upload or
/// pasted text), or (`step=confirm`) creates the rows the preview carried.
pub async fn import_topics(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let id = path.into_inner().instance_id;
    let posted = posted(body::form(&request, payload, UPLOAD_LIMIT).await?);
    let (mut page, brokers) = import_page(&user, &id).await?;
    let rows = if posted.step == "confirm" {
        serde_json::from_str::<Vec<RawRow>>(&posted.rows)
            .map_err(|_| Msg::new("import-bad-carry"))
            .and_then(|rows| {
                if rows.len() > MAX_ROWS {
                    Err(Msg::new("import-too-many")
                        .arg("count", rows.len())
                        .arg("max", MAX_ROWS))
                } else {
                    Ok(rows)
                }
            })
    } else {
        parse(&posted.text, page.five)
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(why) => {
            page.refusal = Some(why);
            page.form.set("text", posted.text);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (judged, note) = judge(&user, &id, rows, page.five, &brokers).await;
    page.list_note = note;
    if posted.step != "confirm" {
        let to_carry: Vec<&RawRow> = judged.iter().map(|r| &r.raw).collect();
        page.carried = serde_json::to_string(&to_carry).unwrap_or_default();
        page.preview = judged;
        return render_page(hx, StatusCode::OK, &page);
    }
    page.results = create_all(&request, &user, &id, &posted.op, judged).await;
    user.state.lists.invalidate(id.as_str());
    let status = if page
        .results
        .iter()
        .any(|r| r.state == "failed" || r.state == "unknown")
    {
        StatusCode::MULTI_STATUS
    } else {
        StatusCode::OK
    };
    render_page(hx, status, &page)
}

/// Creates every row that is still new, a few at a time, each with its own audited call and
/// operation id (`{op}-{row}`), so that the confirmation sent twice creates nothing twice.
async fn create_all(
    request: &HttpRequest,
    user: &CurrentUser,
    id: &InstanceId,
    op: &str,
    judged: Vec<PreviewRow>,
) -> Vec<RowResult> {
    futures_util::stream::iter(judged.into_iter().enumerate())
        .map(|(index, row)| async move {
            let body = match row.verdict {
                Verdict::Create(body) => body,
                Verdict::Exists => {
                    return RowResult {
                        href: Some(topic_href(id.as_str(), row.raw.name.trim())),
                        raw: row.raw,
                        state: "skipped",
                        message: Msg::new("import-skipped-exists"),
                        problem: None,
                    };
                }
                Verdict::Invalid(why) => {
                    return RowResult {
                        raw: row.raw,
                        state: "skipped",
                        message: Msg::new("import-skipped-invalid").arg("why", why),
                        problem: None,
                        href: None,
                    };
                }
            };
            create_one(request, user, id, &format!("{op}-{index}"), row.raw, *body).await
        })
        .buffered(CREATES_AT_ONCE)
        .collect()
        .await
}

async fn create_one(
    request: &HttpRequest,
    user: &CurrentUser,
    id: &InstanceId,
    op: &str,
    raw: RawRow,
    body: CreateTopicReq,
) -> RowResult {
    let href = topic_href(id.as_str(), &body.name);
    let action = Audited::new(
        request,
        user,
        Permission::ManageTopics,
        "CreateTopicOrBatchDeleteTopic",
        format!("instance/{id}/topic/{}", body.name),
        serde_json::to_value(&body).unwrap_or_default(),
        op,
    );
    let created = audited(
        action,
        user.budget(id)
            .run(user.dms.create_topic(id.as_str(), &body)),
    )
    .await;
    let failed = |error: &ApiError, state| RowResult {
        raw: raw.clone(),
        state,
        message: Msg::new(if state == "unknown" {
            "import-unknown"
        } else {
            "import-failed"
        }),
        problem: Some(ErrorSummary::upstream("op-create-topic", error).check_state_at(&href)),
        href: (state == "unknown").then(|| href.clone()),
    };
    match created {
        Err(refused) => RowResult {
            raw,
            state: "skipped",
            message: Msg::new("import-not-sent").arg("why", refused.summary().message),
            problem: None,
            href: None,
        },
        Ok(Err(error)) if error.outcome_unknown => failed(&error, "unknown"),
        Ok(Err(error)) => failed(&error, "failed"),
        Ok(Ok(_)) if raw.description.trim().is_empty() => RowResult {
            raw,
            state: "ok",
            message: Msg::new("import-created"),
            problem: None,
            href: Some(href),
        },
        Ok(Ok(_)) => describe(request, user, id, op, raw, &body.name, href).await,
    }
}

/// The description of a created row: a second audited change (DMS takes it on update only).
async fn describe(
    request: &HttpRequest,
    user: &CurrentUser,
    id: &InstanceId,
    op: &str,
    raw: RawRow,
    name: &str,
    href: String,
) -> RowResult {
    let description = raw.description.trim().to_owned();
    let action = Audited::new(
        request,
        user,
        Permission::ManageTopics,
        "UpdateTopic",
        format!("instance/{id}/topic/{name}"),
        serde_json::json!({"topic_desc": description}),
        &format!("{op}-d"),
    );
    let body = UpdateTopicReq {
        topic_desc: Some(description),
        ..UpdateTopicReq::default()
    };
    let result = audited(
        action,
        user.budget(id)
            .run(user.dms.update_topic(id.as_str(), name, &body)),
    )
    .await;
    let problem = match result {
        Ok(Ok(_)) => None,
        Ok(Err(error)) => Some(ErrorSummary::upstream("op-save-topic-description", &error)),
        Err(refused) => Some(refused.summary()),
    };
    RowResult {
        raw,
        state: "ok",
        message: Msg::new(if problem.is_some() {
            "import-created-without-description"
        } else {
            "import-created"
        }),
        problem,
        href: Some(href),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_text_format_csv_with_a_header_and_json_read_alike() {
        let text = parse_text(
            "topic-test01 NORMAL\n# comment\n\ntopic-test02 FIFO\n",
            true,
        );
        assert_eq!(text.len(), 2);
        assert_eq!(
            (
                text[1].name.as_str(),
                text[1].message_type.as_str(),
                text[1].line
            ),
            ("topic-test02", "FIFO", 4)
        );
        let csv = parse_text(
            "Name,Queues,Description\norders,5,\"Orders, all of them\"\n",
            true,
        );
        assert_eq!(csv.len(), 1);
        assert_eq!(
            (csv[0].queues.as_str(), csv[0].description.as_str()),
            ("5", "Orders, all of them")
        );
        let on_48 = parse_text("orders,pub,4", false);
        assert_eq!(
            (on_48[0].permission.as_str(), on_48[0].queues.as_str()),
            ("pub", "4")
        );
        let json = parse(
            r#"{"topics": ["a-one", {"name": "b-two", "type": "DELAY", "queues": 2}]}"#,
            true,
        )
        .unwrap();
        assert_eq!(
            (json[1].message_type.as_str(), json[1].queues.as_str()),
            ("DELAY", "2")
        );
        assert!(parse("{\"x\": 1}", true).is_err());
        assert!(parse("  \n# nothing\n", true).is_err());
    }

    #[test]
    fn rows_are_checked_against_the_instance_version() {
        let row = |name: &str, kind: &str, permission: &str| RawRow {
            name: name.into(),
            message_type: kind.into(),
            permission: permission.into(),
            ..RawRow::default()
        };
        let five = check_row(&row("orders", "fifo", ""), true, &[]).unwrap();
        assert_eq!(five.message_type.as_deref(), Some("FIFO"));
        assert!(check_row(&row("orders", "", "pub"), true, &[]).is_err());
        assert!(check_row(&row("orders", "NORMAL", ""), false, &["broker-0".into()]).is_err());
        let old = check_row(&row("orders", "", ""), false, &["broker-0".into()]).unwrap();
        assert_eq!(old.brokers, Some(vec!["broker-0".to_owned()]));
        assert_eq!(old.permission.as_deref(), Some("all"));
        assert!(check_row(&row("a b", "", ""), true, &[]).is_err());
        let bad_queues = RawRow {
            queues: "99".into(),
            ..row("orders", "", "")
        };
        assert!(check_row(&bad_queues, true, &[]).is_err());
    }
}
