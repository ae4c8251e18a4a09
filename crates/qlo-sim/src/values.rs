//! Formatting values the way the real server's JSON carries them.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// MySQL `DATETIME` text.
pub fn datetime(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

pub fn datetime_value(at: NaiveDateTime) -> Value {
    Value::String(datetime(at))
}

/// A `DATE` column.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A `DATE` sent back as a `DATETIME` at midnight (room lines, bookings).
pub fn date_midnight(d: NaiveDate) -> String {
    format!("{} 00:00:00", date(d))
}

/// A `decimal(20,6)` column: `"2080.000000"`.
pub fn money(d: Decimal) -> Value {
    Value::String(format!("{:.6}", d.round_dp(6)))
}

/// A PHP number: an integer when whole, else a float.
pub fn number(d: Decimal) -> Value {
    if d.fract().is_zero() {
        if let Some(i) = d.to_i64() {
            return json!(i);
        }
    }
    d.to_f64().map(|f| json!(f)).unwrap_or_else(|| json!(0))
}

/// A `tinyint(1)` as the PHP 8 PDO driver returns it.
pub fn flag(b: bool) -> Value {
    json!(u8::from(b))
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let day = s.get(..10).unwrap_or(s);
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()
}

/// A decimal from a JSON number or string.
pub fn decimal_of(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok().or_else(|| {
            n.as_f64()
                .and_then(|f| Decimal::from_f64_retain(f).map(|d| d.round_dp(6)))
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An unsigned integer from a JSON number or string.
pub fn u32_of(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|x| u32::try_from(x).ok()).or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u32)
        }),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(u32::from(*b)),
        _ => None,
    }
}

/// A string from a JSON string or number.
pub fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_numbers_look_like_php() {
        assert_eq!(money(Decimal::from(2080)), json!("2080.000000"));
        assert_eq!(number(Decimal::from(2000)), json!(2000));
        assert_eq!(number(Decimal::new(12345, 2)), json!(123.45));
        assert_eq!(decimal_of(&json!("120.00")), Some(Decimal::new(12000, 2)));
        assert_eq!(u32_of(&json!("7")), Some(7));
    }
}
