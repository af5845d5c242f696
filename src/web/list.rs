//! Lists: paging, sorting, filters in the query string, and the links between them.
//!
//! Every list view is a shareable link: [`ListParams`] reads `offset`, `limit`, `sort` and
//! `dir` leniently from the query string (a malformed number falls back to the default, a
//! limit is clamped to what DMS allows), and the page's own filters stay in the query string
//! too. [`Pager`] says "showing a–b of N" and builds the previous/next, sort and export links
//! with every other parameter kept, in a stable order. `templates/_pager.html` draws it.

use super::i18n::Msg;

/// How a list pages: its default page size and the largest DMS allows.
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// The page size when none is asked for.
    pub default_limit: u32,
    /// The largest page size (DMS lists page at most 50 at a time).
    pub max_limit: u32,
    /// Columns that may be sorted on (the first is the default when `sort` is absent).
    pub sortable: &'static [&'static str],
}

impl ListSpec {
    /// A DMS list: 20 by default, at most 50.
    pub const DMS: ListSpec = ListSpec {
        default_limit: 20,
        max_limit: 50,
        sortable: &[],
    };
}

/// Offset, limit, sort and the page's other query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    /// Rows to skip.
    pub offset: u32,
    /// Rows per page.
    pub limit: u32,
    /// The column sorted on, when one of the list's sortable columns.
    pub sort: Option<&'static str>,
    /// Descending.
    pub desc: bool,
    /// Every other parameter, in the order given (filters), without empty values.
    pub filters: Vec<(String, String)>,
}

/// Offsets beyond this are treated as this: no DMS list is longer, and the arithmetic stays
/// far from overflow.
const MAX_OFFSET: u32 = 10_000_000;

impl ListParams {
    /// Reads `query` (a raw query string) for a list paged as `spec`.
    pub fn parse(query: &str, spec: ListSpec) -> Self {
        let mut params = Self {
            offset: 0,
            limit: spec.default_limit,
            sort: None,
            desc: false,
            filters: Vec::new(),
        };
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim();
            match name.as_ref() {
                "offset" => {
                    params.offset = value
                        .parse::<u64>()
                        .map(|o| o.min(u64::from(MAX_OFFSET)) as u32)
                        .unwrap_or(0)
                }
                "limit" => {
                    params.limit = value
                        .parse::<u64>()
                        .map(|l| l.clamp(1, u64::from(spec.max_limit)) as u32)
                        .unwrap_or(spec.default_limit)
                }
                "sort" => params.sort = spec.sortable.iter().find(|s| **s == value).copied(),
                "dir" => params.desc = value == "desc",
                // `format` chooses an export; it is never part of a page's links.
                "format" => {}
                _ if value.is_empty() => {}
                other => {
                    if !params.filters.iter().any(|(n, _)| n == other) {
                        params.filters.push((other.to_owned(), value.to_owned()));
                    }
                }
            }
        }
        params
    }

    /// The value of filter `name` ("" when absent).
    pub fn filter(&self, name: &str) -> &str {
        self.filters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// A column header that sorts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortHeader {
    /// The link that sorts by this column (toggling the direction when it already does).
    pub href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub aria_sort: &'static str,
}

/// One page of a list: which rows are shown out of how many, and the links around it.
#[derive(Debug, Clone)]
pub struct Pager {
    /// The list's path (`/instances`).
    pub path: String,
    /// The parameters of this page.
    pub params: ListParams,
    /// Rows on this page.
    pub shown: u32,
    /// Rows in the whole list, when known.
    pub total: Option<u64>,
    /// Whether the list offers its CSV and JSON exports.
    pub exports: bool,
}

impl Pager {
    /// The page of `path` with `params` that shows `shown` rows of `total`.
    pub fn new(
        path: impl Into<String>,
        params: ListParams,
        shown: usize,
        total: Option<u64>,
    ) -> Self {
        Self {
            path: path.into(),
            params,
            shown: shown.min(u32::MAX as usize) as u32,
            total,
            exports: true,
        }
    }

