//! Builds the worker from its config and runs it until shutdown.

use std::sync::Arc;

use anyhow::Context;
use sync_core::crypto::KeyRing;
use sync_core::messages::{OutboundMessage, QueueKind};
use sync_core::push::PushService;
use sync_core::qlo_clients::QloClients;
use sync_core::queue::{QueueConsumer, Topology};
use tokio_util::sync::CancellationToken;

use crate::{OutboundHandler, WorkerConfig};

pub struct OutboundWorker {
    consumer: QueueConsumer<OutboundMessage, OutboundHandler>,
}

impl OutboundWorker {
    pub async fn build(config: WorkerConfig) -> anyhow::Result<Self> {
        let pool = sync_core::db::connect_lazy(&config.database)?;
        let keys = Arc::new(
            KeyRing::from_settings(&config.crypto).context("loading the encryption keys")?,
        );
        let resilience = sync_core::shared_resilience::factory(pool.clone());
        let clients = Arc::new(QloClients::new(keys, config.client, Some(resilience)));
        let handler = OutboundHandler::new(PushService::new(pool, clients));
        let topology = Topology::new(config.queue);
        let consumer = QueueConsumer::new(
            config.rabbitmq_url,
            topology,
            QueueKind::Outbound,
            config.consumer,
            handler,
        );
        Ok(OutboundWorker { consumer })
    }

    /// Consumes until `shutdown` fires, then finishes in-flight messages and closes.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        self.consumer
            .run(shutdown)
            .await
            .context("consuming qloapps.outbound")
    }
}
