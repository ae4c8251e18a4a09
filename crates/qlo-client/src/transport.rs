//! The one place requests leave the client. Per attempt, in this order (docs/architecture.md, "Resilience"):
//! circuit breaker → rate limiter → request with timeout → classify → record in the breaker;
//! an outer loop retries transient failures with backoff, honouring `Retry-After`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::{HeaderMap, Method};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;
use url::Url;

use crate::circuit_breaker::{CallOutcome, CircuitBreaker};
use crate::config::{Endpoint, RetryConfig};
use crate::error::Error;
use crate::models::{lenient, ErrorEnvelope, QloMessage};
use crate::rate_limit::RateLimiter;
use crate::retry::{self, Idempotency};

/// A request body with its content type.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Body {
    pub(crate) fn json(value: &impl serde::Serialize, resource: &str) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(value).map_err(|e| Error::Encode {
            resource: resource.to_owned(),
            message: e.to_string(),
        })?;
        Ok(Body {
            content_type: "application/json",
            bytes,
        })
    }

    pub(crate) fn xml(bytes: Vec<u8>) -> Self {
        Body {
            content_type: "application/xml",
            bytes,
        }
    }
}

/// One logical QloApps call.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: Method,
    /// The resource name (metric label, error text): `orders`, `bookings`, `""` for the root.
    pub resource: &'static str,
    /// The object id, when the path addresses one.
    pub id: Option<String>,
    /// Extra query pairs (`output_format` and `language` are added by the transport).
    pub query: Vec<(String, String)>,
    pub body: Option<Body>,
    pub idempotency: Idempotency,
    /// Whether to send `language=<id>` (generic resources with i18n fields).
    pub with_language: bool,
}

impl Request {
    pub(crate) fn get(resource: &'static str) -> Self {
        Request {
            method: Method::GET,
            resource,
            id: None,
            query: Vec::new(),
            body: None,
            idempotency: Idempotency::Idempotent,
            with_language: true,
        }
    }

    pub(crate) fn write(
        method: Method,
        resource: &'static str,
        body: Body,
        idempotency: Idempotency,
    ) -> Self {
        Request {
            method,
            body: Some(body),
            idempotency,
            ..Request::get(resource)
        }
    }

    pub(crate) fn id(mut self, id: impl ToString) -> Self {
        self.id = Some(id.to_string());
        self
    }

    pub(crate) fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub(crate) fn without_language(mut self) -> Self {
        self.with_language = false;
        self
    }

    fn path(&self) -> String {
        match &self.id {
            Some(id) => format!("{}/{}", self.resource, id),
            None => self.resource.to_owned(),
        }
    }
}

/// A QloApps answer with a 2xx status.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Round trip of the attempt that produced it.
    pub latency: Duration,
}

impl Response {
    fn decode_error(&self, resource: &str, message: impl fmt::Display) -> Error {
        Error::Decode {
            resource: resource.to_owned(),
            message: format!("{message} (body: {})", excerpt(&self.body)),
        }
    }

    pub(crate) fn json<T: DeserializeOwned>(&self, resource: &str) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| self.decode_error(resource, e))
    }

    /// A list answer: `{"<node>":[...]}`, or a bare `[]` when nothing matched.
    pub(crate) fn list<T: DeserializeOwned>(
        &self,
        resource: &str,
        node: &str,
    ) -> Result<Vec<T>, Error> {
        let value: Value = self.json(resource)?;
        let items = match value {
            Value::Array(items) if items.is_empty() => return Ok(Vec::new()),
            Value::Object(mut map) => map
                .remove(node)
                .ok_or_else(|| self.decode_error(resource, format!("no `{node}` list")))?,
            other => other,
        };
        lenient::value_to_vec(items).map_err(|e| self.decode_error(resource, e))
    }

    /// A single-object answer: `{"<node>":{...}}`.
    pub(crate) fn single<T: DeserializeOwned>(
        &self,
        resource: &str,
        node: &str,
    ) -> Result<T, Error> {
        let mut value: Value = self.json(resource)?;
        let inner = value
            .get_mut(node)
            .map(Value::take)
            .ok_or_else(|| self.decode_error(resource, format!("no `{node}` object")))?;
        serde_json::from_value(inner).map_err(|e| self.decode_error(resource, e))
    }
}

/// Sends one HTTP request. The real one is reqwest; tests substitute scripted ones.
#[async_trait]
pub(crate) trait HttpExec: Send + Sync {
    /// Sends and reads the whole answer. Non-2xx statuses are answers, not errors.
    async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<Body>,
    ) -> Result<Response, Error>;
}

/// reqwest with Basic auth `key:` (the key is never put in a URL: no `ws_key`).
pub(crate) struct ReqwestExec {
    client: reqwest::Client,
    api_key: SecretString,
}

