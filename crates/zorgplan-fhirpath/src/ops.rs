//! Equality, equivalence, ordering and arithmetic on single items.
//!
//! FHIR primitives take part as their System values (a `date` node compares as a Date, a
//! `Quantity` node as a Quantity); other nodes are equal when their JSON is. Where the
//! specification makes a result unknown — dates of different precision, quantities of
//! incomparable units — the result is `None`, which the operators turn into an empty
//! collection.

use crate::datetime::CalendarUnit;
use crate::decimal::Decimal;
use crate::quantity::Quantity;
use crate::value::{Item, Str};
use crate::EvalError;
use std::cmp::Ordering;

fn decimal_of(item: &Item<'_>) -> Option<Decimal> {
    match item {
        Item::Integer(i) => Some(Decimal::from_int(*i)),
        Item::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// `=` on two items: `None` when unknown.
pub(crate) fn equal(a: &Item<'_>, b: &Item<'_>) -> Option<bool> {
    match (a.to_system(), b.to_system()) {
        (Some(x), Some(y)) => system_equal(&x, &y),
        (None, None) => match (a, b) {
            (Item::Node(x), Item::Node(y)) => match (x.value, y.value) {
                (Some(vx), Some(vy)) if !x.ty.is_primitive() => Some(vx == vy),
                _ => None,
            },
            (Item::Type(x), Item::Type(y)) => Some(x == y),
            _ => Some(false),
        },
        _ => Some(false),
    }
}

fn system_equal(a: &Item<'_>, b: &Item<'_>) -> Option<bool> {
    match (a, b) {
        (Item::Boolean(x), Item::Boolean(y)) => Some(x == y),
        (Item::Integer(x), Item::Integer(y)) => Some(x == y),
        (Item::String(x), Item::String(y)) => Some(x == y),
        (Item::Date(x) | Item::DateTime(x), Item::Date(y) | Item::DateTime(y)) => {
            x.compare(y).map(|o| o == Ordering::Equal)
        }
        (Item::Time(x), Item::Time(y)) => x.compare(y).map(|o| o == Ordering::Equal),
        (Item::Quantity(x), Item::Quantity(y)) => x.compare(y).map(|o| o == Ordering::Equal),
        _ => match (decimal_of(a), decimal_of(b)) {
            (Some(x), Some(y)) => Some(x == y),
            _ => Some(false),
        },
    }
}

/// Decimals equal when rounded to the precision of the less precise one.
fn decimal_equivalent(x: Decimal, y: Decimal) -> bool {
    let scale = x.scale().min(y.scale());
    x.round(scale) == y.round(scale)
}

fn normalize_space(s: &str) -> impl Iterator<Item = char> + '_ {
    s.split_whitespace()
        .flat_map(|word| std::iter::once(' ').chain(word.chars().flat_map(char::to_lowercase)))
}

/// `~` on two items.
pub(crate) fn equivalent(a: &Item<'_>, b: &Item<'_>) -> bool {
    match (a.to_system(), b.to_system()) {
        (Some(x), Some(y)) => match (&x, &y) {
            (Item::String(s), Item::String(t)) => normalize_space(s).eq(normalize_space(t)),
            (Item::Date(x) | Item::DateTime(x), Item::Date(y) | Item::DateTime(y)) => {
                x.compare(y) == Some(Ordering::Equal)
            }
            (Item::Time(x), Item::Time(y)) => x.compare(y) == Some(Ordering::Equal),
            (Item::Quantity(qx), Item::Quantity(qy)) => qx
                .convert(qy)
                .is_some_and(|converted| decimal_equivalent(qx.value, converted)),
            _ => match (decimal_of(&x), decimal_of(&y)) {
                (Some(dx), Some(dy)) => decimal_equivalent(dx, dy),
                _ => system_equal(&x, &y) == Some(true),
            },
        },
        (None, None) => equal(a, b) == Some(true),
        _ => false,
    }
}

/// Orders two items for `<`, `>`, `<=`, `>=`: an error for items that cannot be ordered or
/// not against each other, `None` when the order is unknown.
pub(crate) fn compare(a: &Item<'_>, b: &Item<'_>) -> Result<Option<Ordering>, EvalError> {
    let (Some(x), Some(y)) = (a.to_system(), b.to_system()) else {
        return Err(EvalError::new("only primitive values can be compared"));
    };
    Ok(match (&x, &y) {
        (Item::Integer(i), Item::Integer(j)) => Some(i.cmp(j)),
        (Item::String(s), Item::String(t)) => Some((**s).cmp(&**t)),
        (Item::Date(d) | Item::DateTime(d), Item::Date(e) | Item::DateTime(e)) => d.compare(e),
        (Item::Time(s), Item::Time(t)) => s.compare(t),
        (Item::Quantity(p), Item::Quantity(q)) => p.compare(q),
        _ => match (decimal_of(&x), decimal_of(&y)) {
            (Some(d), Some(e)) => Some(d.cmp(&e)),
            _ => {
                return Err(EvalError::new(format!(
                    "cannot compare {} with {}",
                    x.type_info().name,
                    y.type_info().name
                )))
            }
        },
    })
}

/// The arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    IntDiv,
    Mod,
}

