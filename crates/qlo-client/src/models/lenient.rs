//! Lenient deserialisers for what QloApps really sends (docs/qloapps-api.md, "Formats and lenient parsing").
//!
//! - numbers arrive as JSON numbers *or* strings (`"id_customer":"3"`, `"total_paid":"120.000000"`),
//!   and unset ones as `""`, `null` or `false` (`"id_default_image":false`);
//! - booleans arrive as `0`/`1`, `"0"`/`"1"` or `true`/`false`;
//! - an empty list or map is `[]`, a non-empty id-keyed map is an object (`{"6":{...}}`);
//! - i18n fields are a string, or `[{"id":"1","value":"..."}]` when several languages are in scope;
//! - timestamps are shop-local `YYYY-MM-DD HH:MM:SS`, with `0000-00-00 00:00:00` meaning "unset".
//!
//! Each function is meant for `#[serde(default, deserialize_with = "...")]`.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The format QloApps uses for every timestamp (shop-local time).
pub const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
/// The format QloApps uses for dates.
pub const DATE_FORMAT: &str = "%Y-%m-%d";

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn parse_from_value<T: FromStr, E: serde::de::Error>(
    v: &Value,
    what: &str,
) -> Result<Option<T>, E> {
    if is_blank(v) {
        return Ok(None);
    }
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        Value::Bool(true) => "1".to_owned(),
        other => return Err(E::custom(format!("expected {what}, found {other}"))),
    };
    text.parse::<T>()
        .map(Some)
        .map_err(|_| E::custom(format!("expected {what}, found {text:?}")))
}

/// An unsigned integer from a number or a numeric string; blank becomes 0.
pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    opt_u64(d).map(Option::unwrap_or_default)
}

/// An optional unsigned integer from a number or a numeric string; blank becomes `None`.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Value::deserialize(d)?;
    // "1.000000" style integers are rare but harmless to accept.
    match parse_from_value::<u64, D::Error>(&v, "an unsigned integer") {
        Ok(n) => Ok(n),
        Err(e) => match parse_from_value::<Decimal, D::Error>(&v, "an unsigned integer")? {
            Some(d) if d.fract().is_zero() && !d.is_sign_negative() => Ok(u64::try_from(d).ok()),
            _ => Err(e),
        },
    }
}

/// A `u32` from a number or a numeric string; blank becomes 0.
pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u64(d)?;
    u32::try_from(n).map_err(|_| D::Error::custom(format!("{n} does not fit in u32")))
}

/// An optional `u32`; blank becomes `None`.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match opt_u64(d)? {
        None => Ok(None),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| D::Error::custom(format!("{n} does not fit in u32"))),
    }
}

/// A signed integer from a number or a numeric string; blank becomes 0.
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(parse_from_value::<i64, D::Error>(&v, "an integer")?.unwrap_or_default())
}

/// A decimal amount from a number or a string (`"120.000000"`); blank becomes 0.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    opt_decimal(d).map(Option::unwrap_or_default)
}

/// An optional decimal amount; blank becomes `None`.
pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let v = Value::deserialize(d)?;
    if let Value::Number(n) = &v {
        // Floats such as 1820.5 go through their shortest text form, which Decimal reads exactly.
        let text = n.to_string();
        return Decimal::from_str(&text)
            .or_else(|_| Decimal::from_scientific(&text))
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a decimal, found {text}")));
    }
    parse_from_value::<Decimal, D::Error>(&v, "a decimal")
}

/// A flag from `0`/`1`, `"0"`/`"1"`, `true`/`false`; blank becomes `false`.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match &v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !matches!(s.trim(), "" | "0" | "false"),
        _ => false,
    })
}

/// Text from a string, a number or `null`; i18n lists yield their first value.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(value_to_string(&v))
}

/// Text of a translatable field: a plain string when one language is in scope (the client always
/// sends `language=<id>`), otherwise `[{"id":"1","value":"..."}]`, of which the first is taken.
pub fn i18n<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    string(d)
}

fn value_to_string(v: &Value) -> String {
    match v {
        Value::Null | Value::Bool(false) => String::new(),
        Value::Bool(true) => "1".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .first()
            .map(|first| match first.get("value") {
                Some(inner) => value_to_string(inner),
                None => value_to_string(first),
            })
            .unwrap_or_default(),
        Value::Object(map) => map.get("value").map(value_to_string).unwrap_or_default(),
    }
}

/// A list that may be `[]`, a list, an object keyed by id (`{"6":{...}}`), or absent/`null`.
/// Objects yield their values (in key order; callers must not rely on it).
pub fn vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    let v = Value::deserialize(d)?;
    value_to_vec(v).map_err(D::Error::custom)
}

pub(crate) fn value_to_vec<T: DeserializeOwned>(v: Value) -> Result<Vec<T>, serde_json::Error> {
    match v {
        Value::Null | Value::Bool(false) => Ok(Vec::new()),
        Value::String(s) if s.is_empty() => Ok(Vec::new()),
        Value::Array(items) => items.into_iter().map(serde_json::from_value).collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(_, v)| serde_json::from_value(v))
            .collect(),
        other => Err(serde_json::Error::custom(format!(
            "expected a list, found {other}"
        ))),
    }
}

