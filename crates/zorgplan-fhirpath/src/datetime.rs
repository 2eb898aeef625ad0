//! Partial dates, date-times and times, as FHIR and FHIRPath write them.
//!
//! A value carries its precision (`2015` is a year, `2015-02-04T14:34` a minute), because
//! FHIRPath compares only as far as both operands are known: `@2018-03 < @2018-03-01` is empty,
//! not false. Seconds and fractional seconds are one precision for comparison. Arithmetic adds
//! calendar durations (years and months keep the day of the month, clamped to its end).

use std::cmp::Ordering;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// How much of a date, date-time or time is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// Seconds with a fraction.
    Fraction,
}

impl Precision {
    /// The comparison level: seconds and fractions are one.
    fn level(self) -> u8 {
        match self {
            Precision::Year => 0,
            Precision::Month => 1,
            Precision::Day => 2,
            Precision::Hour => 3,
            Precision::Minute => 4,
            Precision::Second | Precision::Fraction => 5,
        }
    }
}

/// A calendar duration unit, as date arithmetic accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
}

impl CalendarUnit {
    /// The unit of a quantity usable in date arithmetic: the calendar keywords (singular or
    /// plural) and the UCUM units of fixed length. UCUM `a` and `mo` are average lengths, not
    /// calendar years and months, and are refused.
    pub fn from_unit(unit: &str) -> Option<CalendarUnit> {
        Some(match unit {
            "year" | "years" => CalendarUnit::Year,
            "month" | "months" => CalendarUnit::Month,
            "week" | "weeks" | "wk" => CalendarUnit::Week,
            "day" | "days" | "d" => CalendarUnit::Day,
            "hour" | "hours" | "h" => CalendarUnit::Hour,
            "minute" | "minutes" | "min" => CalendarUnit::Minute,
            "second" | "seconds" | "s" => CalendarUnit::Second,
            "millisecond" | "milliseconds" | "ms" => CalendarUnit::Millisecond,
            _ => return None,
        })
    }
}

/// A date (precision up to day) or a date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Fraction of the second in nanoseconds.
    pub nanos: u32,
    /// Digits of the fraction as written (kept for printing).
    pub fraction_digits: u8,
    pub precision: Precision,
    /// Offset from UTC in minutes.
    pub offset: Option<i16>,
}

/// A time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time {
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub nanos: u32,
    pub fraction_digits: u8,
    pub precision: Precision,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// A cursor over the text of a date or time.