impl ReqwestExec {
    pub(crate) fn new(api_key: SecretString) -> Result<Self, crate::config::ConfigError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("qlosync-qlo-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| crate::config::ConfigError::new("http_client", network_message(&e)))?;
        Ok(ReqwestExec { client, api_key })
    }
}

#[async_trait]
impl HttpExec for ReqwestExec {
    async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<Body>,
    ) -> Result<Response, Error> {
        let started = Instant::now();
        // reqwest marks the Authorization header sensitive, so it is never printed.
        let mut request = self
            .client
            .request(method, url)
            .basic_auth(self.api_key.expose_secret(), Some(""));
        // inside a trace (a message's, an API request's): this call is a span of it
        if let Some(traceparent) = qlosync_trace_context::next_header() {
            request = request.header(qlosync_trace_context::HEADER, traceparent);
        }
        if let Some(body) = body {
            request = request
                .header(http::header::CONTENT_TYPE, body.content_type)
                .body(body.bytes);
        }
        let response = request.send().await.map_err(network_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(network_error)?.to_vec();
        Ok(Response {
            status,
            headers,
            body,
            latency: started.elapsed(),
        })
    }
}

/// A reqwest error as text without its URL (ours never holds the key, but be strict).
fn network_message(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut parts = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    let head = if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "reading the answer failed"
    } else {
        "request failed"
    };
    if parts.is_empty() {
        head.to_owned()
    } else {
        format!("{head}: {}", parts.join(": "))
    }
}

fn network_error(e: reqwest::Error) -> Error {
    Error::Network {
        message: network_message(&e),
        connect: e.is_connect(),
    }
}

/// The policy stack around [`HttpExec`].
pub(crate) struct Transport {
    pub endpoint: Endpoint,
    pub language_id: u32,
    pub timeout: Duration,
    pub retry: RetryConfig,
    pub limiter: Arc<dyn RateLimiter>,
    pub breaker: Arc<dyn CircuitBreaker>,
    pub http: Arc<dyn HttpExec>,
}

