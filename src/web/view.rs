//! What templates call: the [`Localized`] helpers every page and fragment has (`t(...)` for
//! catalogue text, `v(...)` for values from DMS or users, `time(...)`, `dur(...)`, status
//! names), and the HTML-safe wrappers they return.
//!
//! Templates reach these as bare calls (`{{ t("instances-title") }}`, `{{ v(row.name) }}`):
//! askama resolves them to methods of the template struct, which gets them by implementing
//! [`Localized`] (the `page!` and `fragment!` macros of `htmx` do that).

use std::fmt;

use super::i18n::{Arg, Lang, Msg, escape, reveal_bidi};
use super::prefs::Ui;
use super::time::{self, TimeView};

/// A value from DMS or a user, shown isolated from the text around it (`<bdi>`), escaped,
/// with bidi control characters made visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bdi(pub String);

impl fmt::Display for Bdi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<bdi>{}</bdi>", escape(&reveal_bidi(&self.0)))
    }
}

impl askama::filters::HtmlSafe for Bdi {}

/// Milliseconds, however a template holds them.
pub struct Millis(pub i64);

macro_rules! millis_from {
    ($($t:ty),*) => { $(
        impl From<$t> for Millis { fn from(v: $t) -> Self { Millis(v as i64) } }
        impl From<&$t> for Millis { fn from(v: &$t) -> Self { Millis(*v as i64) } }
        impl From<&&$t> for Millis { fn from(v: &&$t) -> Self { Millis(**v as i64) } }
    )* };
}
millis_from!(i64, u64, u32);

/// The badge tone of an instance status.
pub fn status_tone(status: &str) -> &'static str {
    match status {
        "RUNNING" => "ok",
        "CREATING" | "RESTARTING" | "STARTING" | "EXTENDING" | "UPGRADING" | "ROLLINGBACK"
        | "FREEZING" => "busy",
        "ERROR" | "EXTENDEDFAILED" | "FROZEN" | "CREATEFAILED" => "bad",
        _ => "neutral",
    }
}

/// Whether an instance leaves `status` on its own (pages showing it refresh themselves).
pub fn is_transitional(status: &str) -> bool {
    status_tone(status) == "busy"
}

/// The instance statuses of the API reference (table 9-2), plus CREATEFAILED.
pub const INSTANCE_STATUSES: &[&str] = &[
    "CREATING",
    "CREATEFAILED",
    "RUNNING",
    "ERROR",
    "RESTARTING",
    "STARTING",
    "EXTENDING",
    "EXTENDEDFAILED",
    "FROZEN",
    "FREEZING",
    "UPGRADING",
    "ROLLINGBACK",
];

/// The helpers every template has. Implementors say where their [`Ui`] is.
pub trait Localized {
    /// The reader's language, zone and theme.
    fn ui(&self) -> &Ui;

    /// The reader's language.
    fn lang(&self) -> Lang {
        self.ui().lang
    }

    /// Catalogue text.
    fn t(&self, key: &str) -> String {
        self.lang().t(key)
    }

    /// Catalogue text with one argument.
    fn t1<A: Into<Arg>>(&self, key: &'static str, name: &'static str, value: A) -> String {
        self.lang().msg(&Msg::new(key).arg(name, value))
    }

    /// Catalogue text with two arguments.
    fn t2<A: Into<Arg>, B: Into<Arg>>(
        &self,
        key: &'static str,
        name_a: &'static str,
        a: A,
        name_b: &'static str,
        b: B,
    ) -> String {
        self.lang()
            .msg(&Msg::new(key).arg(name_a, a).arg(name_b, b))
    }

    /// A prepared message.
    fn msg(&self, msg: &Msg) -> String {
        self.lang().msg(msg)
    }

    /// A value from DMS or a user, isolated and escaped.
    fn v<T: fmt::Display + ?Sized>(&self, value: &T) -> Bdi {
        Bdi(value.to_string())
    }

    /// An instant in the reader's zone, with the UTC instant as its title.
    fn time<M: Into<Millis>>(&self, ms: M) -> TimeView {
        self.ui().zone.at(ms.into().0)
    }

    /// A duration in words.
    fn dur<M: Into<Millis>>(&self, ms: M) -> String {
        time::duration(ms.into().0, self.lang())
    }

    /// What an instance status means, in the reader's language.
    fn status_meaning(&self, status: &str) -> String {
        match INSTANCE_STATUSES.iter().find(|s| **s == status) {
            Some(known) => self.lang().t(&format!("status-{known}")),
            None => self.lang().t("status-undocumented"),
        }
    }

    /// An instance status's name, in the reader's language (unknown statuses as DMS sent them).
    fn status_name(&self, status: &str) -> String {
        match INSTANCE_STATUSES.iter().find(|s| **s == status) {
            Some(known) => self.lang().t(&format!("statusname-{known}")),
            None => status.to_owned(),
        }
    }

    /// The badge tone of an instance status.
    fn tone(&self, status: &str) -> &'static str {
        status_tone(status)
    }

    /// What a DMS error code means and what to do, from the API reference.
    fn explain(&self, code: &str) -> Option<String> {
        self.lang().dms_explanation(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_isolated_escaped_and_revealed() {
        assert_eq!(
            Bdi("<b>x\u{202E}y</b>".into()).to_string(),
            "<bdi>&lt;b&gt;x\\u202Ey&lt;/b&gt;</bdi>"
        );
    }

    #[test]
    fn statuses_have_tones() {
        assert_eq!(status_tone("RUNNING"), "ok");
        assert!(is_transitional("CREATING"));
        assert!(!is_transitional("ERROR"));
        assert_eq!(status_tone("MYSTERY"), "neutral");
    }
}