fn date_shift(amount: &Quantity<'_>, subtract: bool) -> Result<(i64, CalendarUnit), EvalError> {
    let unit = CalendarUnit::from_unit(&amount.unit).ok_or_else(|| {
        EvalError::new(format!(
            "'{}' is not a calendar duration unit",
            &*amount.unit
        ))
    })?;
    let whole = amount
        .value
        .truncate(0)
        .to_integer()
        .ok_or_else(|| EvalError::new("duration out of range"))?;
    Ok((if subtract { -whole } else { whole }, unit))
}

/// `a op b` on single items; `None` where the result is empty (division by zero, overflow,
/// incomparable units).
pub(crate) fn arithmetic<'a>(
    op: Arith,
    a: &Item<'a>,
    b: &Item<'a>,
) -> Result<Option<Item<'a>>, EvalError> {
    let (Some(x), Some(y)) = (a.to_system(), b.to_system()) else {
        return Err(EvalError::new("arithmetic needs primitive values"));
    };
    let mismatch = || {
        EvalError::new(format!(
            "cannot apply {op:?} to {} and {}",
            x.type_info().name,
            y.type_info().name
        ))
    };
    Ok(match (op, &x, &y) {
        (Arith::Add, Item::Integer(i), Item::Integer(j)) => i.checked_add(*j).map(Item::Integer),
        (Arith::Sub, Item::Integer(i), Item::Integer(j)) => i.checked_sub(*j).map(Item::Integer),
        (Arith::Mul, Item::Integer(i), Item::Integer(j)) => i.checked_mul(*j).map(Item::Integer),
        (Arith::IntDiv, Item::Integer(i), Item::Integer(j)) => i.checked_div(*j).map(Item::Integer),
        (Arith::Mod, Item::Integer(i), Item::Integer(j)) => i.checked_rem(*j).map(Item::Integer),
        (Arith::Add, Item::String(s), Item::String(t)) => {
            Some(Item::String(Str::owned(format!("{}{}", &**s, &**t))))
        }
        (Arith::Add | Arith::Sub, Item::Quantity(p), Item::Quantity(q)) => {
            p.add(q, op == Arith::Sub).map(Item::Quantity)
        }
        (Arith::Mul | Arith::Div, Item::Quantity(p), Item::Quantity(q)) => {
            p.multiply(q, op == Arith::Div).map(Item::Quantity)
        }
        (Arith::Mul | Arith::Div, Item::Quantity(p), n) if decimal_of(n).is_some() => {
            let n = decimal_of(n).unwrap_or(Decimal::ZERO);
            let value = if op == Arith::Mul {
                p.value.checked_mul(n)
            } else {
                p.value.checked_div(n)
            };
            value.map(|v| Item::Quantity(Quantity::new(v, p.unit.clone())))
        }
        (Arith::Mul, n, Item::Quantity(q)) if decimal_of(n).is_some() => {
            let n = decimal_of(n).unwrap_or(Decimal::ZERO);
            q.value
                .checked_mul(n)
                .map(|v| Item::Quantity(Quantity::new(v, q.unit.clone())))
        }
        (Arith::Add | Arith::Sub, Item::Date(d), Item::Quantity(q)) => {
            let (amount, unit) = date_shift(q, op == Arith::Sub)?;
            d.add(amount, unit).map(Item::Date)
        }
        (Arith::Add | Arith::Sub, Item::DateTime(d), Item::Quantity(q)) => {
            let (amount, unit) = date_shift(q, op == Arith::Sub)?;
            d.add(amount, unit).map(Item::DateTime)
        }
        (Arith::Add | Arith::Sub, Item::Time(t), Item::Quantity(q)) => {
            let (amount, unit) = date_shift(q, op == Arith::Sub)?;
            Some(Item::Time(t.add(amount, unit).ok_or_else(mismatch)?))
        }
        _ => {
            let (Some(d), Some(e)) = (decimal_of(&x), decimal_of(&y)) else {
                return Err(mismatch());
            };
            match op {
                Arith::Add => d.checked_add(e).map(Item::Decimal),
                Arith::Sub => d.checked_sub(e).map(Item::Decimal),
                Arith::Mul => d.checked_mul(e).map(Item::Decimal),
                Arith::Div => d.checked_div(e).map(Item::Decimal),
                Arith::IntDiv => d
                    .div_trunc(e)
                    .and_then(Decimal::to_integer)
                    .map(Item::Integer),
                Arith::Mod => d.checked_rem(e).map(Item::Decimal),
            }
        }
    })
}
