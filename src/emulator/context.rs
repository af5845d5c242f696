//! What an endpoint handler sees: the decoded request (`Req`), its answer (`Resp`) and the
//! per-request context (`Ctx`: the open transaction, the authenticated project, the time and
//! the emulator's random source), plus the lookups and checks every chapter needs.

use rand::rngs::StdRng;
use rusqlite::Transaction;
use serde_json::Value;

use super::error::DmsError;
use super::settings::EmulatorSettings;
use super::store::Docs;

/// A request after authentication: path segments and query pairs are percent-decoded.
#[derive(Debug, Clone)]
pub struct Req {
    /// Upper-case method.
    pub method: String,
    /// Decoded path segments, without the leading empty one.
    pub segments: Vec<String>,
    /// Decoded query pairs in wire order.
    pub query: Vec<(String, String)>,
    /// Headers as received.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Req {
    /// The first value of query parameter `name`.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header value, any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as a JSON object; an empty body or anything but an object is an error.
    pub fn json(&self) -> Result<serde_json::Map<String, Value>, DmsError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(DmsError::empty_body());
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(DmsError::bad_body("The body must be a JSON object.")),
            Err(e) => Err(DmsError::bad_body(format!("({e})"))),
        }
    }

    /// The body as a JSON object, or an empty object when there is no body.
    pub fn json_or_empty(&self) -> Result<serde_json::Map<String, Value>, DmsError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            Ok(serde_json::Map::new())
        } else {
            self.json()
        }
    }

    /// `limit`: absent gives `default`; otherwise 1..=`max` or `DMS.10240042`.
    pub fn limit(&self, default: u32, max: u32) -> Result<u32, DmsError> {
        match self.q("limit") {
            None | Some("") => Ok(default),
            Some(text) => match text.trim().parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(DmsError::bad_limit(text, max)),
            },
        }
    }

    /// `offset`: absent gives 0; otherwise a non-negative integer or `DMS.10240043`.
    pub fn offset(&self) -> Result<u32, DmsError> {
        match self.q("offset") {
            None | Some("") => Ok(0),
            Some(text) => text
                .trim()
                .parse::<u32>()
                .map_err(|_| DmsError::bad_offset(text)),
        }
    }
}

/// An answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// JSON body; `None` sends an empty body.
    pub body: Option<Value>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
}

impl Resp {
    /// 200 with a JSON body.
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// Any status with a JSON body.
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// A status without a body (204 for most updates and deletes, 200 for historical ones).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// What a handler returns: `None` when the route is not this module's.
pub type Routed = Option<Result<Resp, DmsError>>;

/// The per-request context.
pub struct Ctx<'t> {
    /// The request's transaction (committed when the handler succeeds).
    pub tx: &'t Transaction<'t>,
    /// Document access on `tx`.
    pub docs: Docs<'t>,
    /// The project the credentials belong to (empty for unauthenticated routes).
    pub project: String,
    /// The current time in Unix milliseconds.
    pub now_ms: i64,
    /// The emulator's settings.
    pub settings: &'t EmulatorSettings,
    /// The emulator's random source (seeded with `--seed`).
    pub rng: &'t mut StdRng,
}

/// The document kind of instances (scope: project id).
pub const INSTANCE: &str = "instance";

impl Ctx<'_> {
    /// Checks that the path's project is the credentials' project (`DMS.10240104` otherwise).
    pub fn project(&self, path_project: &str) -> Result<(), DmsError> {
        if path_project == self.project {
            Ok(())
        } else {
            Err(DmsError::of("DMS.10240104")
                .detail(format!("The path names project `{path_project}`.")))
        }
    }

    /// The instance `instance_id` of project `path_project`, after checking the project and
    /// the id's shape: `DMS.00400030` for a malformed id, `DMS.00404022` for an unknown one.
    pub fn instance(&self, path_project: &str, instance_id: &str) -> Result<Value, DmsError> {
        self.project(path_project)?;
        if !is_uuid(instance_id) {
            return Err(DmsError::bad_instance_id(instance_id));
        }
        self.docs
            .get(INSTANCE, path_project, instance_id)?
            .ok_or_else(DmsError::no_instance)
    }

    /// A random UUID (version 4 form).
    pub fn uuid(&mut self) -> String {
        use rand::Rng;
        let bytes: [u8; 16] = self.rng.random();
        format_uuid(bytes)
    }

    /// A job id in the reference's form (32 hexadecimal characters), for asynchronous answers.
    pub fn job_id(&mut self) -> String {
        self.uuid().replace('-', "")
    }
}

/// Formats 16 random bytes as a version-4 UUID.
pub fn format_uuid(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Whether `text` has the 8-4-4-4-12 hexadecimal UUID shape.
pub fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Whether `text` is an engine path value (`rocketmq` or its alias `reliability`).
pub fn is_engine(text: &str) -> bool {
    text == "rocketmq" || text == "reliability"
}

/// The page `offset..offset+limit` of `items`, with the SDK's `next_offset`/`previous_offset`
/// (−1 when there is no such page).
pub fn page<T: Clone>(items: &[T], offset: u32, limit: u32) -> (Vec<T>, i64, i64) {
    let start = (offset as usize).min(items.len());
    let end = (start + limit as usize).min(items.len());
    let (next, previous) = neighbours(items.len() as i64, offset, limit);
    (items[start..end].to_vec(), next, previous)
}

/// The SDK's `next_offset` and `previous_offset` of the page `offset..offset+limit` of `total`
/// items (−1 when there is no such page), for pages cut in SQL.
pub fn neighbours(total: i64, offset: u32, limit: u32) -> (i64, i64) {
    let end = (offset as i64 + limit as i64).min(total.max(0));
    let next = if end > offset as i64 && end < total {
        end
    } else {
        -1
    };
    let previous = if offset > 0 {
        (offset as i64 - limit as i64).max(0)
    } else {
        -1
    };
    (next, previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_the_version_4_shape() {
        let id = format_uuid([0xab; 16]);
        assert!(is_uuid(&id), "{id}");
        assert_eq!(&id[14..15], "4");
        assert!(!is_uuid("11c45539-xxxx-xxxx-xxxx-812c41f61f30"));
        assert!(!is_uuid("i-1"));
    }

    #[test]
    fn pages_report_neighbours() {
        let items: Vec<u32> = (0..25).collect();
        assert_eq!(page(&items, 0, 10), ((0..10).collect(), 10, -1));
        assert_eq!(page(&items, 20, 10), ((20..25).collect(), -1, 10));
        assert_eq!(page(&items, 30, 10), (vec![], -1, 20));
        for (offset, limit) in [(0, 10), (5, 10), (15, 10), (20, 10), (25, 10), (30, 7)] {
            let (_, next, previous) = page(&items, offset, limit);
            assert_eq!(
                neighbours(25, offset, limit),
                (next, previous),
                "{offset} {limit}"
            );
        }
    }
}