struct Scanner<'s> {
    bytes: &'s [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let slice = self.bytes.get(self.pos..self.pos + n)?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.pos += n;
        Some(
            slice
                .iter()
                .fold(0, |acc, b| acc * 10 + u32::from(b - b'0')),
        )
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.bytes.get(self.pos) == Some(&b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

/// Hours, minutes, seconds and fraction: `hh(:mm(:ss(.f+)?)?)?`.
fn scan_time(s: &mut Scanner<'_>) -> Option<(u8, u8, u8, u32, u8, Precision)> {
    let hour = s.digits(2)? as u8;
    let (mut minute, mut second, mut nanos, mut digits) = (0, 0, 0, 0u8);
    let mut precision = Precision::Hour;
    if s.eat(b':') {
        minute = s.digits(2)? as u8;
        precision = Precision::Minute;
        if s.eat(b':') {
            second = s.digits(2)? as u8;
            precision = Precision::Second;
            if s.peek() == Some(b'.') && s.bytes.get(s.pos + 1).is_some_and(u8::is_ascii_digit) {
                s.pos += 1;
                let start = s.pos;
                while s.peek().is_some_and(|b| b.is_ascii_digit()) {
                    s.pos += 1;
                }
                let text = &s.bytes[start..s.pos];
                digits = u8::try_from(text.len()).ok()?;
                nanos = text
                    .iter()
                    .take(9)
                    .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'))
                    * 10u32.pow(9u32.saturating_sub(u32::from(digits)));
                precision = Precision::Fraction;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some((hour, minute, second, nanos, digits, precision))
}

impl DateTime {
    fn date(year: i32, month: u8, day: u8, precision: Precision) -> DateTime {
        DateTime {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            fraction_digits: 0,
            precision,
            offset: None,
        }
    }

    /// A FHIR date or FHIRPath date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn parse_date(text: &str) -> Option<DateTime> {
        let mut s = Scanner {
            bytes: text.as_bytes(),
            pos: 0,
        };
        let d = DateTime::scan_date(&mut s)?;
        s.done().then_some(d)
    }

    fn scan_date(s: &mut Scanner<'_>) -> Option<DateTime> {
        let year = s.digits(4)? as i32;
        let mut d = DateTime::date(year, 1, 1, Precision::Year);
        if s.peek() == Some(b'-') {
            s.pos += 1;
            d.month = s.digits(2)? as u8;
            d.precision = Precision::Month;
            if !(1..=12).contains(&d.month) {
                return None;
            }
            if s.eat(b'-') {
                d.day = s.digits(2)? as u8;
                d.precision = Precision::Day;
                if d.day == 0 || d.day > days_in_month(year, d.month) {
                    return None;
                }
            }
        }
        Some(d)
    }

    /// A FHIR date, dateTime or instant: whichever of [`DateTime::parse_datetime`] and
    /// [`DateTime::parse_date`] reads it.
    pub fn parse_fhir(text: &str) -> Option<DateTime> {
        DateTime::parse_datetime(text).or_else(|| DateTime::parse_date(text))
    }

    /// A FHIR dateTime or instant, or the text of a FHIRPath date-time literal: a date,
    /// optionally `T` and a time (which may be left out after the `T` in FHIRPath) and an
    /// offset (`Z` or `±hh:mm`).
    pub fn parse_datetime(text: &str) -> Option<DateTime> {
        let mut s = Scanner {
            bytes: text.as_bytes(),
            pos: 0,
        };
        let mut d = DateTime::scan_date(&mut s)?;
        if s.eat(b'T') && !s.done() {
            if d.precision != Precision::Day {
                return None;
            }
            let (hour, minute, second, nanos, digits, precision) = scan_time(&mut s)?;
            d.hour = hour;
            d.minute = minute;
            d.second = second;
            d.nanos = nanos;
            d.fraction_digits = digits;
            d.precision = precision;
            if s.eat(b'Z') {
                d.offset = Some(0);
            } else if let Some(sign @ (b'+' | b'-')) = s.peek() {
                s.pos += 1;
                let hours = s.digits(2)? as i16;
                if !s.eat(b':') {
                    return None;
                }
                let minutes = s.digits(2)? as i16;
                if hours > 14 || minutes > 59 {
                    return None;
                }
                let offset = hours * 60 + minutes;
                d.offset = Some(if sign == b'-' { -offset } else { offset });
            }
        }
        s.done().then_some(d)
    }

    /// The current moment (UTC), to the millisecond.
    pub fn now() -> DateTime {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let secs = since.as_secs() as i64;
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let of_day = secs.rem_euclid(86_400);
        DateTime {
            year,
            month,
            day,
            hour: (of_day / 3600) as u8,
            minute: (of_day % 3600 / 60) as u8,
            second: (of_day % 60) as u8,
            nanos: since.subsec_millis() * 1_000_000,
            fraction_digits: 3,
            precision: Precision::Fraction,
            offset: Some(0),
        }
    }

    /// The date part of this moment, as a date.
    pub fn to_date(self) -> DateTime {
        DateTime::date(
            self.year,
            self.month,
            self.day,
            self.precision.min(Precision::Day),
        )
    }

    /// The time part, when the value has one.
    pub fn time(self) -> Option<Time> {
        (self.precision >= Precision::Hour).then_some(Time {
            hour: self.hour,
            minute: self.minute,
            second: self.second,
            nanos: self.nanos,
            fraction_digits: self.fraction_digits,
            precision: self.precision,
        })
    }

    fn fields(&self) -> [u64; 6] {
        [
            self.year as u64,
            u64::from(self.month),
            u64::from(self.day),
            u64::from(self.hour),
            u64::from(self.minute),
            u64::from(self.second) * 1_000_000_000 + u64::from(self.nanos),
        ]
    }

    /// Compares as far as both values are known. `None`: equal as far as the less precise
    /// one goes, or one has an offset and the other, with a time, has none.
    pub fn compare(&self, other: &DateTime) -> Option<Ordering> {
        let (mut a, mut b) = (*self, *other);
        let with_time = a.precision >= Precision::Hour && b.precision >= Precision::Hour;
        match (a.offset, b.offset) {
            (Some(x), Some(y)) if with_time => {
                a = a.shifted_minutes(-i64::from(x));
                b = b.shifted_minutes(-i64::from(y));
            }
            (Some(_), None) | (None, Some(_)) if with_time => return None,
            _ => {}
        }
        let (fa, fb) = (a.fields(), b.fields());
        let common = a.precision.level().min(b.precision.level());
        for i in 0..=usize::from(common) {
            match fa[i].cmp(&fb[i]) {
                Ordering::Equal => {}
                unequal => return Some(unequal),
            }
        }
        (a.precision.level() == b.precision.level()).then_some(Ordering::Equal)
    }

    fn shifted_minutes(self, minutes: i64) -> DateTime {
        self.shifted_nanos(i128::from(minutes) * 60_000_000_000)
    }

    fn shifted_nanos(self, nanos: i128) -> DateTime {
        let day_nanos: i128 = 86_400_000_000_000;
        let of_day = i128::from(self.hour) * 3_600_000_000_000
            + i128::from(self.minute) * 60_000_000_000
            + i128::from(self.second) * 1_000_000_000
            + i128::from(self.nanos)
            + nanos;
        let days = days_from_civil(self.year, self.month, self.day)
            + i64::try_from(of_day.div_euclid(day_nanos)).unwrap_or(0);
        let rest = of_day.rem_euclid(day_nanos);
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            hour: (rest / 3_600_000_000_000) as u8,
            minute: (rest / 60_000_000_000 % 60) as u8,
            second: (rest / 1_000_000_000 % 60) as u8,
            nanos: (rest % 1_000_000_000) as u32,
            ..self
        }
    }

    /// This value plus `amount` of a calendar unit (a fractional amount is cut to whole
    /// units). Units finer than the value's precision change it only by whole units of its
    /// precision (hours on a date count in whole days).
    pub fn add(self, amount: i64, unit: CalendarUnit) -> Option<DateTime> {
        let months = |d: DateTime, n: i64| -> Option<DateTime> {
            let total = i64::from(d.year) * 12 + i64::from(d.month) - 1 + n;
            let year = i32::try_from(total.div_euclid(12)).ok()?;
            let month = (total.rem_euclid(12) + 1) as u8;
            if !(1..=9999).contains(&year) {
                return None;
            }
            Some(DateTime {
                year,
                month,
                day: d.day.min(days_in_month(year, month)),
                ..d
            })
        };
        let days = |d: DateTime, n: i64| -> Option<DateTime> {
            if d.precision < Precision::Day {
                return months(d, n / 30);
            }
            let (year, month, day) =
                civil_from_days(days_from_civil(d.year, d.month, d.day).checked_add(n)?);
            Some(DateTime {
                year,
                month,
                day,
                ..d
            })
        };
        let nanos = |d: DateTime, n: i128| -> Option<DateTime> {
            if d.precision < Precision::Hour {
                let whole_days = i64::try_from(n / 86_400_000_000_000).ok()?;
                return days(d, whole_days);
            }
            Some(d.shifted_nanos(n))
        };
        let amount128 = i128::from(amount);
        match unit {
            CalendarUnit::Year => months(self, amount.checked_mul(12)?),
            CalendarUnit::Month => months(self, amount),
            CalendarUnit::Week => days(self, amount.checked_mul(7)?),
            CalendarUnit::Day => days(self, amount),
            CalendarUnit::Hour => nanos(self, amount128 * 3_600_000_000_000),
            CalendarUnit::Minute => nanos(self, amount128 * 60_000_000_000),
            CalendarUnit::Second => nanos(self, amount128 * 1_000_000_000),
            CalendarUnit::Millisecond => nanos(self, amount128 * 1_000_000),
        }
    }

    /// FHIRPath `precision()`: digits of the value (4 for a year, 17 to the millisecond).
    pub fn precision_digits(&self) -> i64 {
        match self.precision {
            Precision::Year => 4,
            Precision::Month => 6,
            Precision::Day => 8,
            Precision::Hour => 10,
            Precision::Minute => 12,
            Precision::Second => 14,
            Precision::Fraction => 17,
        }
    }

    /// The earliest (`high == false`) or latest moment this value can stand for, written to
    /// `digits` (4 year … 17 millisecond); a value without offset is taken at the offset that
    /// makes it earliest (+14:00) or latest (−12:00). An hour alone is taken as that hour's
    /// first minute.
    pub fn boundary(self, digits: i64, high: bool, is_date: bool) -> Option<DateTime> {
        let precision = match digits {
            4 => Precision::Year,
            6 => Precision::Month,
            8 => Precision::Day,
            10 if !is_date => Precision::Hour,
            12 if !is_date => Precision::Minute,
            14 if !is_date => Precision::Second,
            17 if !is_date => Precision::Fraction,
            _ => return None,
        };
        let mut d = self;
        if d.precision == Precision::Hour {
            d.minute = 0;
            d.precision = Precision::Minute;
        }
        if d.precision < Precision::Month {
            d.month = if high { 12 } else { 1 };
        }
        if d.precision < Precision::Day {
            d.day = if high {
                days_in_month(d.year, d.month)
            } else {
                1
            };
        }
        if d.precision < Precision::Hour {
            d.hour = if high { 23 } else { 0 };
        }
        if d.precision < Precision::Minute {
            d.minute = if high { 59 } else { 0 };
        }
        if d.precision < Precision::Second {
            d.second = if high { 59 } else { 0 };
        }
        if d.precision < Precision::Fraction {
            d.nanos = if high { 999_000_000 } else { 0 };
        }
        if precision >= Precision::Hour && d.offset.is_none() {
            d.offset = Some(if high { -12 * 60 } else { 14 * 60 });
        }
        d.fraction_digits = 3;
        d.precision = precision;
        Some(d)
    }

    /// The instants this value stands for at its precision, as microseconds since
    /// 1970-01-01T00:00:00Z: its first and its last. A value without offset is taken as UTC.
    pub fn range_micros(&self) -> (i64, i64) {
        let mut low = *self;
        let mut high = *self;
        if self.precision < Precision::Month {
            (low.month, high.month) = (1, 12);
        }
        if self.precision < Precision::Day {
            (low.day, high.day) = (1, days_in_month(self.year, high.month));
        }
        if self.precision < Precision::Hour {
            (low.hour, high.hour) = (0, 23);
        }
        if self.precision < Precision::Minute {
            (low.minute, high.minute) = (0, 59);
        }
        if self.precision < Precision::Second {
            (low.second, high.second) = (0, 59);
        }
        if self.precision < Precision::Fraction {
            (low.nanos, high.nanos) = (0, 999_999_999);
        } else if self.fraction_digits < 9 {
            // `.5` stands for the tenth of a second from .5 to .5999….
            let unit = 10u32.pow(9 - u32::from(self.fraction_digits));
            high.nanos = self.nanos - self.nanos % unit + unit - 1;
        }
        let micros = |d: DateTime| {
            let days = days_from_civil(d.year, d.month, d.day);
            let seconds = days * 86_400
                + i64::from(d.hour) * 3_600
                + i64::from(d.minute) * 60
                + i64::from(d.second)
                - i64::from(d.offset.unwrap_or(0)) * 60;
            seconds * 1_000_000 + i64::from(d.nanos / 1_000)
        };
        (micros(low), micros(high))
    }

    fn write_date(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if self.precision >= Precision::Month {
            write!(f, "-{:02}", self.month)?;
        }
        if self.precision >= Precision::Day {
            write!(f, "-{:02}", self.day)?;
        }
        Ok(())
    }
}

impl fmt::Display for DateTime {
    /// The FHIR form: `2015-02-04T14:34:28.123+01:00` (without the `@` of a literal).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_date(f)?;
        if let Some(time) = self.time() {
            write!(f, "T{time}")?;
            match self.offset {
                Some(0) => write!(f, "Z")?,
                Some(offset) => {
                    let sign = if offset < 0 { '-' } else { '+' };
                    let offset = offset.unsigned_abs();
                    write!(f, "{sign}{:02}:{:02}", offset / 60, offset % 60)?;
                }
                None => {}
            }
        }
        Ok(())
    }
}

impl Time {
    /// A FHIR time or the text of a FHIRPath time literal (after `@T`): `hh(:mm(:ss(.f+)?)?)?`.
    pub fn parse(text: &str) -> Option<Time> {
        let mut s = Scanner {
            bytes: text.as_bytes(),
            pos: 0,
        };
        let (hour, minute, second, nanos, fraction_digits, precision) = scan_time(&mut s)?;
        s.done().then_some(Time {
            hour,
            minute,
            second,
            nanos,
            fraction_digits,
            precision,
        })
    }

    fn fields(&self) -> [u64; 3] {
        [
            u64::from(self.hour),
            u64::from(self.minute),
            u64::from(self.second) * 1_000_000_000 + u64::from(self.nanos),
        ]
    }

    /// Compares as far as both are known; `None` when equal that far but of unequal precision.
    pub fn compare(&self, other: &Time) -> Option<Ordering> {
        let common = self.precision.level().min(other.precision.level()) - 3;
        let (fa, fb) = (self.fields(), other.fields());
        for i in 0..=usize::from(common) {
            match fa[i].cmp(&fb[i]) {
                Ordering::Equal => {}
                unequal => return Some(unequal),
            }
        }
        (self.precision.level() == other.precision.level()).then_some(Ordering::Equal)
    }

    /// This time plus an amount of hours, minutes, seconds or milliseconds, modulo a day.
    pub fn add(self, amount: i64, unit: CalendarUnit) -> Option<Time> {
        let unit_nanos: i128 = match unit {
            CalendarUnit::Hour => 3_600_000_000_000,
            CalendarUnit::Minute => 60_000_000_000,
            CalendarUnit::Second => 1_000_000_000,
            CalendarUnit::Millisecond => 1_000_000,
            _ => return None,
        };
        let day: i128 = 86_400_000_000_000;
        let of_day = i128::from(self.hour) * 3_600_000_000_000
            + i128::from(self.minute) * 60_000_000_000
            + i128::from(self.second) * 1_000_000_000
            + i128::from(self.nanos)
            + i128::from(amount) * unit_nanos;
        let rest = of_day.rem_euclid(day);
        Some(Time {
            hour: (rest / 3_600_000_000_000) as u8,
            minute: (rest / 60_000_000_000 % 60) as u8,
            second: (rest / 1_000_000_000 % 60) as u8,
            nanos: (rest % 1_000_000_000) as u32,
            ..self
        })
    }

    /// FHIRPath `precision()` of a time: 2 (hours) … 9 (milliseconds).
    pub fn precision_digits(&self) -> i64 {
        match self.precision {
            Precision::Hour => 2,
            Precision::Minute => 4,
            Precision::Second => 6,
            _ => 9,
        }
    }

    /// The earliest or latest time this value can stand for, to `digits` (2 … 9).
    pub fn boundary(self, digits: i64, high: bool) -> Option<Time> {
        let precision = match digits {
            2 => Precision::Hour,
            4 => Precision::Minute,
            6 => Precision::Second,
            9 => Precision::Fraction,
            _ => return None,
        };
        let mut t = self;
        if t.precision < Precision::Minute {
            t.minute = if high { 59 } else { 0 };
        }
        if t.precision < Precision::Second {
            t.second = if high { 59 } else { 0 };
        }
        if t.precision < Precision::Fraction {
            t.nanos = if high { 999_000_000 } else { 0 };
        }
        t.fraction_digits = 3;
        t.precision = precision;
        Some(t)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.hour)?;
        if self.precision >= Precision::Minute {
            write!(f, ":{:02}", self.minute)?;
        }
        if self.precision >= Precision::Second {
            write!(f, ":{:02}", self.second)?;
        }
        if self.precision == Precision::Fraction {
            let digits = usize::from(self.fraction_digits.clamp(1, 9));
            let fraction = format!("{:09}", self.nanos);
            write!(f, ".{}", &fraction[..digits])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges_in_microseconds() {
        use super::DateTime;
        let day = DateTime::parse_date("1970-01-02").unwrap().range_micros();
        assert_eq!(day, (86_400_000_000, 2 * 86_400_000_000 - 1));
        let year = DateTime::parse_date("2024").unwrap().range_micros();
        let next = DateTime::parse_date("2025").unwrap().range_micros();
        assert_eq!(year.1 + 1, next.0);
        let at = DateTime::parse_datetime("1970-01-01T01:00:00+01:00")
            .unwrap()
            .range_micros();
        assert_eq!(at, (0, 999_999));
        let tenth = DateTime::parse_datetime("1970-01-01T00:00:00.5Z")
            .unwrap()
            .range_micros();
        assert_eq!(tenth, (500_000, 599_999));
    }

    use super::*;

    fn dt(s: &str) -> DateTime {
        DateTime::parse_datetime(s).unwrap()
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(
            dt("2015-02-04T14:34:28.123+10:00").to_string(),
            "2015-02-04T14:34:28.123+10:00"
        );
        assert_eq!(dt("2015T").precision, Precision::Year);
        assert_eq!(dt("2015-02-04T14").precision, Precision::Hour);
        assert!(DateTime::parse_date("2015-02-30").is_none());
        assert!(DateTime::parse_datetime("2015-02T10:00").is_none());
        assert_eq!(Time::parse("14:34:28.1").unwrap().to_string(), "14:34:28.1");
    }

    #[test]
    fn compares_with_precision_and_offsets() {
        assert_eq!(dt("2018-03").compare(&dt("2018-03-01")), None);
        assert_eq!(
            dt("2012-04-15T15:30:31").compare(&dt("2012-04-15T15:30:31.0")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            dt("2017-11-05T01:30:00.0-04:00").compare(&dt("2017-11-05T00:30:00.0-05:00")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            dt("2012-04-15T15:00:00Z").compare(&dt("2012-04-15T10:00:00")),
            None
        );
        assert_eq!(
            dt("2014-12-12").compare(&dt("2014-12-13")),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn adds_calendar_durations() {
        let d = DateTime::parse_date("1973-12-25").unwrap();
        assert_eq!(
            d.add(7, CalendarUnit::Day).unwrap().to_string(),
            "1974-01-01"
        );
        assert_eq!(
            d.add(1, CalendarUnit::Month).unwrap().to_string(),
            "1974-01-25"
        );
        let end = DateTime::parse_date("2020-01-31").unwrap();
        assert_eq!(
            end.add(1, CalendarUnit::Month).unwrap().to_string(),
            "2020-02-29"
        );
        let t = dt("1973-12-25T00:00:00.000+10:00");
        assert_eq!(
            t.add(10, CalendarUnit::Millisecond).unwrap().to_string(),
            "1973-12-25T00:00:00.010+10:00"
        );
        assert_eq!(
            t.add(-1, CalendarUnit::Hour).unwrap().to_string(),
            "1973-12-24T23:00:00.000+10:00"
        );
    }
}
