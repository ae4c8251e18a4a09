//! Optional OTLP span export: with `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set (`sync_core::config::OtlpSettings`), the process
//! sends its spans as OTLP/HTTP protobuf to `<endpoint>/v1/traces` through a batch processor;
//! unset, no exporter, processor or thread exists and nothing is sent.
//!
//! Each request and message span is made a child of the W3C context qlosync propagates
//! (`qlosync_trace_context::enter`), so the exported spans carry the trace id of the
//! `traceparent` the api answers, the outbox row keeps and the QloApps calls send.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;

use sync_core::config::otlp::ENDPOINT;
use sync_core::config::{ConfigError, OtlpSettings};

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
