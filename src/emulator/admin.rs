//! `/_emulator/…`: the test instruments, served only when `fault_admin` is on and only to
//! loopback clients.
//!
//! * `GET /_emulator/faults` lists the rules in force (with `id`, `fired`, `remaining`);
//!   `PUT` replaces them all (a JSON array); `POST` adds one (a JSON object) and answers 201
//!   with its `id`; `DELETE` removes them all; `DELETE /_emulator/faults/{id}` removes one.
//! * `GET /_emulator/requests` shows the request log (`total`, `operations`: counts per SDK
//!   operation, `log`: the latest requests); `DELETE` resets it.

use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::Emulator;
use super::context::Req;
use super::error::DmsError;
use super::faults::{FaultRule, Wire};

fn ok(status: u16, body: serde_json::Value, request_id: &str) -> HttpResponse {
    Wire::json(status, request_id, Vec::new(), Some(&body)).into_response()
}

fn fail(error: DmsError, request_id: &str) -> HttpResponse {
    Wire::error(&error, request_id).into_response()
}

fn no_content(request_id: &str) -> HttpResponse {
    Wire::json(204, request_id, Vec::new(), None).into_response()
}

/// A rule that parsed but cannot be used: the reason alone, under the bad-body code.
fn refused(why: String) -> DmsError {
    DmsError::custom(400, "DMS.00400005", why)
}

/// Answers an `/_emulator/…` request.
pub fn handle(
    request: &HttpRequest,
    req: &Req,
    emulator: &Emulator,
    request_id: &str,
) -> HttpResponse {
    if !emulator.settings().fault_admin {
        return fail(DmsError::no_route(), request_id);
    }
    let loopback = request
        .peer_addr()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(false);
    if !loopback {
        return fail(
            DmsError::custom(
                403,
                "DMS.00403002",
                "The emulator admin endpoint only answers loopback clients.",
            ),
            request_id,
        );
    }
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    match (req.method.as_str(), &segments[1..]) {
        ("GET", ["faults"]) => ok(200, json!({ "faults": emulator.faults() }), request_id),
        ("PUT", ["faults"]) => match serde_json::from_slice::<Vec<FaultRule>>(&req.body) {
            Ok(rules) => match emulator.set_faults(rules) {
                Ok(active) => ok(200, json!({ "faults": active }), request_id),
                Err(why) => fail(refused(why), request_id),
            },
            Err(e) => fail(
                DmsError::bad_body(format!("expected a JSON array of fault rules ({e})")),
                request_id,
            ),
        },
        ("POST", ["faults"]) => match serde_json::from_slice::<FaultRule>(&req.body) {
            Ok(rule) => match emulator.add_fault(rule) {
                Ok(active) => ok(201, json!({ "id": active.id, "fault": active }), request_id),
                Err(why) => fail(refused(why), request_id),
            },
            Err(e) => fail(
                DmsError::bad_body(format!("expected one fault rule as a JSON object ({e})")),
                request_id,
            ),
        },
        ("DELETE", ["faults"]) => {
            // Replacing with nothing cannot be refused.
            let _ = emulator.set_faults(Vec::new());
            no_content(request_id)
        }
        ("DELETE", ["faults", id]) => match id.parse::<u64>() {
            Ok(id) if emulator.remove_fault(id) => no_content(request_id),
            _ => fail(
                DmsError::custom(
                    404,
                    "DMS.00404001",
                    format!("There is no fault rule with id `{id}`."),
                ),
                request_id,
            ),
        },
        ("GET", ["requests"]) => ok(
            200,
            serde_json::to_value(emulator.request_log().snapshot()).unwrap_or_default(),
            request_id,
        ),
        ("DELETE", ["requests"]) => {
            emulator.request_log().reset();
            no_content(request_id)
        }
        (_, ["faults"] | ["faults", _] | ["requests"]) => fail(DmsError::bad_method(), request_id),
        _ => fail(DmsError::no_route(), request_id),
    }
}
