//! The webservice query language of generic resources (`WebserviceRequest::manageFilters`):
//! `display`, `filter[field]`, `sort`, `limit`, `date`, `language`.

use serde_json::Value;

use crate::render::WsError;

/// Which fields a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Display {
    /// No `display`: ids only.
    IdsOnly,
    /// `display=full`.
    Full,
    /// `display=[f1,f2]`.
    Fields(Vec<String>),
}

/// One `filter[field]=...` condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub field: String,
    pub op: FilterOp,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FilterOp {
    /// `[a|b|c]`, `[x]` or a bare `x`.
    AnyOf(Vec<String>),
    /// `![a|b]`.
    NoneOf(Vec<String>),
    /// `[from,to]`, inclusive.
    Between(String, String),
    /// `>[x]`, strict.
    Greater(String),
    /// `<[x]`, strict.
    Less(String),
    /// `%[x]%`, `[x]%`, `%[x]`.
    Like {
        value: String,
        prefix_any: bool,
        suffix_any: bool,
    },
}

/// One `sort` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
}

/// The parsed query of a generic-resource GET.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub display: Display,
    pub filters: Vec<Filter>,
    pub sort: Vec<SortKey>,
    /// `(offset, count)`.
    pub limit: Option<(usize, usize)>,
    pub date: bool,
    /// `language=ID` (Some(single id)) gives plain strings for i18n fields.
    pub single_language: bool,
}

impl Query {
    /// Parses the query parameters; errors are the webservice's 400s.
    pub fn parse(params: &[(String, String)]) -> Result<Self, WsError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let display = match get("display") {
            None => Display::IdsOnly,
            Some("full") => Display::Full,
            Some(v) => {
                let inner = v
                    .strip_prefix('[')
                    .and_then(|s| s.strip_suffix(']'))
                    .unwrap_or(v);
                let fields: Vec<String> = inner
                    .split(',')
                    .map(|f| f.trim().to_owned())
                    .filter(|f| !f.is_empty())
                    .collect();
                if fields.is_empty() {
                    return Err(WsError::bad_request(
                        35,
                        "The \"display\" value has to be formed as this example: \"[field_1,field_2]\" or \"full\"",
                    ));
                }
                Display::Fields(fields)
            }
        };
        let mut filters = Vec::new();
        for (k, v) in params {
            if let Some(field) = k.strip_prefix("filter[").and_then(|f| f.strip_suffix(']')) {
                filters.push(Filter {
                    field: field.to_owned(),
                    op: parse_filter_value(v)?,
                });
            }
        }
        let sort = match get("sort") {
            None => Vec::new(),
            Some(v) => parse_sort(v)?,
        };
        let limit = match get("limit") {
            None => None,
            Some(v) => Some(parse_limit(v)?),
        };
        let date = get("date").is_some_and(|v| v.trim() == "1");
        let single_language = get("language").is_some_and(|v| {
            let v = v.trim();
            !v.is_empty() && v.chars().all(|c| c.is_ascii_digit())
        });
        Ok(Self {
            display,
            filters,
            sort,
            limit,
            date,
            single_language,
        })
    }
}

fn parse_filter_value(raw: &str) -> Result<FilterOp, WsError> {
    let v = raw.trim();
    let bracketed = |s: &str| {
        s.strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .map(str::to_owned)
    };
    if let Some(inner) = v.strip_prefix('>').and_then(bracketed_str) {
        return Ok(FilterOp::Greater(inner));
    }
    if let Some(inner) = v.strip_prefix('<').and_then(bracketed_str) {
        return Ok(FilterOp::Less(inner));
    }
    if let Some(inner) = v.strip_prefix('!').and_then(bracketed_str) {
        return Ok(FilterOp::NoneOf(split_alternatives(&inner)));
    }
    if v.contains('%') && v.contains('[') {
        let prefix_any = v.starts_with('%');
        let suffix_any = v.ends_with('%');
        let core = v.trim_start_matches('%').trim_end_matches('%');
        if let Some(inner) = bracketed(core) {
            return Ok(FilterOp::Like {
                value: inner,
                prefix_any,
                suffix_any,
            });
        }
    }
    if let Some(inner) = bracketed(v) {
        if inner.contains(',') && !inner.contains('|') {
            let mut parts = inner.splitn(2, ',');
            let from = parts.next().unwrap_or_default().trim().to_owned();
            let to = parts.next().unwrap_or_default().trim().to_owned();
            let allowed = |s: &str| {
                s.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | ':' | '-' | ' '))
            };
            if !allowed(&from) || !allowed(&to) {
                return Err(WsError::bad_request(
                    30,
                    "The value of a \"[from,to]\" filter may only contain digits, '.', ':', '-' and spaces",
                ));
            }
            return Ok(FilterOp::Between(from, to));
        }
        return Ok(FilterOp::AnyOf(split_alternatives(&inner)));
    }
    Ok(FilterOp::AnyOf(vec![v.to_owned()]))
}