    /// The same pager without export links (for readers who may not export).
    pub fn without_exports(mut self) -> Self {
        self.exports = false;
        self
    }

    /// The 1-based position of the first row shown (0 when none is).
    pub fn first(&self) -> u64 {
        if self.shown == 0 {
            0
        } else {
            u64::from(self.params.offset) + 1
        }
    }

    /// The position of the last row shown.
    pub fn last(&self) -> u64 {
        u64::from(self.params.offset) + u64::from(self.shown)
    }

    /// Whether the page lies past the end of a non-empty list.
    pub fn past_the_end(&self) -> bool {
        self.shown == 0 && self.params.offset > 0
    }

    /// "Showing a–b of N", or what else is true of this page.
    pub fn summary(&self) -> Option<Msg> {
        match (self.shown, self.total) {
            (0, Some(total)) if total > 0 => Some(Msg::new("pager-past-end").arg("total", total)),
            (0, None) if self.params.offset > 0 => Some(Msg::new("pager-past-end-unknown")),
            (0, _) => None,
            (_, Some(total)) => Some(
                Msg::new("pager-showing")
                    .arg("first", self.first())
                    .arg("last", self.last())
                    .arg("total", total),
            ),
            (_, None) => Some(
                Msg::new("pager-showing-unknown")
                    .arg("first", self.first())
                    .arg("last", self.last()),
            ),
        }
    }

    /// The link to the previous page; past the end, to the last page that has rows.
    pub fn previous_href(&self) -> Option<String> {
        let offset = self.params.offset;
        if offset == 0 {
            return None;
        }
        let limit = self.params.limit;
        let previous = match self.total {
            Some(total) if self.shown == 0 && total > 0 && u64::from(offset) >= total => {
                ((total - 1) / u64::from(limit) * u64::from(limit)) as u32
            }
            Some(0) => 0,
            _ => offset.saturating_sub(limit),
        };
        Some(self.href_at(previous, limit))
    }

    /// The link to the next page, when there are more rows (or may be, when the total is
    /// unknown and this page is full).
    pub fn next_href(&self) -> Option<String> {
        let more = match self.total {
            Some(total) => self.last() < total,
            None => self.shown >= self.params.limit,
        };
        more.then(|| {
            self.href_at(
                self.params.offset.saturating_add(self.params.limit),
                self.params.limit,
            )
        })
    }

    /// This page's own link (every parameter, in the canonical order).
    pub fn self_href(&self) -> String {
        self.href_at(self.params.offset, self.params.limit)
    }

    /// The first page with another page size.
    pub fn limit_href(&self, limit: &u32) -> String {
        self.href_at(0, *limit)
    }

    /// The page sizes offered.
    pub fn limits(&self) -> [u32; 3] {
        [10, 20, 50]
    }

    /// The header of sortable `column`: sorts ascending, or toggles when already sorted on it.
    pub fn sort_header(&self, column: &'static str) -> SortHeader {
        let current = self.params.sort == Some(column);
        let desc = current && !self.params.desc;
        let mut params = self.params.clone();
        params.sort = Some(column);
        params.desc = desc;
        params.offset = 0;
        SortHeader {
            href: build(&self.path, &params, None),
            aria_sort: match (current, self.params.desc) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        }
    }

    /// The export of the whole list (every page) with this page's filters and sort.
    pub fn export_href(&self, format: &str) -> String {
        build(&self.path, &self.params, Some(format))
    }

    fn href_at(&self, offset: u32, limit: u32) -> String {
        let mut params = self.params.clone();
        params.offset = offset;
        params.limit = limit;
        build(&self.path, &params, None)
    }
}

