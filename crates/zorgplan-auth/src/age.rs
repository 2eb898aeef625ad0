//! The child's age band under the Dutch medical treatment act (WGBO), from
//! `Patient.birthDate` at the time of a request: who decides about the child's data.
//!
//! - under 12: the parents with parental authority decide and see the plan;
//! - 12 to 15: the child and the parents both;
//! - from 16: the child alone (this band includes adults).
//!
//! Ages are whole years; a child born on 29 February is a year older on 1 March in years
//! without one. A birth date of only a year or a month (`2015`, `2015-03`) gives a band only
//! when every day it may stand for gives the same one; otherwise the band is unknown, and
//! the caller decides what that means.

use zorgplan_fhirpath::datetime::{DateTime, Precision};

/// Who decides about the child's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBand {
    /// Under 12.
    Under12,
    /// 12 up to and including 15.
    From12To15,
    /// 16 and older.
    From16,
}

impl AgeBand {
    pub fn of_age(years: u32) -> AgeBand {
        match years {
            0..=11 => AgeBand::Under12,
            12..=15 => AgeBand::From12To15,
            _ => AgeBand::From16,
        }
    }
}

/// Whole years from the birth day to `today`.
fn years(birth: (i32, u8, u8), today: (i32, u8, u8)) -> Option<u32> {
    let mut years = today.0 - birth.0;
    if (today.1, today.2) < (birth.1, birth.2) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// The youngest and the oldest the child may be on `today` (a full date), from `birth_date`;
/// `None` when either is not a date or the child is not born yet.
pub fn age_range(birth_date: &str, today: &str) -> Option<(u32, u32)> {
    let day = |d: DateTime| (d.year, d.month, d.day);
    let birth = DateTime::parse_date(birth_date)?;
    let today = DateTime::parse_date(today).filter(|d| d.precision == Precision::Day)?;
    // The first and the last day the birth date may stand for.
    let earliest = day(birth.boundary(8, false, true)?);
    let latest = day(birth.boundary(8, true, true)?);
    let today = day(today);
    if earliest > today {
        return None;
    }
    let oldest = years(earliest, today)?;
    let youngest = years(latest, today).unwrap_or(0);
    Some((youngest, oldest))
}

/// The child's band on `today`, when `birth_date` settles it.
pub fn band(birth_date: &str, today: &str) -> Option<AgeBand> {
    let (youngest, oldest) = age_range(birth_date, today)?;
    let band = AgeBand::of_age(youngest);
    (band == AgeBand::of_age(oldest)).then_some(band)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_change_on_the_birthdays_of_12_and_16() {
        let born = "2014-06-15";
        assert_eq!(band(born, "2026-06-14"), Some(AgeBand::Under12));
        assert_eq!(band(born, "2026-06-15"), Some(AgeBand::From12To15));
        assert_eq!(band(born, "2030-06-14"), Some(AgeBand::From12To15));
        assert_eq!(band(born, "2030-06-15"), Some(AgeBand::From16));
        assert_eq!(band(born, "2040-01-01"), Some(AgeBand::From16));
        assert_eq!(band("2026-12-06", "2026-12-06"), Some(AgeBand::Under12));
    }

    #[test]
    fn a_29_february_child_is_older_on_1_march() {
        let born = "2012-02-29";
        assert_eq!(age_range(born, "2023-02-28"), Some((10, 10)));
        assert_eq!(age_range(born, "2023-03-01"), Some((11, 11)));
        assert_eq!(band(born, "2024-02-28"), Some(AgeBand::Under12));
        assert_eq!(band(born, "2024-02-29"), Some(AgeBand::From12To15));
    }

    #[test]
    fn a_partial_birth_date_gives_a_band_only_when_it_settles_it() {
        // Born some day in 2014: 12 for sure from 2026-12-31 on; before, 11 or 12.
        assert_eq!(age_range("2014", "2026-06-01"), Some((11, 12)));
        assert_eq!(band("2014", "2026-06-01"), None);
        assert_eq!(band("2014", "2026-12-31"), Some(AgeBand::From12To15));
        assert_eq!(band("2014", "2020-06-01"), Some(AgeBand::Under12));
        assert_eq!(band("2014-06", "2026-06-15"), None);
        assert_eq!(band("2014-06", "2026-07-01"), Some(AgeBand::From12To15));
    }

    #[test]
    fn what_is_not_a_date_or_not_born_yet_has_no_band() {
        for (born, today) in [
            ("2014-13-01", "2026-01-01"),
            ("2014-02-30", "2026-01-01"),
            ("14-02-01", "2026-01-01"),
            ("2014-2-1", "2026-01-01"),
            ("2014-02-01T10:00:00Z", "2026-01-01"),
            ("2014-02-01", "2026-01"),
            ("2027-01-01", "2026-12-06"),
            ("", "2026-12-06"),
        ] {
            assert_eq!(band(born, today), None, "{born} on {today}");
        }
    }
}
