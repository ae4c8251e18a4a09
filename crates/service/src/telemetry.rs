//! Tracing set-up shared by every qlosync process: JSON or pretty output, `RUST_LOG` filter.

use std::sync::OnceLock;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use sync_core::config::{LogFormat, LogSettings};

static INIT: OnceLock<()> = OnceLock::new();

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
        let registry = tracing_subscriber::registry().with(filter);
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
