//! Small formatting helpers for templates: times, sizes, status badges.

use crate::signing::SdkDate;

/// A Unix-ms time as `YYYY-MM-DD HH:MM:SS UTC` and as ISO 8601 (for `<time datetime>`).
pub fn utc(ms: i64) -> (String, String) {
    let text = SdkDate::from_unix(ms.div_euclid(1000)).to_string();
    let (date, time) = (&text[0..8], &text[9..15]);
    let human = format!(
        "{}-{}-{} {}:{}:{} UTC",
        &date[0..4],
        &date[4..6],
        &date[6..8],
        &time[0..2],
        &time[2..4],
        &time[4..6]
    );
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &date[0..4],
        &date[4..6],
        &date[6..8],
        &time[0..2],
        &time[2..4],
        &time[4..6]
    );
    (human, iso)
}

/// What an instance status means (`api/instance-status.tsv`) and its badge colour.
pub fn status(status: &str) -> (&'static str, &'static str) {
    let meaning = include_str!("instance-status.tsv")
        .lines()
        .skip(1)
        .find_map(|line| {
            line.split_once('\t')
                .filter(|(s, _)| *s == status)
                .map(|(_, m)| m)
        })
        .unwrap_or("Status not documented by the API reference.");
    let tone = match status {
        "RUNNING" => "ok",
        "CREATING" | "RESTARTING" | "STARTING" | "EXTENDING" | "UPGRADING" | "ROLLINGBACK"
        | "FREEZING" => "busy",
        "ERROR" | "EXTENDEDFAILED" | "FROZEN" | "CREATEFAILED" => "bad",
        _ => "neutral",
    };
    (meaning, tone)
}

/// Whether a status is one the instance leaves on its own (the page refreshes itself).
pub fn is_transitional(status: &str) -> bool {
    matches!(
        status,
        "CREATING"
            | "RESTARTING"
            | "STARTING"
            | "EXTENDING"
            | "UPGRADING"
            | "ROLLINGBACK"
            | "FREEZING"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_statuses_format() {
        assert_eq!(
            utc(1_713_261_221_000),
            (
                "2024-04-16 09:53:41 UTC".into(),
                "2024-04-16T09:53:41Z".into()
            )
        );
        assert_eq!(status("RUNNING").1, "ok");
        assert!(
            status("CREATING")
                .0
                .starts_with("Instance is being created")
        );
        assert_eq!(status("MYSTERY").1, "neutral");
    }
}
