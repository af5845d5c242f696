//! The `X-Sdk-Date` timestamp: UTC in the basic ISO-8601 form `YYYYMMDDTHHMMSSZ`.
//!
//! Kept free of any clock: callers pass Unix seconds in, so signing stays a pure function and
//! the verifier's skew window is testable with any "now".

use std::fmt;
use std::str::FromStr;

/// A signing time with one-second resolution, as carried in `X-Sdk-Date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SdkDate {
    unix_seconds: i64,
}

/// Why a string is not a valid `X-Sdk-Date`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid X-Sdk-Date `{input}`: expected UTC as YYYYMMDDTHHMMSSZ, e.g. 20240416T095341Z")]
pub struct InvalidSdkDate {
    input: String,
}

impl SdkDate {
    /// The date `unix_seconds` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix(unix_seconds: i64) -> Self {
        Self { unix_seconds }
    }

    /// The current system time. The only clock access in this module; signing never calls it.
    pub fn now() -> Self {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Self::from_unix(seconds)
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.unix_seconds
    }
}

/// Days since 1970-01-01 to a (year, month, day) civil date (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A (year, month, day) civil date to days since 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

impl fmt::Display for SdkDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_seconds.div_euclid(86_400);
        let second_of_day = self.unix_seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
            second_of_day / 3600,
            (second_of_day / 60) % 60,
            second_of_day % 60
        )
    }
}

impl FromStr for SdkDate {
    type Err = InvalidSdkDate;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidSdkDate {
            input: input.to_owned(),
        };
        let bytes = input.as_bytes();
        if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
            return Err(invalid());
        }
        let digits = |range: std::ops::Range<usize>| -> Result<u32, InvalidSdkDate> {
            let part = &input[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| invalid())
            } else {
                Err(invalid())
            }
        };
        let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
        let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            _ => return Err(invalid()),
        };
        if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
            return Err(invalid());
        }
        let days = days_from_civil(i64::from(year), month, day);
        Ok(Self::from_unix(
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_known_instants() {
        for (unix, text) in [
            (0, "19700101T000000Z"),
            (1_713_261_221, "20240416T095341Z"),
            (951_782_400, "20000229T000000Z"),
            (4_102_444_799, "20991231T235959Z"),
        ] {
            assert_eq!(SdkDate::from_unix(unix).to_string(), text);
            assert_eq!(text.parse::<SdkDate>().unwrap().unix_seconds(), unix);
        }
    }

    #[test]
    fn round_trips_every_day_for_four_centuries() {
        let mut unix = -2_208_988_800; // 1900-01-01
        while unix < 10_413_792_000 {
            let text = SdkDate::from_unix(unix + 45_296).to_string();
            assert_eq!(
                text.parse::<SdkDate>().unwrap().unix_seconds(),
                unix + 45_296,
                "{text}"
            );
            unix += 86_400;
        }
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "",
            "20240416T095341",
            "2024-04-16T09:53:41Z",
            "20240230T000000Z",
            "20230229T000000Z",
            "20241316T000000Z",
            "20240416T245341Z",
            "20240416T096041Z",
            "+0240416T095341Z",
        ] {
            assert!(bad.parse::<SdkDate>().is_err(), "{bad} should be rejected");
        }
    }
}