impl Transport {
    /// Sends `req`, retrying what its idempotency allows.
    pub(crate) async fn send(&self, req: &Request) -> Result<Response, Error> {
        let mut query = Vec::with_capacity(req.query.len() + 2);
        query.push(("output_format".to_owned(), "JSON".to_owned()));
        if req.with_language {
            query.push(("language".to_owned(), self.language_id.to_string()));
        }
        query.extend(req.query.iter().cloned());
        let url = self.endpoint.url(&req.path(), &query)?;

        let mut retry = 0;
        loop {
            let err = match self.attempt(req, &url).await {
                Ok(response) => return Ok(response),
                Err(err) => err,
            };
            let retryable = match req.idempotency {
                Idempotency::Idempotent => is_retryable(&err),
                Idempotency::NonIdempotent => err.is_not_processed(),
            };
            if !retryable || retry >= self.retry.max_retries {
                return Err(err);
            }
            let delay = match err.retry_after() {
                // Waiting longer than our own longest delay would stall the caller; hand the
                // server's wish back instead (the caller defers the work).
                Some(asked) if asked > self.retry.max_delay => return Err(err),
                Some(asked) => asked,
                None => retry::backoff(&self.retry, retry),
            };
            tracing::warn!(
                method = %req.method,
                resource = req.resource,
                retry = retry + 1,
                delay_ms = delay.as_millis() as u64,
                error = %err,
                "retrying QloApps request"
            );
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    async fn attempt(&self, req: &Request, url: &Url) -> Result<Response, Error> {
        let method = req.method.as_str().to_owned();
        let resource = if req.resource.is_empty() {
            "/"
        } else {
            req.resource
        };
        let permit = match self.breaker.try_acquire().await {
            Ok(permit) => permit,
            Err(err) => {
                count(resource, &method, "circuit_open");
                return Err(err);
            }
        };
        self.limiter.acquire().await?;

        let started = Instant::now();
        let call = self
            .http
            .execute(req.method.clone(), url.clone(), req.body.clone());
        let result = match tokio::time::timeout(self.timeout, call).await {
            Err(_) => Err(Error::Timeout {
                after: self.timeout,
            }),
            Ok(Ok(response)) => classify(req, response),
            Ok(Err(err)) => Err(err),
        };
        let elapsed = started.elapsed();

        let status = match &result {
            Ok(response) => response.status.to_string(),
            Err(err) => status_label(err),
        };
        count(resource, &method, &status);
        metrics::histogram!(
            "qlosync_qloapps_request_duration_seconds",
            "resource" => resource,
            "method" => method.clone()
        )
        .record(elapsed.as_secs_f64());
        tracing::debug!(
            method = %req.method,
            resource,
            id = req.id.as_deref().unwrap_or(""),
            status = %status,
            elapsed_ms = elapsed.as_millis() as u64,
            "QloApps call"
        );

        let outcome = match &result {
            Err(err) if err.counts_as_failure() => CallOutcome::Failure,
            _ => CallOutcome::Success,
        };
        self.breaker.record(permit, outcome).await;
        result
    }
}

/// Failures worth another try for an idempotent request.
fn is_retryable(err: &Error) -> bool {
    matches!(
        err,
        Error::Network { .. }
            | Error::Timeout { .. }
            | Error::RateLimited { .. }
            | Error::Unavailable { .. }
            | Error::PhpError { .. }
    )
}

fn count(resource: &'static str, method: &str, status: &str) {
    metrics::counter!(
        "qlosync_qloapps_requests_total",
        "resource" => resource,
        "method" => method.to_owned(),
        "status" => status.to_owned()
    )
    .increment(1);
}

fn status_label(err: &Error) -> String {
    match err {
        Error::Timeout { .. } => "timeout".to_owned(),
        Error::Network { .. } => "network".to_owned(),
        Error::Unauthorized { .. } => "401".to_owned(),
        Error::Forbidden { .. } => "403".to_owned(),
        Error::NotFound { .. } => "404".to_owned(),
        Error::Validation { .. } | Error::RoomsUnavailable { .. } => "400".to_owned(),
        Error::RateLimited { .. } => "429".to_owned(),
        Error::Unavailable { status, .. } | Error::PhpError { status, .. } => status.to_string(),
        Error::Rejected { status, .. } => status.to_string(),
        _ => "error".to_owned(),
    }
}

/// Turns a non-2xx answer into the error that says what failed.
pub(crate) fn classify(req: &Request, response: Response) -> Result<Response, Error> {
    let status = response.status;
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let mut messages = serde_json::from_slice::<ErrorEnvelope>(&response.body)
        .map(|e| e.errors)
        .unwrap_or_default();
    // PHP 8 lists the warnings of reading the body before QloApps' own answer
    // (`[404] Customer not found.`): the reason goes first, so no log or column cuts it off
    messages.sort_by_key(|m| is_php_error(&m.message));
    let detail = if messages.is_empty() {
        excerpt(&response.body)
    } else {
        messages
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let resource = if req.resource.is_empty() {
        "/"
    } else {
        req.resource
    };
    let retry_after = response
        .headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::parse_retry_after(v, chrono::Utc::now()));
    Err(match status {
        401 if messages.iter().any(|m| m.code == 26) => forbidden(req, resource, detail),
        401 => Error::Unauthorized { message: detail },
        403 | 405 => forbidden(req, resource, detail),
        404 => Error::NotFound {
            resource: resource.to_owned(),
            id: req.id.clone(),
        },
        400 if messages.iter().any(|m| is_rooms_unavailable(&m.message)) => {
            Error::RoomsUnavailable { message: detail }
        }
        400 => Error::Validation {
            resource: resource.to_owned(),
            messages: if messages.is_empty() {
                vec![QloMessage {
                    code: 0,
                    message: detail,
                }]
            } else {
                messages
            },
        },
        429 => Error::RateLimited { retry_after },
        500..=599 if !messages.is_empty() && messages.iter().all(|m| is_php_error(&m.message)) => {
            Error::PhpError { status, messages }
        }
        408 | 500..=599 => Error::Unavailable {
            status,
            detail,
            retry_after,
        },
        _ => Error::Rejected {
            resource: resource.to_owned(),
            status,
            detail,
        },
    })
}

fn forbidden(req: &Request, resource: &str, message: String) -> Error {
    Error::Forbidden {
        resource: resource.to_owned(),
        method: req.method.to_string(),
        message,
    }
}

/// QloApps' bookings validation says "Requested room(s) not available." (code 404 in a 400).
fn is_rooms_unavailable(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("room(s) not available") || m.contains("rooms not available")
}

/// `webserviceErrorHandler` prefixes PHP errors with `[PHP Warning #2]`, `[PHP Notice #8]`, ...
fn is_php_error(message: &str) -> bool {
    message.trim_start().starts_with("[PHP ")
}

/// A short, single-line, tag-free excerpt of a body (HTML error pages, plain-text 401s).
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_skip = false;
    let lower = text.to_ascii_lowercase();
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let rest = &lower[i..];
        if !in_tag && (rest.starts_with("<style") || rest.starts_with("<script")) {
            in_skip = true;
        }
        if in_skip && (rest.starts_with("</style>") || rest.starts_with("</script>")) {
            in_skip = false;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag || in_skip => {}
            c => out.push(c),
        }
        i += c.len_utf8();
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return "(empty body)".to_owned();
    }
    match collapsed.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &collapsed[..cut]),
        None => collapsed,
    }
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
