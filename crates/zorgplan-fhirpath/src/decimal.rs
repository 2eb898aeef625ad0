//! An exact decimal: an `i128` mantissa and a count of decimal places.
//!
//! FHIR decimals keep the precision they were written with (`1.50` is not `1.5` when printed,
//! though the two are equal), and FHIRPath's equivalence and boundary functions depend on that
//! precision; binary floating point can do neither. Values in resources stay far below the 38
//! digits an `i128` holds; results that would overflow are reported as `None`.

use std::cmp::Ordering;
use std::fmt;

/// The most decimal places a result keeps (division, conversions from floating point).
pub const MAX_SCALE: u8 = 28;
/// Decimal places of a quotient before trailing zeros are dropped.
const DIVISION_SCALE: u8 = 16;

/// `mantissa / 10^scale`. Packed to 8-byte alignment so that items holding one stay small.
#[derive(Debug, Clone, Copy)]
#[repr(C, packed(8))]
pub struct Decimal {
    mantissa: i128,
    scale: u8,
}

fn pow10(n: u8) -> Option<i128> {
    10i128.checked_pow(u32::from(n))
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    pub fn new(mantissa: i128, scale: u8) -> Decimal {
        Decimal { mantissa, scale }
    }

    pub fn from_int(i: i64) -> Decimal {
        Decimal::new(i128::from(i), 0)
    }

    /// Parses a decimal as FHIR JSON and FHIRPath write it: `-12.50`, also with an exponent
    /// (`1e3`, `1.5E-2`), which JSON allows.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (number, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, digits) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        if int_part.is_empty()
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && frac_part.is_empty())
        {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(b - b'0'))?;
        }
        if negative {
            mantissa = -mantissa;
        }
        let scale = i32::try_from(frac_part.len()).ok()? - exponent;
        if scale < 0 {
            let factor = pow10(u8::try_from(-scale).ok()?)?;
            Some(Decimal::new(mantissa.checked_mul(factor)?, 0))
        } else {
            Some(Decimal::new(mantissa, u8::try_from(scale).ok()?))
        }
    }

    /// The nearest decimal to a floating-point result, to 15 significant digits (what an `f64`
    /// holds reliably), without trailing zeros.
    pub fn from_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        let text = format!("{f:.*e}", 14);
        Decimal::parse(&text).map(|d| d.normalized())
    }

    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(i32::from(self.scale))
    }

    pub fn scale(self) -> u8 {
        self.scale
    }

    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    /// The value as an integer when it has no fractional part.
    pub fn to_integer(self) -> Option<i64> {
        let n = self.normalized();
        if n.scale == 0 {
            i64::try_from(n.mantissa).ok()
        } else {
            None
        }
    }

    /// The same value with `scale` decimal places (only ever adds places).
    fn rescaled(self, scale: u8) -> Option<Decimal> {
        if scale <= self.scale {
            return Some(self);
        }
        let factor = pow10(scale - self.scale)?;
        Some(Decimal::new(self.mantissa.checked_mul(factor)?, scale))
    }

    /// Without trailing zeros after the decimal point.
    pub fn normalized(self) -> Decimal {
        let mut d = self;
        while d.scale > 0 && d.mantissa % 10 == 0 {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }

    fn aligned(a: Decimal, b: Decimal) -> Option<(i128, i128, u8)> {
        let scale = a.scale.max(b.scale);
        Some((
            a.rescaled(scale)?.mantissa,
            b.rescaled(scale)?.mantissa,
            scale,
        ))
    }

    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let (a, b, scale) = Decimal::aligned(self, other)?;
        Some(Decimal::new(a.checked_add(b)?, scale))
    }

    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.checked_add(other.negated())
    }

    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let mut scale = u16::from(self.scale) + u16::from(other.scale);
        let mut mantissa = self.mantissa.checked_mul(other.mantissa);
        // Too many places: drop the trailing zeros of the factors and try again.
        if mantissa.is_none() || scale > u16::from(MAX_SCALE) {
            let (a, b) = (self.normalized(), other.normalized());
            scale = u16::from(a.scale) + u16::from(b.scale);
            mantissa = a.mantissa.checked_mul(b.mantissa);
        }
        let mut result = Decimal::new(mantissa?, u8::try_from(scale).ok()?);
        if result.scale > MAX_SCALE {
            result = result.round(MAX_SCALE);
        }
        Some(result)
    }

    /// The quotient to 16 decimal places, without trailing zeros; `None` for division by zero.
    pub fn checked_div(self, other: Decimal) -> Option<Decimal> {
        if other.mantissa == 0 {
            return None;
        }
        // self / other = (a / 10^sa) / (b / 10^sb); scale the dividend so that the integer
        // quotient has DIVISION_SCALE + 1 places, then round the last one away.
        let target = DIVISION_SCALE + 1;
        let shift = i32::from(target) + i32::from(other.scale) - i32::from(self.scale);
        let (dividend, divisor) = if shift >= 0 {
            (
                self.mantissa
                    .checked_mul(pow10(u8::try_from(shift).ok()?)?)?,
                other.mantissa,
            )
        } else {
            (
                self.mantissa,
                other
                    .mantissa
                    .checked_mul(pow10(u8::try_from(-shift).ok()?)?)?,
            )
        };
        let q = Decimal::new(dividend / divisor, target);
        Some(q.round(DIVISION_SCALE).normalized())
    }

    /// Truncated division (`div`): the integer part of the quotient.
    pub fn div_trunc(self, other: Decimal) -> Option<Decimal> {
        let (a, b, _) = Decimal::aligned(self, other)?;
        if b == 0 {
            return None;
        }
        Some(Decimal::new(a / b, 0))
    }

    /// The remainder of truncated division (`mod`).
    pub fn checked_rem(self, other: Decimal) -> Option<Decimal> {
        let (a, b, scale) = Decimal::aligned(self, other)?;
        if b == 0 {
            return None;
        }
        Some(Decimal::new(a % b, scale))
    }

    pub fn negated(self) -> Decimal {
        Decimal::new(-self.mantissa, self.scale)
    }

    pub fn abs(self) -> Decimal {
        Decimal::new(self.mantissa.abs(), self.scale)
    }

    /// Rounded half away from zero to `places` decimal places (keeps fewer places as they are).
    pub fn round(self, places: u8) -> Decimal {
        if places >= self.scale {
            return self;
        }
        let factor = pow10(self.scale - places).unwrap_or(i128::MAX);
        let (q, r) = (self.mantissa / factor, self.mantissa % factor);
        let adjust = if r.abs() * 2 >= factor {
            self.mantissa.signum()
        } else {
            0
        };
        Decimal::new(q + adjust, places)
    }

    /// Cut to `places` decimal places, towards zero.
    pub fn truncate(self, places: u8) -> Decimal {
        if places >= self.scale {
            return self;
        }
        let factor = pow10(self.scale - places).unwrap_or(i128::MAX);
        Decimal::new(self.mantissa / factor, places)
    }

    /// The largest integer not above the value.
    pub fn floor(self) -> Decimal {
        let t = self.truncate(0);
        if self.is_negative()
            && t.rescaled(self.scale)
                .is_some_and(|t| t.mantissa != self.mantissa)
        {
            Decimal::new(t.mantissa - 1, 0)
        } else {
            t
        }
    }

    /// The smallest integer not below the value.
    pub fn ceiling(self) -> Decimal {
        let t = self.truncate(0);
        if !self.is_negative()
            && t.rescaled(self.scale)
                .is_some_and(|t| t.mantissa != self.mantissa)
        {
            Decimal::new(t.mantissa + 1, 0)
        } else {
            t
        }
    }

    /// Exactly `places` decimal places: padded with zeros, or cut towards zero.
    pub fn with_scale(self, places: u8) -> Option<Decimal> {
        if places >= self.scale {
            self.rescaled(places)
        } else {
            Some(self.truncate(places))
        }
    }

    /// Half a unit of the last decimal place: the uncertainty of a value written this way.
    pub fn half_ulp(self) -> Decimal {
        Decimal::new(5, self.scale + 1)
    }

    /// `self ^ exponent` for a whole exponent, exactly.
    pub fn powi(self, exponent: u32) -> Option<Decimal> {
        let mut result = Decimal::new(1, 0);
        for _ in 0..exponent {
            result = result.checked_mul(self)?;
        }
        Some(result)
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Decimal) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match Decimal::aligned(*self, *other) {
            Some((a, b, _)) => a.cmp(&b),
            // Only reachable near the limits of i128: compare as floating point.
            None => self
                .to_f64()
                .partial_cmp(&other.to_f64())
                .unwrap_or(Ordering::Equal),
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = usize::from(self.scale);
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
        } else {
            digits
        };
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int_part}.{frac_part}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_with_precision() {
        assert_eq!(d("1.50").to_string(), "1.50");
        assert_eq!(d("-0.0034").to_string(), "-0.0034");
        assert_eq!(d("1e3").to_string(), "1000");
        assert_eq!(d("1.5E-2").to_string(), "0.015");
        assert!(Decimal::parse("1.").is_none());
        assert!(Decimal::parse("1.a").is_none());
        assert!(Decimal::parse(".5").is_none());
    }

    #[test]
    fn compares_by_value() {
        assert_eq!(d("1.10"), d("1.1"));
        assert!(d("1.0") < d("1.2"));
        assert!(d("-2.1") < d("-2"));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(d("1.2").checked_add(d("1.8")).unwrap(), d("3.0"));
        assert_eq!(d("1.2").checked_mul(d("1.8")).unwrap().to_string(), "2.16");
        assert_eq!(d("1").checked_div(d("2")).unwrap().to_string(), "0.5");
        assert_eq!(
            d("1.2").checked_div(d("1.8")).unwrap().round(2).to_string(),
            "0.67"
        );
        assert_eq!(d("2.2").checked_rem(d("1.8")).unwrap(), d("0.4"));
        assert_eq!(d("2.2").div_trunc(d("1.8")).unwrap(), d("1"));
        assert!(d("1").checked_div(d("0")).is_none());
        assert_eq!(d("-2.1").floor(), d("-3"));
        assert_eq!(d("-1.1").ceiling(), d("-1"));
        assert_eq!(d("1.1").ceiling(), d("2"));
        assert_eq!(d("3.14159").round(3).to_string(), "3.142");
        assert_eq!(Decimal::from_f64(9.0).unwrap().to_string(), "9");
        assert_eq!(d("2.5").powi(2).unwrap(), d("6.25"));
    }
}
