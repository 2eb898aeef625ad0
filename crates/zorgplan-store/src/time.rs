//! Server timestamps: microseconds since the Unix epoch, UTC.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};

/// A point in time as the store keeps it (`meta.lastUpdated`, history order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(Utc::now().timestamp_micros())
    }

    /// The time of a new version written at `self` whose predecessor was written at
    /// `previous`: `self`, or just after the predecessor when that is not earlier (the clock
    /// stepped back), so that versions are ordered in time.
    pub fn after(self, previous: Option<Timestamp>) -> Timestamp {
        match previous {
            Some(p) if p >= self => Timestamp(p.0 + 1),
            _ => self,
        }
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or_default()
    }

    /// FHIR instant, e.g. `2026-11-22T10:15:30.123456Z`.
    pub fn to_instant(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// HTTP-date (RFC 9110), e.g. `Sun, 22 Nov 2026 10:15:30 GMT`.
    pub fn to_http_date(self) -> String {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let t = self.to_datetime();
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            DAYS[t.weekday().num_days_from_monday() as usize],
            t.day(),
            MONTHS[t.month0() as usize],
            t.year(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    /// Whole seconds, as HTTP dates compare.
    pub fn seconds(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// Parses an HTTP-date (If-Modified-Since).
    pub fn parse_http_date(s: &str) -> Option<Timestamp> {
        DateTime::parse_from_rfc2822(s.trim())
            .ok()
            .map(|d| Timestamp(d.timestamp_micros()))
    }

    /// Parses a FHIR instant or dateTime with a time zone, or a date (`_since`); a date
    /// means its first moment in UTC.
    pub fn parse_instant(s: &str) -> Option<Timestamp> {
        if let Ok(d) = DateTime::parse_from_rfc3339(s) {
            return Some(Timestamp(d.timestamp_micros()));
        }
        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        Some(Timestamp(
            date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let t = Timestamp(1_795_000_000_123_456);
        assert_eq!(t.to_instant(), "2026-11-18T11:06:40.123456Z");
        assert_eq!(t.to_http_date(), "Wed, 18 Nov 2026 11:06:40 GMT");
        assert_eq!(Timestamp(0).to_http_date(), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            Timestamp(951_782_400_000_000).to_http_date(),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
        assert_eq!(
            Timestamp::parse_http_date(&t.to_http_date())
                .unwrap()
                .seconds(),
            t.seconds()
        );
        assert_eq!(Timestamp::parse_instant(&t.to_instant()), Some(t));
        assert_eq!(
            Timestamp::parse_instant("2026-11-18T12:06:40.123456+01:00"),
            Some(t)
        );
        assert_eq!(
            Timestamp::parse_instant("2026-11-18").unwrap().to_instant(),
            "2026-11-18T00:00:00.000000Z"
        );
        assert_eq!(Timestamp::parse_instant("2026-13-18"), None);
        assert_eq!(Timestamp::parse_instant("yesterday"), None);
    }

    #[test]
    fn versions_move_forward_in_time() {
        let far = Timestamp(Timestamp::now().0 + 10_000_000);
        let now = Timestamp::now();
        assert_eq!(now.after(Some(far)), Timestamp(far.0 + 1));
        assert_eq!(now.after(Some(now)), Timestamp(now.0 + 1));
        assert_eq!(now.after(Some(Timestamp(0))), now);
        assert_eq!(now.after(None), now);
    }
}
