//! Turning an HTTP request into a webservice request: both URL forms, the output format,
//! the key, `ps_method`.

use axum::body::Bytes;
use base64::Engine;
use http::{HeaderMap, Method};

use crate::render::Format;

/// A webservice call, whatever URL form it came through.
#[derive(Debug, Clone)]
pub struct WsRequest {
    /// After the `ps_method` override.
    pub method: Method,
    /// `""` for the resource list.
    pub resource: String,
    pub id: Option<String>,
    pub params: Vec<(String, String)>,
    pub format: Format,
    pub key: Option<String>,
    pub body: Bytes,
    /// `http://host:port/api`, for xlinks.
    pub base_url: String,
}

impl WsRequest {
    /// Parses a request; `None` if the path is not a webservice path.
    pub fn parse(
        method: &Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Option<Self> {
        let mut params: Vec<(String, String)> = query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let url_path = if path == "/api" || path.starts_with("/api/") {
            path.trim_start_matches("/api").to_owned()
        } else if path == "/webservice/dispatcher.php"
            || path.starts_with("/webservice/dispatcher.php/")
        {
            let url = params
                .iter()
                .find(|(k, _)| k == "url")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            params.retain(|(k, _)| k != "url");
            url
        } else {
            return None;
        };
        let mut segments = url_path.split('/').filter(|s| !s.is_empty());
        let resource = segments.next().unwrap_or_default().to_owned();
        let id = segments.next().map(str::to_owned);
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let method = match (method, get("ps_method")) {
            (&Method::POST, Some(m)) => {
                Method::from_bytes(m.to_ascii_uppercase().as_bytes()).unwrap_or(Method::POST)
            }
            _ => method.clone(),
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        // The first of these that is present picks the renderer; only exactly "JSON" is JSON.
        let chosen = header("Io-Format")
            .or_else(|| header("Output-Format"))
            .or_else(|| get("output_format"))
            .or_else(|| get("io_format"));
        let format = if chosen.as_deref() == Some("JSON") {
            Format::Json
        } else {
            Format::Xml
        };
        let key = basic_auth_user(headers).or_else(|| get("ws_key").filter(|k| !k.is_empty()));
        let host = header("host").unwrap_or_else(|| "localhost".to_owned());
        Some(Self {
            method,
            resource,
            id,
            params,
            format,
            key,
            body,
            base_url: format!("http://{host}/api"),
        })
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text, without a leading `xml=` (accepted by `saveEntityFromXml`).
    pub fn body_text(&self) -> String {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        match text.trim_start().strip_prefix("xml=") {
            Some(rest) => rest.to_owned(),
            None => text,
        }
    }
}

/// `PHP_AUTH_USER` from `Authorization: Basic base64(key:)`.
fn basic_auth_user(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let user = text.split(':').next().unwrap_or_default();
    (!user.is_empty()).then(|| user.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_url_forms_name_the_same_resource() {
        let h = HeaderMap::new();
        let a = WsRequest::parse(
            &Method::GET,
            "/api/orders/5",
            Some("output_format=JSON"),
            &h,
            Bytes::new(),
        )
        .expect("api form");
        let b = WsRequest::parse(
            &Method::GET,
            "/webservice/dispatcher.php",
            Some("url=orders/5&output_format=JSON&ws_key=K"),
            &h,
            Bytes::new(),
        )
        .expect("dispatcher form");
        assert_eq!(
            (a.resource.as_str(), a.id.as_deref()),
            ("orders", Some("5"))
        );
        assert_eq!(
            (b.resource.as_str(), b.id.as_deref()),
            ("orders", Some("5"))
        );
        assert_eq!(a.format, Format::Json);
        assert_eq!(b.key.as_deref(), Some("K"));
        let xml = WsRequest::parse(
            &Method::GET,
            "/api/",
            Some("output_format=json"),
            &h,
            Bytes::new(),
        )
        .expect("lower-case json");
        assert_eq!(xml.format, Format::Xml);
    }
}
