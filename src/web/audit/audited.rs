//! Audited actions: [`audited`] wraps every mutating DMS call. It writes the intent first
//! (refusing the action when it cannot), makes the call once, and records the outcome with
//! the DMS request id: `ok`, `failed` with the error code, or `unknown` when no readable answer
//! arrived. [`record_local`] records an action that needs no DMS call.

use std::future::Future;

use actix_web::{HttpRequest, web};
use sha2::{Digest, Sha256};

use crate::api::{ApiError, ErrorKind, Reply};

use super::{Intent, Outcome};
use crate::web::error::WebError;
use crate::web::i18n::Msg;
use crate::web::ledger::{Claim, OpState, is_op_id};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::state::AppState;

/// An action about to be carried out.
pub struct Audited {
    state: web::Data<AppState>,
    intent: Intent,
    sid: String,
    op: String,
}

impl Audited {
    /// Describes `operation` on `target` by `user`, with `params` (never secrets), submitted
    /// with the form's one-time operation id `op` (see `web::ledger`).
    pub fn new(
        request: &HttpRequest,
        user: &CurrentUser,
        permission: Permission,
        operation: &str,
        target: String,
        params: serde_json::Value,
        op: &str,
    ) -> Self {
        let state = user.state.clone();
        let intent = Intent {
            actor: user.record.user.clone(),
            role: user.record.role.to_string(),
            client: crate::web::peer::address(request),
            action: permission.action().to_owned(),
            operation: operation.to_owned(),
            target,
            params,
            session: hex::encode(&Sha256::digest(user.record.sid.as_bytes())[..8]),
        };
        Self {
            state,
            intent,
            sid: user.record.sid.clone(),
            op: op.trim().to_owned(),
        }
    }
}

/// Claims the form's operation id, records the intent, runs `call` once, records the outcome.
/// The outer error means nothing was sent to DMS: the form has no valid operation id, the
/// same operation was submitted before (its fate is in the error), or the audit log refused
/// the intent.
pub async fn audited<T>(
    action: Audited,
    call: impl Future<Output = Result<Reply<T>, ApiError>>,
) -> Result<Result<Reply<T>, ApiError>, WebError> {
    let begun = begin(action).await?;
    let result = call.await;
    begun
        .finish(match &result {
            Ok(_) => OpState::Done,
            Err(error) if error.outcome_unknown => OpState::Unknown,
            Err(_) => OpState::Failed,
        })
        .await;
    let outcome = match &result {
        Ok(reply) => Outcome::Ok {
            request_id: reply.request_id.clone(),
        },
        // Whatever the kind (no answer, a cut body, an undecodable 2xx), DMS may have acted.
        Err(error) if error.outcome_unknown => Outcome::Unknown {
            reason: error.message.clone(),
            request_id: error.request_id.clone(),
        },
        Err(error) => Outcome::Failed {
            code: error.code.clone().unwrap_or_else(|| match error.kind {
                ErrorKind::Transport => "transport".to_owned(),
                other => other.as_str().to_owned(),
            }),
            request_id: error.request_id.clone(),
        },
    };
    begun.record(outcome).await;
    Ok(result)
}

/// Records an action the console carries out itself, without a DMS call (revealing a
/// message body): claims the form's operation id, writes the intent and completes it `ok` at
/// once. Fails like [`audited`] when the action must not happen: no valid operation id, the
/// same form submitted before, or an audit log that refuses the intent.
pub async fn record_local(action: Audited) -> Result<(), WebError> {
    let begun = begin(action).await?;
    begun.finish(OpState::Done).await;
    begun.record(Outcome::Ok { request_id: None }).await;
    Ok(())
}

/// An action whose operation id is claimed and whose intent is recorded: it may happen now.
struct Begun {
    state: web::Data<AppState>,
    sid: String,
    op: String,
    id: i64,
}

/// Claims the action's operation id and records its intent. Fails (and nothing may happen)
/// when the form has no valid operation id, the same operation was submitted before (its fate
/// is in the error), or the audit log refuses the intent (the claim is then released, so the
/// same form may try again).
async fn begin(action: Audited) -> Result<Begun, WebError> {
    if !is_op_id(&action.op) {
        return Err(WebError::Invalid(Msg::new("op-missing")));
    }
    let ledger = &action.state.ledger;
    let claim = ledger
        .claim(&action.sid, &action.op)
        .await
        .map_err(|e| WebError::SessionStore(e.0))?;
    if let Claim::Seen(state) = claim {
        tracing::info!(op = %action.op, operation = %action.intent.operation, "a change was submitted again and not sent");
        return Err(WebError::AlreadySubmitted(state));
    }
    match action.state.audit.intent(action.intent).await {
        Ok(id) => Ok(Begun {
            id,
            state: action.state,
            sid: action.sid,
            op: action.op,
        }),
        Err(e) => {
            ledger.release(&action.sid, &action.op).await;
            Err(WebError::AuditUnavailable(e.to_string()))
        }
    }
}

impl Begun {
    /// Marks the operation id with how the action ended.
    async fn finish(&self, state: OpState) {
        self.state.ledger.finish(&self.sid, &self.op, state).await;
    }

    /// Records the outcome. The action happened; losing its outcome is logged loudly and the
    /// record stays "pending".
    async fn record(&self, outcome: Outcome) {
        if let Err(error) = self.state.audit.outcome(self.id, outcome).await {
            tracing::error!(audit.id = self.id, error = %error, "could not record the outcome of an audited action");
        }
    }
}
