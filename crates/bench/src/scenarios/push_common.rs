//! What the push scenarios share: a stack with one outbound worker and an in-process simulator
//! (zero latency), a demo property pointing at it, and the size of a real outbound message.

use anyhow::Context as _;
use qlo_sim::{SimConfig, SimServer};

use crate::db::BenchDb;
use crate::stack::{Demo, Stack};

pub struct PushRig {
    pub stack: Stack,
    pub sim: SimServer,
    pub demo: Demo,
}

impl PushRig {
    pub async fn start(workers: usize) -> anyhow::Result<PushRig> {
        let db = BenchDb::create(8).await?;
        let mut stack = Stack::start(db, &[]).await?;
        for _ in 0..workers {
            stack.start_worker().await?;
        }
        let sim = SimServer::start(SimConfig::default())
            .await
            .context("starting qlo-sim")?;
        let demo = Demo::create(&stack, &sim.api_url(), sim.api_key()).await?;
        Ok(PushRig { stack, sim, demo })
    }

    /// Bytes of the `reservation.create` messages the relay published (their mean).
    pub async fn message_size(&self) -> anyhow::Result<usize> {
        let size: Option<f64> = sqlx::query_scalar(
            "SELECT avg(octet_length(payload::text))::float8 FROM outbox WHERE event_type = 'reservation.create'",
        )
        .fetch_one(&self.stack.db.pool)
        .await?;
        Ok(size.unwrap_or(300.0).round() as usize)
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.sim.shutdown().await;
        self.stack.stop().await
    }
}
