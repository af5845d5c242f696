//! The message catalogue: every string the console shows, in English and Simplified Chinese.
//!
//! The catalogue is Fluent (`src/web/locales/<language>/*.ftl`, compiled into the binary by
//! `fluent-templates`): plural rules and per-language word order come with the format, and the
//! files are plain text a translator can edit. Code never builds visible sentences; it names a
//! message and its arguments ([`Msg`]), and the page renders it in the reader's [`Lang`].
//!
//! Arguments that come from DMS or from a user ([`Arg::Value`]) are wrapped in Unicode isolates
//! (FSI … PDI) and have their bidirectional control characters made visible, so a name cannot
//! reorder the sentence around it. DMS error codes are explained from the API reference's own
//! table (`src/api/error-codes.tsv`, English and Chinese columns).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./src/web/locales",
        fallback_language: "en",
        // Values are isolated by `Arg::Value` itself; Fluent's own isolation would also wrap
        // every number in invisible marks.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static ZH_CN: LanguageIdentifier = langid!("zh-CN");

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Lang {
    /// Every language, in the order the switcher lists them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag (`<html lang>`, the preference cookie, the catalogue directory).
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::En => &EN,
            Self::ZhCn => &ZH_CN,
        }
    }

    /// The language a tag names: `en`, `en-GB`, … are English; `zh`, `zh-CN`, `zh-Hans`,
    /// `zh-SG` are Simplified Chinese. Traditional Chinese and anything else is not offered.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "en" => Some(Self::En),
            "zh" if !["zh-tw", "zh-hk", "zh-mo", "zh-hant"]
                .iter()
                .any(|t| tag.starts_with(t)) =>
            {
                Some(Self::ZhCn)
            }
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header (highest quality first; English
    /// when nothing offered matches).
    pub fn negotiate(accept_language: &str) -> Self {
        let mut offers: Vec<(f32, usize, Lang)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(position, part)| {
                let mut pieces = part.split(';');
                let lang = Lang::from_tag(pieces.next()?)?;
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (quality > 0.0).then_some((quality, position, lang))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offers.first().map(|o| o.2).unwrap_or_default()
    }

    /// The message `key`, or the key marked as missing when the catalogue lacks it.
    pub fn t(self, key: &str) -> String {
        LOCALES
            .try_lookup(self.id(), key)
            .unwrap_or_else(|| missing(key))
    }

    /// A message with its arguments.
    pub fn msg(self, msg: &Msg) -> String {
        if msg.args.is_empty() {
            return self.t(msg.key);
        }
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = msg
            .args
            .iter()
            .map(|(name, arg)| (Cow::Borrowed(*name), arg.fluent(self)))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), msg.key, &args)
            .unwrap_or_else(|| missing(msg.key))
    }

    /// What DMS error `code` means and what to do, from the API reference's table.
    pub fn dms_explanation(self, code: &str) -> Option<String> {
        let row = crate::api::error_table::lookup(code)?;
        Some(match self {
            Self::En => row.message_en.to_owned(),
            Self::ZhCn if row.action_zh.is_empty() => row.description_zh.to_owned(),
            Self::ZhCn => format!("{}{}", row.description_zh, row.action_zh),
        })
    }
}

/// What shows in place of a message the catalogue lacks: the key, marked so that a test walking
/// the pages finds it (the catalogue tests keep it from shipping).
fn missing(key: &str) -> String {
    tracing::warn!(key, "message missing from the catalogue");
    format!("⟦{key}⟧")
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A number (plural rules see it).
    Number(f64),
    /// Text the console itself produced (another message already rendered, a fixed token).
    Text(String),
    /// A value from DMS or a user: isolated and with bidi controls made visible.
    Value(String),
    /// Another message, rendered in the same language.
    Msg(Box<Msg>),
}

