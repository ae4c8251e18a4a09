//! The loop: every tick, start the due configs' pulls (at most `max_concurrent` at once), and
//! record each result in the [`Schedule`]. On shutdown, running pulls stop after their current
//! page and are awaited for the grace period.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sqlx::PgPool;
use sync_core::domain::ConfigId;
use sync_core::locks::pull as pull_lock;
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::jobs::pull::{run_once, JobContext, JobOutcome};
use crate::schedule::{Schedule, Timing};

/// How often `running` rows older than 10 minutes are looked for (README "Sync not running").
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub struct Scheduler {
    pub ctx: Arc<JobContext>,
    pub pool: PgPool,
    pub timing: Timing,
    pub max_concurrent: usize,
    pub shutdown_grace: Duration,
    /// Beats on every tick that listed the configs: the scheduler's `/ready`.
    pub heartbeat: qlosync_service::readiness::Heartbeat,
}

impl Scheduler {
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        let mut schedule = Schedule::new(self.timing);
        let mut in_flight: JoinSet<(ConfigId, JobOutcome)> = JoinSet::new();
        let mut ticker = tokio::time::interval(self.timing.tick);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_sweep: Option<Instant> = None;
        tracing::info!(
            interval_ms = self.timing.interval.as_millis(),
            max_concurrent = self.max_concurrent,
            "sync scheduler running"
        );
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                Some(joined) = in_flight.join_next(), if !in_flight.is_empty() => match joined {
                    Ok((config_id, outcome)) => self.record(&mut schedule, config_id, &outcome),
                    Err(e) => tracing::error!(error = %e, "a pull task failed"),
                },
                _ = ticker.tick() => {
                    if last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
                        last_sweep = Some(Instant::now());
                        if let Err(error) = pull_lock::sweep_stale_runs(&self.pool, pull_lock::STALE_AFTER).await {
                            tracing::warn!(%error, "stale-run sweep failed");
                        }
                    }
                    let configs = match sync_core::db::qloapps_config::syncing_configs(&self.pool).await {
                        Ok(configs) => {
                            self.heartbeat.beat();
                            metrics::gauge!(crate::gauges::LAST_TICK)
                                .set(chrono::Utc::now().timestamp() as f64);
                            configs
                        }
                        Err(error) => {
                            tracing::warn!(%error, "cannot list QloApps configs; trying again next tick");
                            continue;
                        }
                    };
                    let free = self.max_concurrent.saturating_sub(in_flight.len());
                    for config_id in schedule.take_due(&configs, Instant::now(), free) {
                        let (ctx, cancel) = (Arc::clone(&self.ctx), shutdown.clone());
                        in_flight.spawn(async move { (config_id, run_once(&ctx, config_id, &cancel).await) });
                    }
                }
            }
        }
        self.drain(in_flight).await;
    }

    fn record(&self, schedule: &mut Schedule, config_id: ConfigId, outcome: &JobOutcome) {
        let unit: f64 = rand::thread_rng().gen();
        let next_in = schedule.finish(config_id, outcome.result(), Instant::now(), unit);
        let next_in_ms = u64::try_from(next_in.as_millis()).unwrap_or(u64::MAX);
        let label = match outcome {
            JobOutcome::Completed(_) => "completed",
            JobOutcome::Busy => "busy",
            JobOutcome::NotSyncing(_) => "not_syncing",
            JobOutcome::Failed(_) => "failed",
        };
        metrics::counter!(crate::gauges::SCHEDULER_RUNS, "outcome" => label).increment(1);
        match outcome {
            JobOutcome::Completed(r) => {
                let c = &r.counts;
                tracing::info!(
                    %config_id, sync_type = r.sync_type, processed = c.processed, created = c.created,
                    updated = c.updated, skipped = c.skipped, failed = c.failed,
                    duration_ms = u64::try_from(r.duration.as_millis()).unwrap_or(u64::MAX), next_in_ms,
                    "scheduled pull done"
                );
            }
            JobOutcome::Busy => {
                tracing::info!(%config_id, next_in_ms, "a pull is already running for this config; skipped")
            }
            JobOutcome::NotSyncing(why) => {
                tracing::info!(%config_id, reason = %why, "config no longer syncs; skipped")
            }
            JobOutcome::Failed(error) => tracing::warn!(
                %config_id, %error, failures = schedule.failures(config_id), next_in_ms,
                "scheduled pull failed; backing off"
            ),
        }
    }

    /// Waits for running pulls (they stop after their current page); aborts what is left after
    /// the grace period: the pull lock dies with its connection and the next run resumes.
    async fn drain(&self, mut in_flight: JoinSet<(ConfigId, JobOutcome)>) {
        if in_flight.is_empty() {
            return;
        }
        tracing::info!(
            running = in_flight.len(),
            "waiting for running pulls to stop"
        );
        let drain = async { while in_flight.join_next().await.is_some() {} };
        if tokio::time::timeout(self.shutdown_grace, drain)
            .await
            .is_err()
        {
            tracing::warn!("pulls did not stop in time; abandoning them");
            in_flight.abort_all();
        }
    }
}
