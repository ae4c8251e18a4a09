//! Tracing set-up shared by every qlosync process: JSON or pretty output, `RUST_LOG` filter,
//! and OTLP span export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (`crate::otlp`).

use std::sync::OnceLock;

use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use sync_core::config::{LogFormat, LogSettings};

static INIT: OnceLock<()> = OnceLock::new();
/// The exporting provider of this process, when `init` built one (flushed by [`shutdown`]).
static EXPORT: OnceLock<Export> = OnceLock::new();

/// An OTLP exporter and the tracing layer that feeds it.
#[derive(Debug, Clone)]
pub struct Export {
    provider: SdkTracerProvider,
}

impl Export {
    /// The exporter for `settings`; `None` (nothing built, nothing sent) without them. Call
    /// inside a tokio runtime.
    pub fn build(
        settings: Option<&sync_core::config::OtlpSettings>,
    ) -> Result<Option<Export>, sync_core::config::ConfigError> {
        settings
            .map(|s| crate::otlp::provider(s).map(|provider| Export { provider }))
            .transpose()
    }

    /// The layer that turns every span of the subscriber it joins into an exported span.
    pub fn layer<S>(&self) -> impl Layer<S>
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    {
        tracing_opentelemetry::layer()
            .with_tracer(crate::otlp::tracer(&self.provider))
            // entering a span must not start its OTel span: the api's request span is entered
            // before `enter` gives it the caller's trace as parent (qlosync propagates its own
            // context, `qlosync_trace_context`, so no OTel context needs activating)
            .with_context_activation(false)
    }

    /// Sends what is still buffered and stops the exporter (off the runtime's threads: the
    /// export itself runs on the runtime).
    pub async fn shutdown(&self) {
        let provider = self.provider.clone();
        match tokio::task::spawn_blocking(move || provider.shutdown()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "flushing the OTLP exporter"),
            Err(error) => tracing::warn!(%error, "flushing the OTLP exporter"),
        }
    }
}

/// Flushes and stops the process's OTLP exporter, if `init` built one; call when the process
/// stops.
pub async fn shutdown() {
    if let Some(export) = EXPORT.get() {
        export.shutdown().await;
    }
}

/// Installs the global subscriber writing to stdout. Later calls do nothing, so a binary and an
/// in-process test harness can both call it.
pub fn init(settings: &LogSettings) {
    init_with_writer(settings, std::io::stdout);
}

/// For commands whose standard output is their result (JSON, a key): logs go to stderr.
pub fn init_to_stderr(settings: &LogSettings) {
    init_with_writer(settings, std::io::stderr);
}

/// For tests: logs only when `TEST_LOG` is set (docs/architecture.md, "Conventions"), through the test writer so
/// `cargo test` captures them per test.
pub fn init_for_tests() {
    if std::env::var_os("TEST_LOG").is_some() {
        let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "debug".to_owned());
        init_with_writer(
            &LogSettings {
                format: LogFormat::Pretty,
                filter,
                otlp: None,
            },
            tracing_subscriber::fmt::TestWriter::new,
        );
    }
}

fn init_with_writer<W>(settings: &LogSettings, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    INIT.get_or_init(|| {
        let filter =
            EnvFilter::try_new(&settings.filter).unwrap_or_else(|_| EnvFilter::new("info"));
        let (export, refused) = match Export::build(settings.otlp.as_ref()) {
            Ok(export) => (export, None),
            Err(error) => (None, Some(error)),
        };
        let exporting = export.as_ref().map(|e| e.layer());
        if let Some(export) = export {
            let _ = EXPORT.set(export);
        }
        let registry = tracing_subscriber::registry().with(filter).with(exporting);
        // try_init: another subscriber (a test's) may already be installed; keep it
        let _ = match settings.format {
            LogFormat::Json => registry
                .with(
                    tracing_subscriber::fmt::layer()
                        .json()
                        .with_current_span(true)
                        .with_writer(writer),
                )
                .try_init(),
            LogFormat::Pretty => registry
                .with(tracing_subscriber::fmt::layer().with_writer(writer))
                .try_init(),
        };
        if let Some(error) = refused {
            tracing::warn!(%error, "spans are not exported");
        }
        if let Some(settings) = &settings.otlp {
            if EXPORT.get().is_some() {
                tracing::info!(
                    endpoint = %settings.traces_url,
                    service = %settings.service_name,
                    "exporting spans over OTLP/HTTP"
                );
            }
        }
    });
}

static PROMETHEUS: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();

/// The process-wide Prometheus recorder (histogram buckets and `# HELP` texts from
/// `sync_core::metrics_catalog`), installed on first use; later calls (several apps or
/// workers built in one test process) reuse it instead of installing a second one.
pub fn prometheus_handle() -> metrics_exporter_prometheus::PrometheusHandle {
    PROMETHEUS
        .get_or_init(|| {
            // only an empty bucket list is refused, and the catalog has none
            let builder = sync_core::metrics_catalog::builder().unwrap_or_else(|error| {
                tracing::warn!(%error, "histogram buckets refused; durations render as summaries");
                metrics_exporter_prometheus::PrometheusBuilder::new()
            });
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!(
                    "a global metrics recorder was already installed; /metrics will be empty"
                );
            }
            sync_core::metrics_catalog::describe();
            handle
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::TraceContextExt;
    use qlosync_trace_context::{enter, TraceContext};
    use tracing_opentelemetry::OpenTelemetrySpanExt;

    #[test]
    fn without_otlp_settings_no_exporter_is_built() {
        // outside any runtime too: nothing is started
        assert!(matches!(Export::build(None), Ok(None)));
        assert!(LogSettings::default().otlp.is_none());
    }

    #[test]
    fn outside_an_exported_span_the_context_is_a_child_of_the_remote() {
        let remote = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        let span = tracing::info_span!("request");
        let context = enter(&span, remote);
        assert_eq!(context.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(context.span_id(), "00f067aa0ba902b7");
    }

    #[tokio::test]
    async fn an_exported_span_is_a_child_of_the_remote_and_names_itself() {
        let settings = sync_core::config::OtlpSettings {
            // nothing listens there; the test only reads the ids
            traces_url: "http://127.0.0.1:9/v1/traces".to_owned(),
            service_name: "test".to_owned(),
        };
        let export = Export::build(Some(&settings))
            .ok()
            .flatten()
            .expect("built");
        let subscriber = tracing_subscriber::registry().with(export.layer());
        let remote = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        let (context, exported) = tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request");
            // the api's request span is already entered when its trace is known
            let _entered = span.enter();
            let context = enter(&span, remote);
            let exported = span.context().span().span_context().span_id().to_bytes();
            (context, exported)
        });
        assert_eq!(context.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(context.span_id_bytes(), exported);
        assert_ne!(context.span_id(), "00f067aa0ba902b7");
    }
}