impl Arg {
    fn fluent(&self, lang: Lang) -> FluentValue<'static> {
        match self {
            Self::Number(n) => FluentValue::from(*n),
            Self::Text(text) => FluentValue::from(text.clone()),
            Self::Value(value) => FluentValue::from(isolate(value)),
            Self::Msg(msg) => FluentValue::from(lang.msg(msg)),
        }
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => { $(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self { Arg::Number(n as f64) }
        }
        impl From<&$t> for Arg {
            fn from(n: &$t) -> Self { Arg::Number(*n as f64) }
        }
        // What templates hold in loops and matches.
        impl From<&&$t> for Arg {
            fn from(n: &&$t) -> Self { Arg::Number(**n as f64) }
        }
    )* };
}
number_arg!(i32, i64, u16, u32, u64, usize, f64);

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Value(value.to_owned())
    }
}

impl From<&&str> for Arg {
    fn from(value: &&str) -> Self {
        Arg::Value((*value).to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Value(value)
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg::Value(value.clone())
    }
}

impl From<&&String> for Arg {
    fn from(value: &&String) -> Self {
        Arg::Value((*value).clone())
    }
}

impl From<Msg> for Arg {
    fn from(msg: Msg) -> Self {
        Arg::Msg(Box::new(msg))
    }
}

/// A message to show: a catalogue key and its arguments, rendered late in the reader's
/// language.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    /// The catalogue key.
    pub key: &'static str,
    /// Named arguments.
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    /// The message `key` without arguments.
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    /// Adds an argument (numbers as numbers, strings as isolated values).
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// Adds an argument of text the console produced itself (not isolated).
    pub fn text(mut self, name: &'static str, text: impl Into<String>) -> Self {
        self.args.push((name, Arg::Text(text.into())));
        self
    }

    /// The message in English, for logs.
    pub fn english(&self) -> String {
        Lang::En.msg(self)
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Bidirectional control characters: embeddings, overrides, isolates and marks. Shown as
/// `\u202E`-style markers wherever a value is displayed, exported or confirmed, so that text
/// cannot be made to read differently from what it is.
pub const BIDI_CONTROLS: &[char] = &[
    '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

/// `text` with every bidi control character replaced by a visible `\uXXXX` marker.
pub fn reveal_bidi(text: &str) -> Cow<'_, str> {
    if !text.contains(BIDI_CONTROLS) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if BIDI_CONTROLS.contains(&c) {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with every bidi control character written as a `\uXXXX` escape (valid JSON with
/// the same value, since such characters can only occur inside its strings).
pub fn json_reveal(json: &str) -> String {
    if !json.contains(BIDI_CONTROLS) {
        return json.to_owned();
    }
    json.chars()
        .map(|c| {
            if BIDI_CONTROLS.contains(&c) {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `value` revealed and wrapped in a first-strong isolate, for use inside a sentence.
pub fn isolate(value: &str) -> String {
    format!("\u{2068}{}\u{2069}", reveal_bidi(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_offered_language() {
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("fr-FR, en;q=0.5, zh;q=0.4"), Lang::En);
        assert_eq!(Lang::negotiate("de, zh-Hans;q=0.3"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("zh-TW"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate("en;q=0, zh"), Lang::ZhCn);
    }

    #[test]
    fn bidi_controls_become_visible_markers() {
        assert_eq!(reveal_bidi("abc"), "abc");
        assert_eq!(reveal_bidi("a\u{202E}cba"), "a\\u202Ecba");
        assert_eq!(isolate("x\u{2066}"), "\u{2068}x\\u2066\u{2069}");
        assert_eq!(escape("a\"b'c&<>"), "a&quot;b&#x27;c&amp;&lt;&gt;");
    }

    #[test]
    fn messages_render_in_each_language_with_arguments() {
        let msg = Msg::new("pager-showing")
            .arg("first", 1)
            .arg("last", 20)
            .arg("total", 45);
        assert_eq!(Lang::En.msg(&msg), "Showing 1–20 of 45");
        assert_eq!(Lang::ZhCn.msg(&msg), "显示第 1–20 条，共 45 条");
    }
}
