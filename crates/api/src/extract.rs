//! Extractors whose rejections are `ApiError`s naming the bad field: JSON bodies (400 when the
//! JSON is malformed, 422 when a field has the wrong type or is missing/unknown), query strings
//! and path parameters (422), and the correlation id of the request.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, FieldError};

/// A JSON body.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedJson("could not read the body".to_owned())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// `application/json` (or `application/*+json`) in UTF-8: JSON's only encoding (RFC 8259 §8.1).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = content_type.split(';');
    let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let utf8 = parts.all(|param| {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        !name.trim().eq_ignore_ascii_case("charset")
            || value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
    });
    utf8 && (mime == "application/json"
        || (mime.starts_with("application/") && mime.ends_with("+json")))
}

/// The path of the first string (key or value) with a NUL character, which PostgreSQL text
/// cannot store. JSON carries one only as the escape `\u0000`, so most bodies skip the walk.
fn nul_in_json(bytes: &[u8]) -> Option<String> {
    const ESCAPE: &[u8] = b"\\u0000";
    if !bytes.windows(ESCAPE.len()).any(|w| w == ESCAPE) {
        return None;
    }
    fn walk(value: &serde_json::Value, path: &str) -> Option<String> {
        let join = |key: &str| {
            if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            }
        };
        match value {
            serde_json::Value::String(s) if s.contains('\0') => Some(path.to_owned()),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &join(&i.to_string()))),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
                if k.contains('\0') {
                    Some(join(k))
                } else {
                    walk(v, &join(k))
                }
            }),
            _ => None,
        }
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    walk(&value, "").map(|p| if p.is_empty() { "body".to_owned() } else { p })
}

const NUL_PROBLEM: &str = "must not contain a NUL character";

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Some(field) = nul_in_json(bytes) {
        return Err(ApiError::field(field, NUL_PROBLEM));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_data() {
            ApiError::Validation(vec![field_error(&path, &inner.to_string())])
        } else {
            ApiError::MalformedJson(strip_position(&inner.to_string()).to_owned())
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::MalformedJson(strip_position(&e.to_string()).to_owned()))?;
    Ok(value)
}

/// A query string; unknown parameters are rejected by `#[serde(deny_unknown_fields)]`.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs = url::form_urlencoded::parse(query.as_bytes());
        if let Some((name, _)) = pairs
            .clone()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(ApiError::field(name.replace('\0', ""), NUL_PROBLEM));
        }
        let deserializer = serde_urlencoded::Deserializer::new(pairs);
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                ApiError::Validation(vec![field_error(&path, &err.into_inner().to_string())])
            })
    }
}

/// Path parameters; a malformed id is a 422 naming the parameter.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                // every path parameter of this api is a UUID: name the first one that is not
                let raw = RawPathParams::from_request_parts(parts, state).await.ok();
                let field = raw
                    .iter()
                    .flat_map(|params| params.iter())
                    .find(|(_, value)| uuid::Uuid::parse_str(value).is_err())
                    .map(|(key, _)| key.to_owned())
                    .unwrap_or_else(|| "path".to_owned());
                Err(ApiError::field(field, "must be a UUID"))
            }
            Err(other) => Err(ApiError::Internal(anyhow::anyhow!(
                "path extraction failed: {other}"
            ))),
        }
    }
}

/// Turns a serde message into a field error: "missing field `x`" names `x`, positions go.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = strip_position(message);
    let join = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = quoted_after(message, "missing field `") {
        return FieldError::new(join(name), "is required");
    }
    if let Some(name) = quoted_after(message, "unknown field `") {
        // the path already ends at the unknown field for JSON bodies, not for query strings
        let field = if path == name || path.ends_with(&format!(".{name}")) {
            path.to_owned()
        } else {
            join(name)
        };
        return FieldError::new(field, "is not a known field");
    }
    let field = if path == "." || path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    FieldError::new(field, message)
}

fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message
        .strip_prefix(prefix)
        .and_then(|rest| rest.split('`').next())
}

fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// The earliest day the API takes: nothing a hotel books or prices lies before it.
const FIRST_DAY: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => panic!("2000-01-01 is a date"),
};
/// How far ahead a day may lie: five years (QloApps and channel managers sell far less).
const MAX_YEARS_AHEAD: u32 = 5;

/// A day as `YYYY-MM-DD` exactly (four-digit year, two-digit month and day) between 2000-01-01
/// and five years from today: `2028-1-1`, year 0 or 10000 never reach PostgreSQL or QloApps.
pub fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
        .ok_or_else(|| "must be a date in YYYY-MM-DD form".to_owned())?;
    let last = chrono::Utc::now()
        .date_naive()
        .checked_add_months(chrono::Months::new(12 * MAX_YEARS_AHEAD))
        .unwrap_or(chrono::NaiveDate::MAX);
    if day < FIRST_DAY || day > last {
        return Err(format!("must be between {FIRST_DAY} and {last}"));
    }
    Ok(day)
}

pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_day(&text).map_err(serde::de::Error::custom)
}

pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) => parse_day(&text).map(Some).map_err(serde::de::Error::custom),
    }
}

/// For PATCH fields that can be cleared: absent = `None`, `null` = `Some(None)`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The id that follows one change from the request to the QloApps call: the caller's
/// `x-correlation-id`, else its `x-request-id` (set by the request-id layer when absent).
pub struct Correlation(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Correlation {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let usable = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| {
                    !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic())
                })
                .map(str::to_owned)
        };
        let id = usable("x-correlation-id")
            .or_else(|| usable("x-request-id"))
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        Ok(Correlation(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        check_in: i32,
        guest: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        email: String,
    }

    fn fields(result: Result<Body, ApiError>) -> Vec<FieldError> {
        match result {
            Err(ApiError::Validation(fields)) => fields,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        assert_eq!(
            fields(parse_json(br#"{}"#)),
            vec![FieldError::new("checkIn", "is required")]
        );
        assert_eq!(fields(parse_json(br#"{"checkIn":1,"x":2}"#))[0].field, "x");
        assert_eq!(
            fields(parse_json(br#"{"checkIn":"a"}"#))[0].field,
            "checkIn"
        );
        let nested = fields(parse_json(br#"{"checkIn":1,"guest":{}}"#));
        assert_eq!(nested, vec![FieldError::new("guest.email", "is required")]);
    }

    #[test]
    fn malformed_json_is_not_a_field_error() {
        assert!(matches!(
            parse_json::<Body>(br#"{"checkIn":"#),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_json::<Body>(br#"{"checkIn":1} x"#),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_json::<Body>(b""),
            Err(ApiError::MalformedJson(_))
        ));
    }
}
