//! The parts of an idempotent request that are compared or stored: the key itself (checked),
//! the token (hashed), and the request (a hash of its method, path and canonical body).

use axum::http::{HeaderMap, Method, Uri};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The request header, as Stripe names it.
pub const HEADER: &str = "idempotency-key";
/// Set on an answer that is a replay of the first one.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
pub const MAX_KEY_LEN: usize = 255;

const KEY_PROBLEM: &str =
    "must be 1 to 255 printable ASCII characters, not starting or ending with a space \
     (a UUID is a good key)";
/// What [`key_of`] accepts, for the OpenAPI document.
pub const KEY_PATTERN: &str = "^[!-~]([ -~]*[!-~])?$";

/// The `Idempotency-Key` of `headers`: `None` without one, a 422 naming the header when it is
/// empty, too long, not printable ASCII, or sent twice.
pub fn key_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all(HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let bad = || ApiError::field("Idempotency-Key", KEY_PROBLEM);
    if values.next().is_some() {
        return Err(ApiError::field("Idempotency-Key", "must be sent only once"));
    }
    let bytes = value.as_bytes();
    let printable = bytes.iter().all(|b| (0x20..=0x7e).contains(b));
    if bytes.is_empty() || bytes.len() > MAX_KEY_LEN || !printable {
        return Err(bad());
    }
    let key = std::str::from_utf8(bytes).map_err(|_| bad())?;
    if key.trim() != key {
        return Err(bad());
    }
    Ok(Some(key.to_owned()))
}

/// SHA-256 of the bearer token the request was authenticated with (never stored itself).
pub fn token_hash(headers: &HeaderMap) -> [u8; 32] {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default();
    Sha256::digest(token.as_bytes()).into()
}

/// SHA-256 of the method, the path with its query, and the body: a JSON body in canonical form
/// (keys sorted, no insignificant whitespace), so a retry that re-serialises the same object
/// still matches; any other body as sent.
pub fn request_hash(method: &Method, uri: &Uri, body: &[u8]) -> [u8; 32] {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut hasher = Sha256::new();
    hasher.update(method.as_str().as_bytes());
    hasher.update(b"\n");
    hasher.update(path.as_bytes());
    hasher.update(b"\n");
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => {
            hasher.update(b"json\n");
            hasher.update(canonical(&value).as_bytes());
        }
        Err(_) => {
            hasher.update(b"raw\n");
            hasher.update(body);
        }
    }
    hasher.finalize().into()
}

/// `value` as JSON with every object's keys sorted.
fn canonical(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(HEADER, HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    #[test]
    fn keys_are_one_to_255_printable_ascii_characters() {
        assert_eq!(key_of(&headers(&[])).unwrap(), None);
        assert_eq!(
            key_of(&headers(&[b"order 42/retry-1"])).unwrap().as_deref(),
            Some("order 42/retry-1")
        );
        let longest = "k".repeat(MAX_KEY_LEN);
        assert!(key_of(&headers(&[longest.as_bytes()])).unwrap().is_some());
        let too_long = "k".repeat(MAX_KEY_LEN + 1);
        for bad in [
            too_long.as_bytes(),
            b"",
            b"   ",
            b" padded",
            b"caf\xc3\xa9",
            b"tab\there",
        ] {
            assert!(key_of(&headers(&[bad])).is_err(), "{bad:?}");
        }
        assert!(key_of(&headers(&[b"a", b"b"])).is_err());
    }

    #[test]
    fn the_request_hash_ignores_key_order_and_whitespace_only() {
        let uri: Uri = "/api/v1/properties".parse().unwrap();
        let post = Method::POST;
        let a = request_hash(
            &post,
            &uri,
            br#"{"name":"A","currency":"EUR","x":{"b":1,"a":[1,2]}}"#,
        );
        let b = request_hash(
            &post,
            &uri,
            br#"{ "x": {"a": [1, 2], "b": 1}, "currency": "EUR", "name": "A" }"#,
        );
        assert_eq!(a, b);
        let other_body = request_hash(&post, &uri, br#"{"name":"B","currency":"EUR"}"#);
        assert_ne!(a, other_body);
        let other_path: Uri = "/api/v1/properties?x=1".parse().unwrap();
        assert_ne!(
            a,
            request_hash(
                &post,
                &other_path,
                br#"{"name":"A","currency":"EUR","x":{"b":1,"a":[1,2]}}"#
            )
        );
        assert_ne!(
            a,
            request_hash(
                &Method::PUT,
                &uri,
                br#"{"name":"A","currency":"EUR","x":{"b":1,"a":[1,2]}}"#
            )
        );
        assert_ne!(
            request_hash(&post, &uri, b"not json"),
            request_hash(&post, &uri, b"not  json")
        );
    }

    #[test]
    fn tokens_are_hashed() {
        let mut map = HeaderMap::new();
        map.insert(
            axum::http::header::AUTHORIZATION,
            HeaderValue::from_static("Bearer secret-token-0123456789"),
        );
        let hash = token_hash(&map);
        assert_eq!(
            hash,
            <[u8; 32]>::from(Sha256::digest(b"secret-token-0123456789"))
        );
    }
}
