//! Quantities and the part of UCUM that comparing and combining them needs.
//!
//! A quantity's unit is a UCUM expression (`mg`, `g/m`, `[lb_av]`, `m2`) or a FHIRPath
//! calendar keyword (`days`, `week`). Units are reduced to a factor and powers of base
//! dimensions, so `4.0000 'g' = 4000.0 'mg'` and `7 days = 1 'wk'`. Calendar years and months
//! have their own dimension: they compare with each other but not with UCUM `a` and `mo`,
//! which are averages. Unknown units compare only with the same unit written the same way.

use crate::decimal::Decimal;
use crate::value::Str;
use std::cmp::Ordering;
use std::fmt;

/// Powers of metre, gram, second, kelvin, mole, candela, ampere, international unit and
/// calendar month.
type Dims = [i8; 9];
const BASE_SYMBOLS: [&str; 9] = ["m", "g", "s", "K", "mol", "cd", "A", "[iU]", "month"];

/// A unit reduced to base dimensions: value in the unit × factor = value in base units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Canonical {
    factor: Decimal,
    dims: Dims,
}

const fn dims(m: i8, g: i8, s: i8) -> Dims {
    [m, g, s, 0, 0, 0, 0, 0, 0]
}

const fn only(index: usize) -> Dims {
    let mut d = [0; 9];
    d[index] = 1;
    d
}

/// UCUM atoms (and calendar keywords): symbol, factor as decimal text, dimensions.
const ATOMS: &[(&str, &str, Dims)] = &[
    ("1", "1", dims(0, 0, 0)),
    ("%", "0.01", dims(0, 0, 0)),
    ("m", "1", dims(1, 0, 0)),
    ("g", "1", dims(0, 1, 0)),
    ("s", "1", dims(0, 0, 1)),
    ("K", "1", only(3)),
    ("Cel", "1", only(3)),
    ("mol", "1", only(4)),
    ("eq", "1", only(4)),
    ("cd", "1", only(5)),
    ("A", "1", only(6)),
    ("[iU]", "1", only(7)),
    ("[IU]", "1", only(7)),
    ("U", "1", only(7)),
    ("min", "60", dims(0, 0, 1)),
    ("h", "3600", dims(0, 0, 1)),
    ("d", "86400", dims(0, 0, 1)),
    ("wk", "604800", dims(0, 0, 1)),
    ("mo", "2629800", dims(0, 0, 1)),
    ("a", "31557600", dims(0, 0, 1)),
    ("Hz", "1", dims(0, 0, -1)),
    ("l", "0.001", dims(3, 0, 0)),
    ("L", "0.001", dims(3, 0, 0)),
    ("[in_i]", "0.0254", dims(1, 0, 0)),
    ("[ft_i]", "0.3048", dims(1, 0, 0)),
    ("[yd_i]", "0.9144", dims(1, 0, 0)),
    ("[mi_i]", "1609.344", dims(1, 0, 0)),
    ("[lb_av]", "453.59237", dims(0, 1, 0)),
    ("[oz_av]", "28.349523125", dims(0, 1, 0)),
    ("[gr]", "0.06479891", dims(0, 1, 0)),
    ("N", "1000", dims(1, 1, -2)),
    ("Pa", "1000", dims(-1, 1, -2)),
    ("bar", "100000000", dims(-1, 1, -2)),
    ("m[Hg]", "133322000", dims(-1, 1, -2)),
    ("J", "1000", dims(2, 1, -2)),
    ("cal", "4184", dims(2, 1, -2)),
    ("W", "1000", dims(2, 1, -3)),
    ("year", "12", only(8)),
    ("years", "12", only(8)),
    ("month", "1", only(8)),
    ("months", "1", only(8)),
    ("week", "604800", dims(0, 0, 1)),
    ("weeks", "604800", dims(0, 0, 1)),
    ("day", "86400", dims(0, 0, 1)),
    ("days", "86400", dims(0, 0, 1)),
    ("hour", "3600", dims(0, 0, 1)),
    ("hours", "3600", dims(0, 0, 1)),
    ("minute", "60", dims(0, 0, 1)),
    ("minutes", "60", dims(0, 0, 1)),
    ("second", "1", dims(0, 0, 1)),
    ("seconds", "1", dims(0, 0, 1)),
    ("millisecond", "0.001", dims(0, 0, 1)),
    ("milliseconds", "0.001", dims(0, 0, 1)),
];

