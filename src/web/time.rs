//! The one time formatter: instants in the reader's zone with the exact UTC instant beside
//! them, and durations in words ("3 min 12 s").
//!
//! The zone is the reader's choice ([`super::prefs`]): their browser's zone (the default; the
//! browser reports it in a cookie) or UTC. A page never shows a relative time alone.

use std::fmt;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::i18n::{Lang, Msg};

/// The zone times are shown in.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Default for Zone {
    fn default() -> Self {
        Self::utc()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Zone {
    /// UTC.
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// The IANA zone `name` (e.g. `Asia/Shanghai`), when the bundled database knows it.
    pub fn named(name: &str) -> Option<Self> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        if name.eq_ignore_ascii_case("utc") {
            return Some(Self::utc());
        }
        let tz = TimeZone::get(name).ok()?;
        Some(Self {
            name: name.to_owned(),
            tz,
        })
    }

    /// The zone's IANA name (`UTC` for UTC).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is UTC.
    pub fn is_utc(&self) -> bool {
        self.name == "UTC"
    }

    /// The instant `ms` (Unix milliseconds) for display in this zone.
    pub fn at(&self, ms: i64) -> TimeView {
        let Ok(instant) = Timestamp::from_millisecond(ms) else {
            return TimeView {
                local: ms.to_string(),
                utc: ms.to_string(),
                iso: String::new(),
            };
        };
        let utc = instant.to_zoned_datetime(TimeZone::UTC);
        let local = instant.to_zoned_datetime(self.tz.clone());
        TimeView {
            local: if self.is_utc() {
                utc.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
            } else {
                local.strftime("%Y-%m-%d %H:%M:%S %Z").to_string()
            },
            utc: utc.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
            iso: utc_iso(ms),
        }
    }

    /// Minutes east of UTC at the instant `ms` (for the offset shown beside time pickers).
    pub fn offset_minutes(&self, ms: i64) -> i32 {
        Timestamp::from_millisecond(ms)
            .map(|t| self.tz.to_offset(t).seconds() / 60)
            .unwrap_or(0)
    }

    /// Unix milliseconds of a wall-clock time `YYYY-MM-DDTHH:MM[:SS]` (what a
    /// `datetime-local` input sends) read in this zone.
    pub fn parse_local(&self, text: &str) -> Option<i64> {
        let civil: jiff::civil::DateTime = text.trim().parse().ok()?;
        let zoned = civil.to_zoned_datetime(self.tz.clone()).ok()?;
        Some(zoned.timestamp().as_millisecond())
    }

    /// The wall-clock time of `ms` in this zone as `YYYY-MM-DDTHH:MM` (the value of a
    /// `datetime-local` input).
    pub fn local_input(&self, ms: i64) -> String {
        Timestamp::from_millisecond(ms)
            .map(|t| {
                t.to_zoned_datetime(self.tz.clone())
                    .strftime("%Y-%m-%dT%H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    }
}

/// Unix milliseconds as an exact UTC instant, `2024-04-16T09:53:41.123Z` (exports, `datetime`).
pub fn utc_iso(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(TimeZone::UTC)
                .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string()
        })
        .unwrap_or_else(|_| ms.to_string())
}

/// An instant ready for a page: rendered as `<time datetime="…" title="… UTC">local</time>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeView {
    /// In the reader's zone, with the zone's abbreviation.
    pub local: String,
    /// In UTC.
    pub utc: String,
    /// ISO 8601 UTC with milliseconds.
    pub iso: String,
}

impl fmt::Display for TimeView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every part is digits, separators and a zone abbreviation from the tz database;
        // escape anyway, the type promises safe HTML.
        write!(
            f,
            "<time datetime=\"{}\" title=\"{}\">{}</time>",
            super::i18n::escape(&self.iso),
            super::i18n::escape(&self.utc),
            super::i18n::escape(&self.local)
        )
    }
}

impl askama::filters::HtmlSafe for TimeView {}

/// A duration in words, in the two largest units: `3 min 12 s`, `2 h 5 min`, `1 d 3 h`,
/// `250 ms`. Negative durations read as their absolute value.
pub fn duration(ms: i64, lang: Lang) -> String {
    let ms = ms.unsigned_abs();
    if ms < 1000 {
        return lang.msg(&Msg::new("unit-ms").arg("n", ms));
    }
    let seconds = ms / 1000;
    let parts = [
        ("unit-d", seconds / 86_400),
        ("unit-h", seconds / 3600 % 24),
        ("unit-min", seconds / 60 % 60),
        ("unit-s", seconds % 60),
    ];
    let first = parts.iter().position(|(_, n)| *n > 0).unwrap_or(3);
    parts[first..]
        .iter()
        .take(2)
        .filter(|(_, n)| *n > 0)
        .map(|(key, n)| lang.msg(&Msg::new(key).arg("n", *n)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const APRIL_16: i64 = 1_713_261_221_123; // 2024-04-16T09:53:41.123Z

    #[test]
    fn an_instant_reads_in_two_zones_with_the_utc_instant_alongside() {
        let utc = Zone::utc().at(APRIL_16);
        assert_eq!(utc.local, "2024-04-16 09:53:41 UTC");
        assert_eq!(utc.iso, "2024-04-16T09:53:41.123Z");
        let shanghai = Zone::named("Asia/Shanghai").unwrap().at(APRIL_16);
        assert_eq!(shanghai.local, "2024-04-16 17:53:41 CST");
        assert_eq!(shanghai.utc, "2024-04-16 09:53:41 UTC");
        let berlin = Zone::named("Europe/Berlin").unwrap().at(APRIL_16);
        assert_eq!(berlin.local, "2024-04-16 11:53:41 CEST");
        assert_eq!(
            berlin.to_string(),
            "<time datetime=\"2024-04-16T09:53:41.123Z\" title=\"2024-04-16 09:53:41 UTC\">2024-04-16 11:53:41 CEST</time>"
        );
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(Zone::named("Mars/Olympus").is_none());
        assert!(Zone::named("").is_none());
        assert!(Zone::named("utc").unwrap().is_utc());
    }

    #[test]
    fn wall_clock_input_round_trips_through_a_zone() {
        let zone = Zone::named("Asia/Shanghai").unwrap();
        let ms = zone.parse_local("2024-04-16T17:53").unwrap();
        assert_eq!(ms, 1_713_261_180_000);
        assert_eq!(zone.local_input(ms), "2024-04-16T17:53");
        assert_eq!(zone.offset_minutes(ms), 480);
        assert!(zone.parse_local("yesterday").is_none());
    }

    #[test]
    fn durations_use_the_two_largest_units() {
        assert_eq!(duration(192_000, Lang::En), "3 min 12 s");
        assert_eq!(duration(7_500_000, Lang::En), "2 h 5 min");
        assert_eq!(duration(97_200_000, Lang::En), "1 d 3 h");
        assert_eq!(duration(3_600_000, Lang::En), "1 h");
        assert_eq!(duration(250, Lang::En), "250 ms");
        assert_eq!(duration(-61_000, Lang::En), "1 min 1 s");
        assert_eq!(duration(192_000, Lang::ZhCn), "3 分 12 秒");
    }
}