/// `path?filters…&sort=…&dir=…&limit=…&offset=…` (or `&format=…` for an export, without
/// paging).
fn build(path: &str, params: &ListParams, format: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in &params.filters {
        query.append_pair(name, value);
    }
    if let Some(sort) = params.sort {
        query.append_pair("sort", sort);
        query.append_pair("dir", if params.desc { "desc" } else { "asc" });
    }
    match format {
        Some(format) => {
            query.append_pair("format", format);
        }
        None => {
            query.append_pair("limit", &params.limit.to_string());
            query.append_pair("offset", &params.offset.to_string());
        }
    }
    format!("{path}?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    const SPEC: ListSpec = ListSpec {
        default_limit: 20,
        max_limit: 50,
        sortable: &["name", "lag"],
    };

    fn pager(query: &str, shown: usize, total: Option<u64>) -> Pager {
        Pager::new("/things", ListParams::parse(query, SPEC), shown, total)
    }

    #[test]
    fn limits_are_clamped_and_bad_numbers_fall_back() {
        assert_eq!(ListParams::parse("limit=0", SPEC).limit, 1);
        assert_eq!(ListParams::parse("limit=51", SPEC).limit, 50);
        assert_eq!(ListParams::parse("limit=abc&offset=-3", SPEC).limit, 20);
        assert_eq!(ListParams::parse("offset=-3", SPEC).offset, 0);
        assert_eq!(
            ListParams::parse("offset=99999999999", SPEC).offset,
            MAX_OFFSET
        );
        assert_eq!(ListParams::parse("sort=secret", SPEC).sort, None);
    }

    #[test]
    fn a_middle_page_links_both_ways_and_keeps_filters() {
        let page = pager("name=o%26r&status=RUNNING&limit=10&offset=10", 10, Some(45));
        assert_eq!(page.first(), 11);
        assert_eq!(page.last(), 20);
        assert_eq!(
            page.previous_href().unwrap(),
            "/things?name=o%26r&status=RUNNING&limit=10&offset=0"
        );
        assert_eq!(
            page.next_href().unwrap(),
            "/things?name=o%26r&status=RUNNING&limit=10&offset=20"
        );
        assert_eq!(
            Lang::En.msg(&page.summary().unwrap()),
            "Showing 11–20 of 45"
        );
        assert_eq!(
            page.export_href("csv"),
            "/things?name=o%26r&status=RUNNING&format=csv"
        );
    }

    #[test]
    fn past_the_end_previous_goes_to_the_last_page_with_rows() {
        let page = pager("limit=20&offset=100", 0, Some(45));
        assert!(page.past_the_end());
        assert_eq!(page.previous_href().unwrap(), "/things?limit=20&offset=40");
        assert!(page.next_href().is_none());
        assert_eq!(
            Lang::En.msg(&page.summary().unwrap()),
            "This page is past the end of the list: 45 match."
        );
    }

    #[test]
    fn an_unknown_total_offers_next_only_after_a_full_page() {
        let full = pager("limit=10", 10, None);
        assert!(full.next_href().is_some());
        assert_eq!(Lang::En.msg(&full.summary().unwrap()), "Showing 1–10");
        let short = pager("limit=10&offset=10", 4, None);
        assert!(short.next_href().is_none());
        assert_eq!(short.previous_href().unwrap(), "/things?limit=10&offset=0");
    }

    #[test]
    fn an_empty_list_has_no_summary_and_no_links() {
        let empty = pager("", 0, Some(0));
        assert!(empty.summary().is_none());
        assert!(empty.previous_href().is_none());
        assert!(empty.next_href().is_none());
    }

    #[test]
    fn sort_headers_toggle_and_go_back_to_the_first_page() {
        let page = pager("offset=40&sort=name&dir=asc", 20, Some(100));
        let name = page.sort_header("name");
        assert_eq!(name.aria_sort, "ascending");
        assert_eq!(name.href, "/things?sort=name&dir=desc&limit=20&offset=0");
        let lag = page.sort_header("lag");
        assert_eq!(lag.aria_sort, "none");
        assert_eq!(lag.href, "/things?sort=lag&dir=asc&limit=20&offset=0");
    }
}