/// UCUM prefixes and their powers of ten.
const PREFIXES: &[(&str, i8)] = &[
    ("da", 1),
    ("Y", 24),
    ("Z", 21),
    ("E", 18),
    ("P", 15),
    ("T", 12),
    ("G", 9),
    ("M", 6),
    ("k", 3),
    ("h", 2),
    ("d", -1),
    ("c", -2),
    ("m", -3),
    ("u", -6),
    ("n", -9),
    ("p", -12),
    ("f", -15),
    ("a", -18),
];

/// The FHIRPath calendar duration keywords.
pub fn is_calendar_keyword(unit: &str) -> bool {
    matches!(
        unit,
        "year"
            | "years"
            | "month"
            | "months"
            | "week"
            | "weeks"
            | "day"
            | "days"
            | "hour"
            | "hours"
            | "minute"
            | "minutes"
            | "second"
            | "seconds"
            | "millisecond"
            | "milliseconds"
    )
}

fn power_of_ten(exponent: i8) -> Decimal {
    if exponent >= 0 {
        Decimal::new(10i128.pow(u32::from(exponent.unsigned_abs())), 0)
    } else {
        Decimal::new(1, exponent.unsigned_abs())
    }
}

fn atom(symbol: &str) -> Option<Canonical> {
    ATOMS
        .iter()
        .find(|(s, _, _)| *s == symbol)
        .and_then(|(_, factor, dims)| {
            Some(Canonical {
                factor: Decimal::parse(factor)?,
                dims: *dims,
            })
        })
}

/// One component of a unit term: prefix, atom and exponent, like `cm2` or `s-1`.
fn component(text: &str) -> Option<Canonical> {
    // Annotations (`{score}`) stand for the unity.
    let text = match text.find('{') {
        Some(start) if text.ends_with('}') => &text[..start],
        Some(_) => return None,
        None => text,
    };
    if text.is_empty() {
        return atom("1");
    }
    if let Some(exponent) = text
        .strip_prefix("10*")
        .or_else(|| text.strip_prefix("10^"))
    {
        let e: i8 = exponent.parse().ok()?;
        return Some(Canonical {
            factor: power_of_ten(e),
            dims: [0; 9],
        });
    }
    let digits_from = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '-' || *c == '+')
        .last()
        .map_or(text.len(), |(i, _)| i);
    let (symbol, exponent) = if digits_from > 0 && digits_from < text.len() {
        (
            &text[..digits_from],
            text[digits_from..].parse::<i8>().ok()?,
        )
    } else {
        (text, 1)
    };
    let base = atom(symbol).or_else(|| {
        PREFIXES.iter().find_map(|(prefix, power)| {
            let rest = symbol.strip_prefix(prefix)?;
            let a = atom(rest)?;
            Some(Canonical {
                factor: a.factor.checked_mul(power_of_ten(*power))?,
                dims: a.dims,
            })
        })
    })?;
    let mut result = Canonical {
        factor: Decimal::new(1, 0),
        dims: [0; 9],
    };
    for _ in 0..exponent.unsigned_abs() {
        result = combine(result, base, exponent > 0)?;
    }
    Some(result)
}

fn combine(a: Canonical, b: Canonical, multiply: bool) -> Option<Canonical> {
    let mut dims = a.dims;
    for (d, e) in dims.iter_mut().zip(b.dims) {
        *d = if multiply {
            d.checked_add(e)?
        } else {
            d.checked_sub(e)?
        };
    }
    let factor = if multiply {
        a.factor.checked_mul(b.factor)?
    } else {
        a.factor.checked_div(b.factor)?
    };
    Some(Canonical { factor, dims })
}

/// A unit expression: components joined by `.` and `/` (without parentheses).
fn canonical(unit: &str) -> Option<Canonical> {
    let mut result = atom("1")?;
    let mut multiply = true;
    let mut start = 0;
    let bytes = unit.as_bytes();
    for i in 0..=bytes.len() {
        let end = i == bytes.len();
        if end || ((bytes[i] == b'.' || bytes[i] == b'/') && !inside_brackets(&unit[..i])) {
            let part = &unit[start..i];
            if !(part.is_empty() && i == 0 && !end) {
                result = combine(result, component(part)?, multiply)?;
            }
            if !end {
                multiply = bytes[i] == b'.';
                start = i + 1;
            }
        }
    }
    Some(result)
}

fn inside_brackets(prefix: &str) -> bool {
    prefix.matches(['[', '{']).count() > prefix.matches([']', '}']).count()
}

fn unit_of(dims: &Dims) -> String {
    let parts: Vec<String> = BASE_SYMBOLS
        .iter()
        .zip(dims)
        .filter(|(_, e)| **e != 0)
        .map(|(s, e)| {
            if *e == 1 {
                (*s).to_owned()
            } else {
                format!("{s}{e}")
            }
        })
        .collect();
    if parts.is_empty() {
        "1".to_owned()
    } else {
        parts.join(".")
    }
}

