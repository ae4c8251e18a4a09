//! Builds the worker from its config and runs it until shutdown.

use std::sync::Arc;

use anyhow::Context;
use qlosync_service::ops_server::OpsServer;
use sync_core::crypto::KeyRing;
use sync_core::messages::{InboundMessage, QueueKind};
use sync_core::pull::PullService;
use sync_core::qlo_clients::QloClients;
use sync_queue::queue::{QueueConsumer, Topology};
use tokio_util::sync::CancellationToken;

use crate::{InboundHandler, WorkerConfig};

pub struct InboundWorker {
    consumer: QueueConsumer<InboundMessage, InboundHandler>,
    ops: OpsServer,
    stop_pulls: CancellationToken,
}

impl InboundWorker {
    pub async fn build(config: WorkerConfig) -> anyhow::Result<Self> {
        let pool = sync_core::db::connect_lazy(&config.common.database)?;
        let keys = Arc::new(
            KeyRing::from_settings(&config.common.crypto).context("loading the encryption keys")?,
        );
        let ops = OpsServer::bind(config.ops_addr, "inbound-worker", pool.clone())
            .await
            .with_context(|| format!("binding OPS_LISTEN_ADDR {}", config.ops_addr))?
            .with_limits(config.ops_limits);
        sync_core::metrics_catalog::set_build_info(
            qlosync_build_info::VERSION,
            qlosync_build_info::COMMIT,
        );
        let resilience = sync_core::shared::resilience::factory(pool.clone());
        let clients = Arc::new(QloClients::new(
            keys,
            config.common.client,
            Some(resilience),
        ));
        let handler = InboundHandler::new(PullService::new(pool, clients, config.pull));
        let stop_pulls = handler.stop_token();
        let consumer = QueueConsumer::new(
            config.common.rabbitmq_url,
            Topology::new(config.common.queue),
            QueueKind::Inbound,
            config.common.consumer,
            handler,
        );
        let ops = ops.with_broker(consumer.broker_status());
        Ok(InboundWorker {
            consumer,
            ops,
            stop_pulls,
        })
    }

    /// Where `/health`, `/ready` and `/metrics` are served.
    pub fn ops_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.ops.local_addr()
    }

    /// Consumes until `shutdown` fires, then finishes in-flight pulls and closes.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let ops = tokio::spawn(self.ops.run(shutdown.child_token()));
        qlosync_service::systemd::started(&shutdown);
        let (signal, stop_pulls) = (shutdown.clone(), self.stop_pulls);
        tokio::spawn(async move {
            signal.cancelled().await;
            stop_pulls.cancel();
        });
        let consumed = self
            .consumer
            .run(shutdown.clone())
            .await
            .context("consuming qloapps.inbound");
        shutdown.cancel();
        ops.await
            .context("ops server task")?
            .context("serving /health, /ready, /metrics")?;
        consumed
    }
}

/// What `main` runs: the configuration from the environment, logging, then the process until
/// SIGTERM or Ctrl-C.
pub async fn run_from_env() -> anyhow::Result<()> {
    let config =
        crate::WorkerConfig::from_env().context("reading the inbound-worker configuration")?;
    qlosync_service::telemetry::init(&config.common.log);
    let process = InboundWorker::build(config)
        .await
        .context("starting the inbound worker")?;
    let stopped = process
        .run_until_stopped(qlosync_service::shutdown::on_signal())
        .await;
    // the spans of the last moments reach the collector (when OTLP export is on)
    qlosync_service::telemetry::shutdown().await;
    stopped
}