fn bracketed_str(s: &str) -> Option<String> {
    s.strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .map(str::to_owned)
}

fn split_alternatives(inner: &str) -> Vec<String> {
    inner.split('|').map(|s| s.trim().to_owned()).collect()
}

fn parse_sort(raw: &str) -> Result<Vec<SortKey>, WsError> {
    let inner = raw
        .trim()
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(raw.trim());
    let mut keys = Vec::new();
    for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            WsError::bad_request(
                37,
                "The \"sort\" value has to be formed as this example: \"field_ASC\" or \"[field_1_DESC,field_2_ASC,field_3_ASC,...]\" (\"field\" has to be an available field)",
            )
        };
        let (field, dir) = part.rsplit_once('_').ok_or_else(bad)?;
        let descending = match dir.to_ascii_uppercase().as_str() {
            "ASC" => false,
            "DESC" => true,
            _ => return Err(bad()),
        };
        keys.push(SortKey {
            field: field.to_owned(),
            descending,
        });
    }
    Ok(keys)
}

fn parse_limit(raw: &str) -> Result<(usize, usize), WsError> {
    let bad = || {
        WsError::bad_request(
            39,
            "The \"limit\" value has to be formed as this example: \"5,25\" or \"10\"",
        )
    };
    let parts: Vec<&str> = raw.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [n] => Ok((0, n.parse().map_err(|_| bad())?)),
        [o, n] => Ok((o.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?)),
        _ => Err(bad()),
    }
}

/// The text SQL would compare for a rendered value.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// MySQL-like comparison: numeric when both sides are numbers, else case-insensitive text.
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

impl FilterOp {
    /// Whether a row's value passes this condition.
    pub fn matches(&self, value: &Value) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let text = value_text(value);
        match self {
            Self::AnyOf(alts) => alts.iter().any(|a| compare(&text, a) == Equal),
            Self::NoneOf(alts) => alts.iter().all(|a| compare(&text, a) != Equal),
            Self::Between(from, to) => {
                compare(&text, from) != Less && compare(&text, to) != Greater
            }
            Self::Greater(x) => compare(&text, x) == Greater,
            Self::Less(x) => compare(&text, x) == Less,
            Self::Like {
                value: pattern,
                prefix_any,
                suffix_any,
            } => {
                let t = text.to_lowercase();
                let p = pattern.to_lowercase();
                match (prefix_any, suffix_any) {
                    (true, true) => t.contains(&p),
                    (true, false) => t.ends_with(&p),
                    (false, true) => t.starts_with(&p),
                    (false, false) => t == p,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<Query, WsError> {
        let params: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Query::parse(&params)
    }

    #[test]
    fn parses_the_pull_query() {
        let query = q(&[
            ("display", "[id,current_state,date_upd]"),
            ("date", "1"),
            (
                "filter[date_upd]",
                "[2026-01-01 00:00:00,2099-12-31 23:59:59]",
            ),
            ("sort", "[date_upd_ASC,id_ASC]"),
            ("limit", "100,50"),
        ])
        .expect("valid query");
        assert_eq!(
            query.display,
            Display::Fields(vec!["id".into(), "current_state".into(), "date_upd".into()])
        );
        assert!(query.date);
        assert_eq!(query.limit, Some((100, 50)));
        assert_eq!(query.sort.len(), 2);
        assert_eq!(
            query.filters[0].op,
            FilterOp::Between("2026-01-01 00:00:00".into(), "2099-12-31 23:59:59".into())
        );
    }

    #[test]
    fn filter_forms() {
        assert_eq!(
            parse_filter_value("[1|2|3]").expect("ok"),
            FilterOp::AnyOf(vec!["1".into(), "2".into(), "3".into()])
        );
        assert_eq!(
            parse_filter_value(">[5]").expect("ok"),
            FilterOp::Greater("5".into())
        );
        assert!(FilterOp::Between("2026-01-01".into(), "2026-01-31".into())
            .matches(&Value::from("2026-01-31")));
        assert!(FilterOp::AnyOf(vec!["2080".into()]).matches(&Value::from("2080.000000")));
        assert!(FilterOp::AnyOf(vec!["A@B.c".into()]).matches(&Value::from("a@b.C")));
        assert!(parse_limit("x").is_err());
        assert!(parse_sort("id_UP").is_err());
    }
}