/// A shop-local timestamp `YYYY-MM-DD HH:MM:SS` (or a bare date); zero dates and blanks become `None`.
pub fn opt_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
    let v = Value::deserialize(d)?;
    let s = value_to_string(&v);
    parse_datetime(&s).map_err(D::Error::custom)
}

/// A date `YYYY-MM-DD` (a time part is ignored); zero dates and blanks become `None`.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Ok(opt_datetime(d)?.map(|dt| dt.date()))
}

/// Parses a QloApps timestamp; zero dates and blanks are `Ok(None)`.
pub fn parse_datetime(s: &str) -> Result<Option<NaiveDateTime>, String> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000-00-00") {
        return Ok(None);
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, DATETIME_FORMAT) {
        return Ok(Some(dt));
    }
    NaiveDate::parse_from_str(s, DATE_FORMAT)
        .map(|d| Some(d.and_time(chrono::NaiveTime::MIN)))
        .map_err(|_| format!("expected a timestamp YYYY-MM-DD HH:MM:SS, found {s:?}"))
}

/// Child ages: a list of numbers, a JSON-encoded string (`"[]"`, `"[7,9]"` in `room_bookings`) or blank.
pub fn child_ages<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
    let v = Value::deserialize(d)?;
    let v = match v {
        Value::String(s) if s.trim().is_empty() => return Ok(Vec::new()),
        Value::String(s) => serde_json::from_str::<Value>(&s).map_err(D::Error::custom)?,
        other => other,
    };
    let items: Vec<Value> = value_to_vec(v).map_err(D::Error::custom)?;
    items
        .iter()
        .map(|item| {
            parse_from_value::<u32, D::Error>(item, "an age").map(Option::unwrap_or_default)
        })
        .collect()
}

/// Serialises an optional amount as a JSON number (QloApps reads amounts with PHP's numeric
/// juggling; a number is what its own samples send). Amounts are at most a few decimals, which
/// an `f64` carries exactly enough for PHP's `float`s on the other side.
pub fn ser_opt_decimal<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(d) => ser_decimal(d, s),
        None => s.serialize_none(),
    }
}

/// Serialises an amount as a JSON number.
pub fn ser_decimal<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    use rust_decimal::prelude::ToPrimitive;
    if d.fract().is_zero() {
        if let Some(i) = d.to_i64() {
            return s.serialize_i64(i);
        }
    }
    match d.to_f64() {
        Some(f) => s.serialize_f64(f),
        None => Err(serde::ser::Error::custom(format!(
            "amount {d} out of range"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "u64")]
        n: u64,
        #[serde(default, deserialize_with = "opt_decimal")]
        d: Option<Decimal>,
        #[serde(default, deserialize_with = "bool")]
        b: bool,
        #[serde(default, deserialize_with = "i18n")]
        s: String,
        #[serde(default, deserialize_with = "vec")]
        v: Vec<u64>,
        #[serde(default, deserialize_with = "opt_datetime")]
        t: Option<NaiveDateTime>,
        #[serde(default, deserialize_with = "child_ages")]
        a: Vec<u32>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).expect("probe parses")
    }

    #[test]
    fn numbers_may_be_strings_or_blank() {
        assert_eq!(probe(r#"{"n":"3"}"#).n, 3);
        assert_eq!(probe(r#"{"n":3}"#).n, 3);
        assert_eq!(probe(r#"{"n":""}"#).n, 0);
        assert_eq!(probe(r#"{"n":null}"#).n, 0);
        assert_eq!(probe(r#"{"n":false}"#).n, 0);
        assert!(serde_json::from_str::<Probe>(r#"{"n":"abc"}"#).is_err());
        assert_eq!(probe(r#"{"d":"120.000000"}"#).d, Some(Decimal::new(120, 0)));
        assert_eq!(probe(r#"{"d":1820.5}"#).d, Some(Decimal::new(18205, 1)));
        assert_eq!(probe(r#"{"d":""}"#).d, None);
    }

    #[test]
    fn flags_i18n_lists_and_dates() {
        assert!(probe(r#"{"b":"1"}"#).b);
        assert!(!probe(r#"{"b":0}"#).b);
        assert!(probe(r#"{"b":true}"#).b);
        assert_eq!(probe(r#"{"s":"Delux"}"#).s, "Delux");
        assert_eq!(
            probe(r#"{"s":[{"id":"1","value":"Delux"},{"id":"2","value":"X"}]}"#).s,
            "Delux"
        );
        assert_eq!(probe(r#"{"v":[]}"#).v, Vec::<u64>::new());
        assert_eq!(probe(r#"{"v":{}}"#).v, Vec::<u64>::new());
        assert_eq!(probe(r#"{"v":{"6":6,"7":7}}"#).v, vec![6, 7]);
        assert_eq!(probe(r#"{"t":"0000-00-00 00:00:00"}"#).t, None);
        assert_eq!(
            probe(r#"{"t":"2026-11-21 12:24:51"}"#)
                .t
                .map(|t| t.to_string()),
            Some("2026-11-21 12:24:51".to_owned())
        );
        assert_eq!(probe(r#"{"a":"[]"}"#).a, Vec::<u32>::new());
        assert_eq!(probe(r#"{"a":"[7,\"9\"]"}"#).a, vec![7, 9]);
        assert_eq!(probe(r#"{"a":[7]}"#).a, vec![7]);
    }
}
