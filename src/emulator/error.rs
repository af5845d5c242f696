//! `DmsError`: the emulator's error answer, `{"error_code": …, "error_msg": …}` with the HTTP
//! status the API reference gives for that code.
//!
//! Codes and their statuses and messages come from the reference's error-code table, shipped
//! as data (`src/api/error-codes.tsv`, read through `api::error_table`), so every error the emulator sends is one the real service
//! documents; `detail` may add what exactly was wrong.

/// One error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmsError {
    /// HTTP status.
    pub status: u16,
    /// `error_code`.
    pub code: String,
    /// `error_msg`.
    pub message: String,
}

impl DmsError {
    /// The documented error `code`, with its status and message. An unknown code is a bug in
    /// the emulator and answers 500.
    pub fn of(code: &str) -> Self {
        match crate::api::error_table::lookup(code) {
            Some(row) => Self {
                status: row.status,
                code: code.to_owned(),
                message: row.message_en.to_owned(),
            },
            None => Self {
                status: 500,
                code: "DMS.00500000".to_owned(),
                message: format!("Internal service error (undocumented code {code})."),
            },
        }
    }

    /// An error whose code is not in the DMS table (API gateway codes such as `APIGW.0301`).
    pub fn custom(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// Appends what exactly was wrong to the documented message.
    pub fn detail(mut self, detail: impl AsRef<str>) -> Self {
        let detail = detail.as_ref();
        if !detail.is_empty() {
            self.message = format!("{} {detail}", self.message);
        }
        self
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error_code": self.code, "error_msg": self.message })
    }

    /// 400 `DMS.00400004`: the request body is empty.
    pub fn empty_body() -> Self {
        Self::of("DMS.00400004")
    }

    /// 400 `DMS.00400005`: the body is not JSON or has an invalid field (`detail` says which).
    pub fn bad_body(detail: impl AsRef<str>) -> Self {
        Self::of("DMS.00400005").detail(detail)
    }

    /// 400 `DMS.00400061`/`DMS.00400030`: a malformed instance id.
    pub fn bad_instance_id(id: &str) -> Self {
        Self::of("DMS.00400030").detail(format!("Got `{id}`."))
    }

    /// 404 `DMS.00404022`: no such instance.
    pub fn no_instance() -> Self {
        Self::of("DMS.00404022")
    }

    /// 404 `DMS.00404001`: no such URL.
    pub fn no_route() -> Self {
        Self::of("DMS.00404001")
    }

    /// 405 `DMS.00405001`: the URL exists with other methods.
    pub fn bad_method() -> Self {
        Self::of("DMS.00405001")
    }

    /// 400 `DMS.10240042`: page size out of range.
    pub fn bad_limit(limit: &str, max: u32) -> Self {
        Self::of("DMS.10240042").detail(format!("limit `{limit}` must be 1 to {max}."))
    }

    /// 400 `DMS.10240043`: offset out of range.
    pub fn bad_offset(offset: &str) -> Self {
        Self::of("DMS.10240043")
            .detail(format!("offset `{offset}` must be a non-negative integer."))
    }

    /// 500 `DMS.00500000`, for storage failures.
    pub fn internal(detail: impl AsRef<str>) -> Self {
        Self::of("DMS.00500000").detail(detail)
    }
}

impl From<rusqlite::Error> for DmsError {
    fn from(error: rusqlite::Error) -> Self {
        Self::internal(format!("storage: {error}"))
    }
}

impl std::fmt::Display for DmsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for DmsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_take_status_and_message_from_the_reference_table() {
        let error = DmsError::of("DMS.00404022");
        assert_eq!(
            (error.status, error.message.as_str()),
            (404, "This instance does not exist.")
        );
        assert_eq!(DmsError::of("DMS.10240407").status, 404);
        assert_eq!(DmsError::of("DMS.10240104").status, 401);
        assert_eq!(DmsError::of("NOT.A.CODE").status, 500);
        assert_eq!(
            DmsError::bad_limit("99", 50).message,
            "The number of records on each page for pagination query exceeds the upper limit. limit `99` must be 1 to 50."
        );
    }
}
