//! Starting a simulator and talking to it over real HTTP.

use std::path::PathBuf;

use qlo_sim::{SimConfig, SimServer};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

pub async fn start() -> SimServer {
    start_with(SimConfig::default()).await
}

pub async fn start_with(config: SimConfig) -> SimServer {
    SimServer::start(config).await.expect("simulator starts")
}

/// A tiny client: Basic auth with the key, JSON output.
pub struct Api {
    pub client: Client,
    pub base: String,
    pub key: String,
}

/// An answer: status, headers and body text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn error_code(&self) -> u64 {
        self.json()["errors"][0]["code"]
            .as_u64()
            .unwrap_or_else(|| panic!("no error code in {}", self.text))
    }
}

impl Api {
    pub fn new(sim: &SimServer) -> Self {
        Self {
            client: Client::new(),
            base: sim.api_url(),
            key: sim.api_key().to_owned(),
        }
    }

    /// `path` is relative to `/api/`, e.g. `orders?display=full`. JSON output is added.
    pub fn url(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}/{}{}output_format=JSON", self.base, path, sep)
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<String>) -> Answer {
        let mut req = self
            .client
            .request(method, self.url(path))
            .basic_auth(&self.key, Some(""));
        if let Some(body) = body {
            req = req.body(body);
        }
        let resp = req.send().await.expect("request answered");
        Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.expect("body read"),
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: impl Into<String>) -> Answer {
        self.send(Method::POST, path, Some(body.into())).await
    }

    pub async fn put(&self, path: &str, body: impl Into<String>) -> Answer {
        self.send(Method::PUT, path, Some(body.into())).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }
}

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Asserts `actual` has the keys and JSON value types of `expected`, recursively. Arrays
/// compare element i with expected element i (or the first one past the sample's end); `skip` names keys (anywhere) the
/// simulator deliberately leaves out.
pub fn assert_same_shape(expected: &Value, actual: &Value, skip: &[&str]) {
    let mut problems = Vec::new();
    compare(expected, actual, "$", skip, &mut problems);
    assert!(
        problems.is_empty(),
        "shape differs:\n{}",
        problems.join("\n")
    );
}

fn compare(expected: &Value, actual: &Value, path: &str, skip: &[&str], out: &mut Vec<String>) {
    if kind(expected) != kind(actual) {
        out.push(format!(
            "{path}: expected {} got {} ({actual})",
            kind(expected),
            kind(actual)
        ));
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                if skip.contains(&k.as_str()) {
                    continue;
                }
                match a.get(k) {
                    Some(av) => compare(ev, av, &format!("{path}.{k}"), skip, out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in a.keys() {
                if !e.contains_key(k) && !skip.contains(&k.as_str()) {
                    out.push(format!("{path}.{k}: not in the real sample"));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let Some(first) = e.first() {
                if a.is_empty() {
                    out.push(format!("{path}: empty array, the sample has elements"));
                }
                for (i, av) in a.iter().enumerate() {
                    let ev = e.get(i).unwrap_or(first);
                    compare(ev, av, &format!("{path}[{i}]"), skip, out);
                }
            }
        }
        _ => {}
    }
}
