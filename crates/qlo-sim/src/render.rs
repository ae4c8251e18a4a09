//! Answers: the JSON and XML renderers, the error envelope and the fixed headers.

use axum::body::Body;
use http::{header, HeaderValue, Response, StatusCode};
use serde_json::{json, Value};

/// `_PS_VERSION_` of a stock QloApps 1.6.1, sent as `PSWS-Version`.
pub const PSWS_VERSION: &str = "1.6.1.23";

/// Output format picked by `Io-Format`/`Output-Format` headers or `io_format`/`output_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// A webservice error: HTTP status plus `(code, message)` pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct WsError {
    pub status: StatusCode,
    pub errors: Vec<(u32, String)>,
}

impl WsError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![(code, message.into())],
        }
    }

    pub fn bad_request(code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// Validation errors of the bookings API: HTTP 400 with code 404.
    pub fn booking(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 404, message)
    }

    pub fn method_not_allowed(code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, code, message)
    }

    /// `XML error : ...` for a body SimpleXMLElement cannot parse.
    pub fn xml(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            127,
            format!("XML error : {detail}"),
        )
    }

    /// The JSON envelope `{"errors":[{"code":N,"message":"..."}]}`.
    /// The same error with the message `from` replaced by `to`.
    pub fn reworded(mut self, from: &str, to: &str) -> Self {
        for (_, message) in &mut self.errors {
            if message == from {
                *message = to.to_owned();
            }
        }
        self
    }

    pub fn to_json(&self) -> Value {
        let errors: Vec<Value> = self
            .errors
            .iter()
            .map(|(code, message)| json!({"code": code, "message": message}))
            .collect();
        json!({ "errors": errors })
    }
}

/// What a handler answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// A JSON value, rendered as XML when XML output was asked for.
    Data(Value),
    /// No body (404 of a missing id, DELETE).
    Empty,
    /// A fixed plain-text body (the key-less 401).
    Text(String),
    /// A ready XML document (the XML resource list).
    Xml(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: StatusCode,
    pub payload: Payload,
    /// Headers beyond the fixed ones (`WWW-Authenticate`, `Retry-After`).
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn ok(data: Value) -> Self {
        Self {
            status: StatusCode::OK,
            payload: Payload::Data(data),
            headers: Vec::new(),
        }
    }

    pub fn created(data: Value) -> Self {
        Self {
            status: StatusCode::CREATED,
            payload: Payload::Data(data),
            headers: Vec::new(),
        }
    }

    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            payload: Payload::Empty,
            headers: Vec::new(),
        }
    }

    pub fn with_status(status: StatusCode, data: Value) -> Self {
        Self {
            status,
            payload: Payload::Data(data),
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl From<WsError> for Reply {
    fn from(e: WsError) -> Self {
        Self::with_status(e.status, e.to_json())
    }
}

/// Builds the HTTP response with the headers every webservice answer carries.
pub fn to_response(reply: Reply, format: Format) -> Response<Body> {
    let (content_type, body) = match reply.payload {
        Payload::Empty => (None, Body::empty()),
        Payload::Text(text) => (Some("text/html; charset=utf-8"), Body::from(text)),
        Payload::Xml(xml) => (Some("text/xml;charset=utf-8"), Body::from(xml)),
        Payload::Data(value) => match format {
            Format::Json => (Some("application/json"), Body::from(value.to_string())),
            Format::Xml => (Some("text/xml;charset=utf-8"), Body::from(to_xml(&value))),
        },
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    if let Some(ct) = content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    headers.insert("PSWS-Version", HeaderValue::from_static(PSWS_VERSION));
    headers.insert(
        "X-Powered-By",
        HeaderValue::from_static("PrestaShop Webservice"),
    );
    headers.insert("Execution-Time", HeaderValue::from_static("0.001"));
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}

/// A minimal XML rendering of a JSON answer, under `<qloapps>` as the real server does.
/// Arrays of objects become repeated singular elements (`orders` → `<order>`), error lists
/// become `<errors><error><code>..`.
pub fn to_xml(value: &Value) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<qloapps xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n",
    );
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                write_element(&mut out, k, v);
            }
        }
        // An empty list renders as an empty document, like the real server.
        Value::Array(items) if items.is_empty() => {}
        other => write_element(&mut out, "value", other),
    }
    out.push_str("</qloapps>\n");
    out
}

fn write_element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                write_element(out, k, v);
            }
            out.push_str(&format!("</{name}>\n"));
        }
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            let child = singular(name);
            for item in items {
                write_element(out, &child, item);
            }
            out.push_str(&format!("</{name}>\n"));
        }
        scalar => {
            let text = crate::filters::value_text(scalar).replace("]]>", "]]]]><![CDATA[>");
            out.push_str(&format!("<{name}><![CDATA[{text}]]></{name}>\n"));
        }
    }
}

/// English singular of a node name (`room_types` → `room_type`, `categories` → `category`).
pub fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if let Some(stem) = name.strip_suffix("sses") {
        return format!("{stem}ss");
    }
    if let Some(stem) = name.strip_suffix('s') {
        return stem.to_owned();
    }
    format!("{name}_item")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_render_in_both_formats() {
        let e = WsError::bad_request(27, "nope");
        assert_eq!(
            e.to_json(),
            json!({"errors":[{"code":27,"message":"nope"}]})
        );
        let xml = to_xml(&e.to_json());
        assert!(xml.contains("<errors><error><code><![CDATA[27]]></code>"));
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("categories"), "category");
    }
}
