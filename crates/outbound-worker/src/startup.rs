//! Builds the worker from its config and runs it until shutdown.

use std::sync::Arc;

use anyhow::Context;
use qlosync_service::ops_server::OpsServer;
use sync_core::crypto::KeyRing;
use sync_core::messages::{OutboundMessage, QueueKind};
use sync_core::nightly::availability::AvailabilityService;
use sync_core::nightly::rates::RateService;
use sync_core::push::PushService;
use sync_core::qlo_clients::QloClients;
use sync_queue::queue::{watch_queue_depths, QueueConsumer, Topology};
use tokio_util::sync::CancellationToken;

use crate::{OutboundHandler, WorkerConfig};

pub struct OutboundWorker {
    consumer: QueueConsumer<OutboundMessage, OutboundHandler>,
    ops: OpsServer,
    /// Broker URL, topology and interval of the `qlosync_queue_depth` gauges it keeps.
    depths: (String, Topology, std::time::Duration),
}

impl OutboundWorker {
    pub async fn build(config: WorkerConfig) -> anyhow::Result<Self> {
        // each in-flight message holds a connection for its push, and the shared limiter and
        // breaker need one beside it: never let the pool be what serialises the worker
        let mut database = config.common.database.clone();
        database.max_connections = database
            .max_connections
            .max(u32::from(config.common.consumer.prefetch) + 2);
        let pool = sync_core::db::connect_lazy(&database)?;
        let keys = Arc::new(
            KeyRing::from_settings(&config.common.crypto).context("loading the encryption keys")?,
        );
        let ops = OpsServer::bind(config.ops_addr, "outbound-worker", pool.clone())
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
        let handler = OutboundHandler::new(
            PushService::new(pool.clone(), clients.clone()),
            RateService::new(pool.clone(), clients.clone()),
            AvailabilityService::new(pool, clients),
        );
        let topology = Topology::new(config.common.queue);
        let depths = (
            config.common.rabbitmq_url.clone(),
            topology.clone(),
            config.depth_interval,
        );
        let consumer = QueueConsumer::new(
            config.common.rabbitmq_url,
            topology,
            QueueKind::Outbound,
            config.common.consumer,
            handler,
        );
        let ops = ops.with_broker(consumer.broker_status());
        Ok(OutboundWorker {
            consumer,
            ops,
            depths,
        })
    }

    /// Where `/health`, `/ready` and `/metrics` are served.
    pub fn ops_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.ops.local_addr()
    }

    /// Consumes until `shutdown` fires, then finishes in-flight messages and closes.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let ops = tokio::spawn(self.ops.run(shutdown.child_token()));
        qlosync_service::systemd::started(&shutdown);
        let (url, topology, every) = self.depths;
        tokio::spawn(watch_queue_depths(
            url,
            topology,
            every,
            shutdown.child_token(),
        ));
        let consumed = self
            .consumer
            .run(shutdown.clone())
            .await
            .context("consuming qloapps.outbound");
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
        crate::WorkerConfig::from_env().context("reading the outbound-worker configuration")?;
    qlosync_service::telemetry::init(&config.common.log);
    let process = OutboundWorker::build(config)
        .await
        .context("starting the outbound worker")?;
    let stopped = process
        .run_until_stopped(qlosync_service::shutdown::on_signal())
        .await;
    // the spans of the last moments reach the collector (when OTLP export is on)
    qlosync_service::telemetry::shutdown().await;
    stopped
}
