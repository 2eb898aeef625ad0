//! Logical ids and version ids.

/// Whether `id` is a valid FHIR id: 1 to 64 characters of `A-Z a-z 0-9 - .`.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Parses a version id as this server assigns them (a positive integer).
pub fn parse_version(vid: &str) -> Option<i64> {
    if vid.is_empty() || vid.len() > 18 || !vid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    vid.parse().ok().filter(|v| *v > 0)
}

/// Parses one entity tag as FHIR uses them for versions: `W/"3"`, or `"3"`.
pub fn parse_etag_version(tag: &str) -> Option<i64> {
    let tag = tag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    parse_version(tag.strip_prefix('"')?.strip_suffix('"')?)
}

/// The weak entity tag of a version: `W/"3"`.
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("a"));
        assert!(is_valid_id("123-abc.DEF"));
        assert!(is_valid_id(&"a".repeat(64)));
        assert!(!is_valid_id(&"a".repeat(65)));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id("a/b"));
        assert!(!is_valid_id("a_b"));
    }

    #[test]
    fn etags() {
        assert_eq!(parse_etag_version("W/\"3\""), Some(3));
        assert_eq!(parse_etag_version("\"12\""), Some(12));
        assert_eq!(parse_etag_version(" W/\"1\" "), Some(1));
        assert_eq!(parse_etag_version("W/3"), None);
        assert_eq!(parse_etag_version("W/\"0\""), None);
        assert_eq!(parse_etag_version("W/\"x\""), None);
        assert_eq!(parse_etag_version("W/\"99999999999999999999\""), None);
        assert_eq!(etag(7), "W/\"7\"");
    }
}
