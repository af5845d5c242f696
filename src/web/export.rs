//! CSV and JSON export of any list, streamed.
//!
//! A list handler that sees `format=csv` or `format=json` hands its rows (as a stream, so a
//! long list is never held in memory) to [`export`]. CSV cells that a spreadsheet would run
//! as a formula (starting with `=`, `+`, `-`, `@`, TAB or CR) are prefixed with `'`; text
//! cells have their bidi control characters made visible in both formats; times are exact UTC
//! instants. When reading the rows fails half-way the download is cut off rather than ended
//! cleanly, so an incomplete file never looks complete.

use actix_web::HttpResponse;
use actix_web::http::header;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::error::WebError;
use super::i18n::reveal_bidi;
use super::time::utc_iso;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}

impl Format {
    /// The format a query string asks for (`format=csv` or `format=json`), if any.
    pub fn requested(query: &str) -> Option<Self> {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "format")
            .and_then(|(_, value)| match value.as_ref() {
                "csv" => Some(Self::Csv),
                "json" => Some(Self::Json),
                _ => None,
            })
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// One value of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (from DMS, a user or the console).
    Text(String),
    /// A whole number.
    Number(i64),
    /// An instant (Unix milliseconds), exported as UTC ISO 8601.
    Time(i64),
    /// Yes or no.
    Bool(bool),
    /// Nothing known.
    Empty,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_owned())
    }
}

impl From<&String> for Cell {
    fn from(text: &String) -> Self {
        Cell::Text(text.clone())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n)
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Self {
        Cell::Bool(b)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map(Into::into).unwrap_or(Cell::Empty)
    }
}

/// One CSV field: neutralised when a spreadsheet would run it as a formula, quoted when needed.
pub fn csv_field(value: &str) -> String {
    let value = reveal_bidi(value);
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.into_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn csv_line(cells: &[Cell]) -> String {
    let mut line = cells
        .iter()
        .map(|cell| match cell {
            Cell::Text(text) => csv_field(text),
            Cell::Number(n) => n.to_string(),
            Cell::Time(ms) => utc_iso(*ms),
            Cell::Bool(b) => b.to_string(),
            Cell::Empty => String::new(),
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A JSON string with bidi control characters written as `\uXXXX` escapes (the same value,
/// but visible to whoever reads the file).
fn json_string(text: &str) -> String {
    let encoded = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    if text.contains(super::i18n::BIDI_CONTROLS) {
        encoded
            .chars()
            .map(|c| {
                if super::i18n::BIDI_CONTROLS.contains(&c) {
                    format!("\\u{:04x}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        encoded
    }
}

fn json_object(columns: &[&str], cells: &[Cell]) -> String {
    let fields: Vec<String> = columns
        .iter()
        .zip(cells)
        .map(|(name, cell)| {
            let value = match cell {
                Cell::Text(text) => json_string(text),
                Cell::Number(n) => n.to_string(),
                Cell::Time(ms) => json_string(&utc_iso(*ms)),
                Cell::Bool(b) => b.to_string(),
                Cell::Empty => "null".to_owned(),
            };
            format!("{}:{value}", json_string(name))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// Streams `rows` as a download named `name.csv` or `name.json` with `columns` as the header
/// (CSV) or the object keys (JSON).
pub fn export<S>(
    format: Format,
    name: &str,
    columns: &'static [&'static str],
    rows: S,
) -> HttpResponse
where
    S: Stream<Item = Result<Vec<Cell>, WebError>> + 'static,
{
    let header_chunk = match format {
        Format::Csv => csv_line(&columns.iter().map(|c| Cell::from(*c)).collect::<Vec<_>>()),
        Format::Json => "[".to_owned(),
    };
    let mut first = true;
    let body = rows.map(move |row| {
        let cells = row.map_err(|error| {
            tracing::warn!(error = %error, "an export was cut off");
            std::io::Error::other(error.to_string())
        })?;
        let chunk = match format {
            Format::Csv => csv_line(&cells),
            Format::Json => {
                let separator = if first { "\n" } else { ",\n" };
                format!("{separator}{}", json_object(columns, &cells))
            }
        };
        first = false;
        Ok::<Bytes, std::io::Error>(Bytes::from(chunk))
    });
    let footer = match format {
        Format::Csv => None,
        Format::Json => Some(Ok(Bytes::from_static(b"\n]\n"))),
    };
    let stream = futures_util::stream::once(async move { Ok(Bytes::from(header_chunk)) })
        .chain(body)
        .chain(futures_util::stream::iter(footer));
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"dms-console-{name}.{}\"",
                format.extension()
            ),
        ))
        .streaming(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_quotes_doubled() {
        for (input, expected) in [
            ("=1+2", "'=1+2"),
            ("+cmd", "'+cmd"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("rtl\u{202E}txt", "rtl\\u202Etxt"),
        ] {
            assert_eq!(csv_field(input), expected, "{input:?}");
        }
    }

    #[test]
    fn json_rows_keep_types_and_show_bidi_controls() {
        let row = json_object(
            &["name", "count", "at", "ok", "none"],
            &[
                Cell::Text("a\u{202E}b\"".into()),
                Cell::Number(-3),
                Cell::Time(1_713_261_221_000),
                Cell::Bool(true),
                Cell::Empty,
            ],
        );
        assert_eq!(
            row,
            r#"{"name":"a\u202eb\"","count":-3,"at":"2024-04-16T09:53:41.000Z","ok":true,"none":null}"#
        );
        let value: serde_json::Value = serde_json::from_str(&row).unwrap();
        assert_eq!(value["name"], "a\u{202E}b\"");
    }

    #[test]
    fn the_format_comes_from_the_query() {
        assert_eq!(Format::requested("name=x&format=csv"), Some(Format::Csv));
        assert_eq!(Format::requested("format=json"), Some(Format::Json));
        assert_eq!(Format::requested("format=xml"), None);
        assert_eq!(Format::requested(""), None);
    }
}
