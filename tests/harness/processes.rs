//! The pull-side processes a test starts beside the stack: inbound workers and schedulers.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::Stack;

/// An inbound worker or a scheduler running in a task of this test.
pub struct Process {
    cancel: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
    /// Where its `/health`, `/ready` and `/metrics` answer.
    pub ops_url: String,
}

impl Process {
    pub async fn stop(self) {
        self.cancel.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task).await;
    }
}

pub async fn inbound_worker(stack: &Stack) -> Process {
    let env = stack.env.clone();
    let config =
        inbound_worker::WorkerConfig::from_lookup(&env.lookup()).expect("inbound settings");
    let worker = inbound_worker::InboundWorker::build(config)
        .await
        .expect("inbound worker builds");
    let ops_url = format!("http://{}", worker.ops_addr().expect("ops address"));
    let cancel = CancellationToken::new();
    let task = tokio::spawn(worker.run_until_stopped(cancel.clone()));
    Process {
        cancel,
        task,
        ops_url,
    }
}

/// A scheduler polling every 250 ms, pages of 10.
pub async fn scheduler(stack: &Stack) -> Process {
    let env = stack
        .env
        .with("QLOAPPS_SYNC_INTERVAL_MS", "250")
        .with("QLOAPPS_SYNC_TICK_MS", "10")
        .with("QLOAPPS_PULL_PAGE_SIZE", "10")
        .with("QLOSYNC_GAUGES_INTERVAL_MS", "200");
    let config =
        sync_scheduler::SchedulerConfig::from_lookup(&env.lookup()).expect("scheduler settings");
    let scheduler = sync_scheduler::SyncScheduler::build(config)
        .await
        .expect("scheduler builds");
    let ops_url = format!("http://{}", scheduler.ops_addr().expect("ops address"));
    let cancel = CancellationToken::new();
    let task = tokio::spawn(scheduler.run_until_stopped(cancel.clone()));
    Process {
        cancel,
        task,
        ops_url,
    }
}
