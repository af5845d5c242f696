//! The API reference's table of DMS error codes (chapter 9.2), as data: HTTP status, code,
//! the English message, and the Chinese description and suggested action.
//!
//! The emulator answers with these codes and messages; the console explains a code it
//! received in the reader's language.

use std::collections::HashMap;
use std::sync::OnceLock;

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRow {
    /// The HTTP status DMS answers with.
    pub status: u16,
    /// The `error_code`.
    pub code: &'static str,
    /// The English `error_msg`.
    pub message_en: &'static str,
    /// What it means, in Chinese.
    pub description_zh: &'static str,
    /// What to do, in Chinese.
    pub action_zh: &'static str,
}

fn table() -> &'static HashMap<&'static str, ErrorRow> {
    static TABLE: OnceLock<HashMap<&'static str, ErrorRow>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("error-codes.tsv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut fields = line.split('\t').map(str::trim);
                let row = ErrorRow {
                    status: fields.next()?.parse().ok()?,
                    code: fields.next()?,
                    message_en: fields.next()?,
                    description_zh: fields.next().unwrap_or_default(),
                    action_zh: fields.next().unwrap_or_default(),
                };
                Some((row.code, row))
            })
            .collect()
    })
}

/// The row of `code`, when the reference documents it.
pub fn lookup(code: &str) -> Option<&'static ErrorRow> {
    table().get(code.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_codes_have_both_languages() {
        let row = lookup("DMS.00400026").expect("documented");
        assert_eq!(row.status, 400);
        assert!(row.message_en.contains("instance status"));
        assert_eq!(row.description_zh, "当前的实例状态不支持该操作。");
        assert!(lookup("DMS.99999999").is_none());
        assert!(table().values().all(|r| !r.message_en.is_empty()));
    }
}
