//! The `/audit` page (admins): the log filtered by user, action, target and time, paged, and
//! exported as CSV or JSON with the same filters (`?format=csv|json`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use super::{Filter, Record};
use crate::web::error::WebError;
use crate::web::export::{self, Cell, Format};
use crate::web::forms::FormErrors;
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Section};
use crate::web::list::{ListParams, ListSpec, Pager};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::state::AppState;
use crate::web::time::Zone;

/// The audit log pages 50 records at a time by default, up to 200.
const SPEC: ListSpec = ListSpec {
    default_limit: 50,
    max_limit: 200,
    sortable: &[],
};

/// An export holds at most this many records.
const EXPORT_LIMIT: u64 = 100_000;

/// A time filter: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]` in the reader's zone. A date alone
/// means its first moment (`from`) or its last (`to`).
fn parse_time(zone: &Zone, text: &str, end_of_day: bool) -> Result<Option<i64>, Msg> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let with_time = if text.len() == 10 {
        if end_of_day {
            format!("{text}T23:59:59.999")
        } else {
            format!("{text}T00:00:00")
        }
    } else {
        text.to_owned()
    };
    zone.parse_local(&with_time)
        .map(Some)
        .ok_or_else(|| Msg::new("audit-bad-time").arg("input", text))
}

/// The filter of `params`, or the messages of the fields that cannot be read.
fn filter_of(params: &ListParams, zone: &Zone) -> (Filter, FormErrors) {
    let mut errors = FormErrors::new();
    let mut time = |field: &str, end: bool| match parse_time(zone, params.filter(field), end) {
        Ok(ms) => ms,
        Err(message) => {
            errors.add(field, message);
            None
        }
    };
    let from_ms = time("from", false);
    let to_ms = time("to", true);
    let filter = Filter {
        user: params.filter("user").to_owned(),
        action: params.filter("action").to_owned(),
        target: params.filter("target").to_owned(),
        from_ms,
        to_ms,
    };
    (filter, errors)
}

#[derive(Template)]
#[template(path = "audit/list.html", blocks = ["content"])]
struct AuditPage {
    layout: Layout,
    form: crate::web::forms::FormView,
    rows: Result<Vec<Record>, crate::web::error::ErrorSummary>,
    pager: Pager,
    empty: Msg,
}
crate::page!(AuditPage);

impl AuditPage {
    /// The catalogue key of an outcome's name.
    fn outcome_key(&self, outcome: &str) -> &'static str {
        match outcome {
            "ok" => "outcome-ok",
            "failed" => "outcome-failed",
            "unknown" => "outcome-unknown",
            _ => "outcome-pending",
        }
    }
}

/// `GET /audit` (`?format=csv|json` exports every matching record).
pub async fn list_audit(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ReadAudit)?;
    let params = ListParams::parse(request.query_string(), SPEC);
    let (filter, errors) = filter_of(&params, &user.ui.zone);
    if let Some(format) = Format::requested(request.query_string()) {
        // An unreadable date must not silently widen the export to every record.
        if let Some(problem) = errors.fields().next().and_then(|field| errors.get(field)) {
            return Err(WebError::Invalid(
                Msg::new("audit-export-refused").arg("detail", problem.clone()),
            ));
        }
        return Ok(export_records(&state, format, filter));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let audit = &state.audit;
    let (total, records) = tokio::join!(
        audit.count(filter.clone()),
        audit.search(filter, u64::from(params.offset), params.limit)
    );
    let rows = match (total, records) {
        (Ok(total), Ok(records)) => Ok((total, records)),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (rows, total) = match rows {
        Ok((total, records)) => (Ok(records), Some(total)),
        Err(e) => {
            tracing::error!(error = %e, "the audit log cannot be searched");
            (
                Err(crate::web::error::ErrorSummary::new(
                    Msg::new("audit-unreadable-title"),
                    Msg::new("audit-unreadable").arg("detail", e.to_string()),
                )),
                None,
            )
        }
    };
    let shown = rows.as_ref().map(Vec::len).unwrap_or(0);
    let filtered = !params.filters.is_empty();
    let form_values: std::collections::BTreeMap<String, String> =
        params.filters.iter().cloned().collect();
    let page = AuditPage {
        layout: Layout::for_user(&user, "audit-title", Section::Audit).crumb("audit-title", None),
        form: crate::web::forms::FormView::of(user.ui.lang, &form_values, errors),
        empty: Msg::new(if filtered {
            "audit-empty-filtered"
        } else {
            "audit-empty"
        }),
        pager: Pager::new("/audit", params, shown, total),
        rows,
    };
    let status = if page.rows.is_err() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        status
    };
    render_page(hx, status, &page)
}

/// The columns of an export.
const COLUMNS: &[&str] = &[
    "id",
    "time_utc",
    "actor",
    "role",
    "client",
    "action",
    "operation",
    "target",
    "params",
    "outcome",
    "detail",
    "request_id",
];

/// Streams every record matching `filter`, newest first, a page at a time.
fn export_records(state: &AppState, format: Format, filter: Filter) -> HttpResponse {
    const PAGE: u32 = 500;
    let audit = state.audit.clone();
    let pages = futures_util::stream::unfold(Some(0u64), move |offset| {
        let audit = audit.clone();
        let filter = filter.clone();
        async move {
            let offset = offset?;
            if offset >= EXPORT_LIMIT {
                return None;
            }
            match audit.search(filter, offset, PAGE).await {
                Ok(records) if records.is_empty() => None,
                Ok(records) => {
                    let next = (records.len() == PAGE as usize).then_some(offset + u64::from(PAGE));
                    Some((Ok(records), next))
                }
                Err(e) => Some((Err(WebError::unexpected(e.to_string())), None)),
            }
        }
    });
    let rows = pages.flat_map(|page| {
        let rows: Vec<Result<Vec<Cell>, WebError>> = match page {
            Ok(records) => records.into_iter().map(|r| Ok(record_cells(r))).collect(),
            Err(e) => vec![Err(e)],
        };
        futures_util::stream::iter(rows)
    });
    export::export(format, "audit", COLUMNS, rows)
}

fn record_cells(r: Record) -> Vec<Cell> {
    vec![
        Cell::Number(r.id),
        Cell::Time(r.at_ms),
        r.actor.into(),
        r.role.into(),
        r.client.into(),
        r.action.into(),
        r.operation.into(),
        r.target.into(),
        r.params.into(),
        r.outcome.into(),
        r.detail.into(),
        r.request_id.into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_times_are_read_in_the_readers_zone() {
        let shanghai = Zone::named("Asia/Shanghai").unwrap();
        assert_eq!(
            parse_time(&Zone::utc(), "2024-04-16", false).unwrap(),
            Some(1_713_225_600_000)
        );
        assert_eq!(
            parse_time(&shanghai, "2024-04-16", false).unwrap(),
            Some(1_713_225_600_000 - 8 * 3_600_000)
        );
        assert_eq!(
            parse_time(&Zone::utc(), "2024-04-16", true).unwrap(),
            Some(1_713_225_600_000 + 86_400_000 - 1)
        );
        assert_eq!(
            parse_time(&Zone::utc(), "2024-04-16T09:53", false).unwrap(),
            Some(1_713_261_180_000)
        );
        assert!(parse_time(&Zone::utc(), "last tuesday", false).is_err());
        assert_eq!(parse_time(&Zone::utc(), " ", false).unwrap(), None);
    }
}