/// A System.Quantity: a decimal value and a unit.
#[derive(Debug, Clone)]
pub struct Quantity<'a> {
    pub value: Decimal,
    pub unit: Str<'a>,
}

impl<'a> Quantity<'a> {
    pub fn new(value: Decimal, unit: Str<'a>) -> Quantity<'a> {
        Quantity { value, unit }
    }

    fn canonical_value(&self) -> Option<(Decimal, Dims)> {
        let c = canonical(&self.unit)?;
        Some((self.value.checked_mul(c.factor)?, c.dims))
    }

    /// Whether the two units measure the same dimension (`comparable()`).
    pub fn comparable(&self, other: &Quantity<'_>) -> bool {
        if self.unit == other.unit {
            return true;
        }
        matches!((canonical(&self.unit), canonical(&other.unit)), (Some(a), Some(b)) if a.dims == b.dims)
    }

    /// Compares by value in base units; `None` when the units are not comparable.
    pub fn compare(&self, other: &Quantity<'_>) -> Option<Ordering> {
        if self.unit == other.unit {
            return Some(self.value.cmp(&other.value));
        }
        let (a, da) = self.canonical_value()?;
        let (b, db) = other.canonical_value()?;
        (da == db).then(|| a.cmp(&b))
    }

    /// `other` expressed in this quantity's unit.
    pub fn convert(&self, other: &Quantity<'_>) -> Option<Decimal> {
        if self.unit == other.unit {
            return Some(other.value);
        }
        let a = canonical(&self.unit)?;
        let b = canonical(&other.unit)?;
        if a.dims != b.dims {
            return None;
        }
        other.value.checked_mul(b.factor)?.checked_div(a.factor)
    }

    /// Sum (`subtract`: difference) in this quantity's unit.
    pub fn add(&self, other: &Quantity<'_>, subtract: bool) -> Option<Quantity<'a>> {
        let b = self.convert(other)?;
        let value = if subtract {
            self.value.checked_sub(b)?
        } else {
            self.value.checked_add(b)?
        };
        Some(Quantity::new(value, self.unit.clone()))
    }

    /// Product (`divide`: quotient), in base units.
    pub fn multiply(&self, other: &Quantity<'_>, divide: bool) -> Option<Quantity<'a>> {
        let (a, da) = self.canonical_value()?;
        let (b, db) = other.canonical_value()?;
        let c = combine(
            Canonical {
                factor: a,
                dims: da,
            },
            Canonical {
                factor: b,
                dims: db,
            },
            !divide,
        )?;
        Some(Quantity::new(c.factor, Str::owned(unit_of(&c.dims))))
    }
}

impl fmt::Display for Quantity<'_> {
    /// `4 'mg'`, or `4 days` for a calendar duration.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_calendar_keyword(&self.unit) {
            write!(f, "{} {}", self.value, &*self.unit)
        } else {
            write!(f, "{} '{}'", self.value, &*self.unit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(value: &str, unit: &'static str) -> Quantity<'static> {
        Quantity::new(Decimal::parse(value).unwrap(), Str::Borrowed(unit))
    }

    #[test]
    fn compares_across_units() {
        assert_eq!(
            q("4.0000", "g").compare(&q("4000.0", "mg")),
            Some(Ordering::Equal)
        );
        assert_eq!(q("7", "days").compare(&q("1", "wk")), Some(Ordering::Equal));
        assert_eq!(
            q("6", "days").compare(&q("1", "week")),
            Some(Ordering::Less)
        );
        assert_eq!(q("1", "mo").compare(&q("1", "month")), None);
        assert!(q("1", "cm").comparable(&q("1", "[in_i]")));
        assert!(!q("1", "cm").comparable(&q("1", "s")));
    }

    #[test]
    fn multiplies_and_divides() {
        let area = q("2.0", "cm").multiply(&q("2.0", "m"), false).unwrap();
        assert_eq!(area.compare(&q("0.040", "m2")), Some(Ordering::Equal));
        let ratio = q("4.0", "g").multiply(&q("2.0", "m"), true).unwrap();
        assert_eq!(ratio.compare(&q("2", "g/m")), Some(Ordering::Equal));
        let one = q("1.0", "m").multiply(&q("1.0", "m"), true).unwrap();
        assert_eq!(one.compare(&q("1", "1")), Some(Ordering::Equal));
        assert_eq!(canonical("mm[Hg]").unwrap().dims, dims(-1, 1, -2));
        assert_eq!(canonical("mg/dL").unwrap().dims, dims(-3, 1, 0));
    }
}
