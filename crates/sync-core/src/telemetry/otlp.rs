//! Optional OTLP span export: with `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, the process sends its spans as OTLP/HTTP
//! protobuf to `<endpoint>/v1/traces` (the signal variable names the full URL) through a batch
//! processor; unset, no exporter, processor or thread exists and nothing is sent.
//!
//! Each request and message span is made a child of the W3C context qlosync propagates
//! ([`super::enter`]), so the exported spans carry the trace id of the `traceparent` the api
//! answers, the outbox row keeps and the QloApps calls send.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;

use crate::config::ConfigError;

/// The general endpoint (`/v1/traces` is appended).
pub const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
/// The traces endpoint, a full URL (wins over [`ENDPOINT`]).
pub const TRACES_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
/// The `service.name` of the exported spans (default: the binary's name).
pub const SERVICE_NAME: &str = "OTEL_SERVICE_NAME";

/// Where and as what the spans go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtlpSettings {
    /// The traces URL, `.../v1/traces`.
    pub traces_url: String,
    pub service_name: String,
}

impl OtlpSettings {
    /// `None` when neither endpoint variable is set (no export). `default_service` names the
    /// process when `OTEL_SERVICE_NAME` is unset.
    pub fn from_env(
        env: &impl Fn(&str) -> Option<String>,
        default_service: &str,
    ) -> Result<Option<OtlpSettings>, ConfigError> {
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let (var, traces_url) = match (set(TRACES_ENDPOINT), set(ENDPOINT)) {
            (Some(url), _) => (TRACES_ENDPOINT, url.trim().to_owned()),
            (None, Some(base)) => (
                ENDPOINT,
                format!("{}/v1/traces", base.trim().trim_end_matches('/')),
            ),
            (None, None) => return Ok(None),
        };
        let parsed = reqwest::Url::parse(&traces_url)
            .map_err(|e| ConfigError::new(var, format!("not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError::new(var, "must be an http:// or https:// URL"));
        }
        let service_name = set(SERVICE_NAME).unwrap_or_else(|| default_service.to_owned());
        Ok(Some(OtlpSettings {
            traces_url,
            service_name,
        }))
    }
}

/// The name of the running binary (`api`, `outbound-worker`, ...), the default service name.
pub fn binary_name() -> String {
    std::env::args_os()
        .next()
        .map(std::path::PathBuf::from)
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "qlosync".to_owned())
}

/// The tracer provider exporting to `settings`; its batch processor runs on a thread of its
/// own and sends each batch on the current tokio runtime (call inside one).
pub fn provider(settings: &OtlpSettings) -> Result<SdkTracerProvider, ConfigError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
        ConfigError::new(ENDPOINT, "the OTLP exporter needs a running tokio runtime")
    })?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| ConfigError::new(ENDPOINT, format!("HTTP client: {e}")))?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_endpoint(settings.traces_url.clone())
        .with_http_client(OnRuntime {
            client,
            runtime: Arc::new(runtime),
        })
        .build()
        .map_err(|e| ConfigError::new(ENDPOINT, format!("OTLP exporter: {e}")))?;
    let resource = Resource::builder()
        .with_service_name(settings.service_name.clone())
        .build();
    Ok(SdkTracerProvider::builder()
        .with_resource(resource)
        .with_batch_exporter(exporter)
        .build())
}

/// A tracer of `provider` for the tracing layer.
pub fn tracer(provider: &SdkTracerProvider) -> opentelemetry_sdk::trace::Tracer {
    provider.tracer("qlosync")
}

/// The workspace's reqwest client, each request sent as a task of the runtime it was built on
/// (the batch processor's thread has no runtime of its own).
#[derive(Debug)]
struct OnRuntime {
    client: reqwest::Client,
    runtime: Arc<tokio::runtime::Handle>,
}

#[async_trait]
impl HttpClient for OnRuntime {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let mut builder = self
            .client
            .request(parts.method, parts.uri.to_string())
            .body(body);
        for (name, value) in &parts.headers {
            builder = builder.header(name, value);
        }
        let sent = self.runtime.spawn(async move {
            let response = builder.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        });
        let (status, headers, body) = sent.await??;
        let mut response = Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn without_an_endpoint_there_is_no_exporter() {
        assert_eq!(OtlpSettings::from_env(&env_of(&[]), "api").ok(), Some(None));
        let blank = env_of(&[(ENDPOINT, " "), (SERVICE_NAME, "x")]);
        assert_eq!(OtlpSettings::from_env(&blank, "api").ok(), Some(None));
    }

    #[test]
    fn the_endpoint_gets_the_traces_path_and_the_service_defaults_to_the_binary() {
        let settings =
            OtlpSettings::from_env(&env_of(&[(ENDPOINT, "http://127.0.0.1:4318/")]), "api")
                .ok()
                .flatten();
        assert_eq!(
            settings,
            Some(OtlpSettings {
                traces_url: "http://127.0.0.1:4318/v1/traces".to_owned(),
                service_name: "api".to_owned(),
            })
        );
        let env = env_of(&[
            (ENDPOINT, "http://127.0.0.1:4318"),
            (TRACES_ENDPOINT, "http://127.0.0.1:9/t"),
            (SERVICE_NAME, "pms-api"),
        ]);
        let settings = OtlpSettings::from_env(&env, "api").ok().flatten();
        assert_eq!(
            settings.map(|s| (s.traces_url, s.service_name)),
            Some(("http://127.0.0.1:9/t".to_owned(), "pms-api".to_owned()))
        );
        let bad = OtlpSettings::from_env(&env_of(&[(ENDPOINT, "127.0.0.1:4318")]), "api");
        assert_eq!(bad.err().map(|e| e.var), Some(ENDPOINT));
    }
}
