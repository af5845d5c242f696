//! The regions of the official SDK and their DMS endpoints, shipped as data (`regions.tsv`).

/// The region table: `(region id, DMS endpoint)`, sorted by region id.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    include_str!("regions.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| line.split_once('\t'))
}

/// The DMS endpoint of `region`, if the SDK knows the region.
pub fn dms_endpoint(region: &str) -> Option<&'static str> {
    all()
        .find(|(id, _)| *id == region)
        .map(|(_, endpoint)| endpoint)
}

/// The IAM endpoint of `region`: the DMS endpoint's host with `iam` in place of `dms`.
pub fn iam_endpoint(region: &str) -> Option<String> {
    dms_endpoint(region).map(|endpoint| endpoint.replacen("https://dms.", "https://iam.", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_the_sdk_regions() {
        assert!(all().count() >= 30);
        assert_eq!(
            dms_endpoint("cn-north-4"),
            Some("https://dms.cn-north-4.myhuaweicloud.com")
        );
        assert_eq!(
            dms_endpoint("eu-west-101"),
            Some("https://dms.eu-west-101.myhuaweicloud.eu")
        );
        assert_eq!(
            iam_endpoint("ap-southeast-1").as_deref(),
            Some("https://iam.ap-southeast-1.myhuaweicloud.com")
        );
        assert_eq!(dms_endpoint("xx-nowhere-1"), None);
    }
}
