//! Pull: QloApps bookings into PMS reservations (docs/architecture.md, "Pull: QloApps bookings
//! reaching the PMS" and "Sync rules").
//!
//! A pull runs under the config's pull lock (`locks::pull`), records itself in
//! `qloapps_sync_state` and each booking's outcome in `qloapps_sync_log`. A full pull reads
//! every order; an incremental one starts from the stored watermark minus an overlap margin.
//! Orders are read a page at a time (`page`), each page's room lines and customers in one call
//! each, and applied in one transaction per page with a savepoint per booking, so a booking
//! that fails (an unmapped room type, bad data) is logged and the run goes on. Memory holds one
//! page, whatever the number of bookings. The mapping rule is documented in `map`.

pub(crate) mod apply;
pub mod conflict;
pub(crate) mod context;
mod echo;
pub mod failures;
mod group;
mod job;
pub mod map;
pub mod page;
pub(crate) mod pair;
pub mod record;
mod run;
pub mod watermark;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub use record::Counts;

use crate::config::{parse_or, ConfigError};
use crate::db;
pub use crate::db::qloapps_pull_failures::Backoff;
use crate::domain::{ConfigId, NotSyncing, SyncDirection};
use crate::locks::pull::PullLock;
use crate::qlo_clients::QloClients;
use crate::sync_error::SyncError;

/// How pulls read QloApps (`QLOAPPS_PULL_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullSettings {
    /// Orders per page (`QLOAPPS_PULL_PAGE_SIZE`, default 100, at most 199 so a page and its
    /// overlap row fit one batched call).
    pub page_size: u32,
    /// How far before the watermark an incremental pull starts (`QLOAPPS_PULL_OVERLAP_SECS`,
    /// default 60): orders committed late with an earlier `date_upd` are still seen.
    pub overlap: Duration,
    /// When an order that failed to apply is retried (`QLOAPPS_PULL_RETRY_BACKOFF_SECS`,
    /// default 60, doubling per attempt up to `QLOAPPS_PULL_RETRY_BACKOFF_MAX_SECS`, 3600).
    pub retry_backoff: Backoff,
}

impl Default for PullSettings {
    fn default() -> Self {
        PullSettings {
            page_size: 100,
            overlap: Duration::from_secs(60),
            retry_backoff: Backoff {
                initial: Duration::from_secs(60),
                max: Duration::from_secs(3600),
            },
        }
    }
}

impl PullSettings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = PullSettings::default();
        let page_size: u32 = parse_or(env, "QLOAPPS_PULL_PAGE_SIZE", d.page_size)?;
        if !(1..=199).contains(&page_size) {
            return Err(ConfigError::new(
                "QLOAPPS_PULL_PAGE_SIZE",
                "must be between 1 and 199",
            ));
        }
        let overlap: u64 = parse_or(env, "QLOAPPS_PULL_OVERLAP_SECS", d.overlap.as_secs())?;
        if overlap > 86_400 {
            return Err(ConfigError::new(
                "QLOAPPS_PULL_OVERLAP_SECS",
                "must be at most 86400",
            ));
        }
        let initial: u64 = parse_or(
            env,
            "QLOAPPS_PULL_RETRY_BACKOFF_SECS",
            d.retry_backoff.initial.as_secs(),
        )?;
        let max: u64 = parse_or(
            env,
            "QLOAPPS_PULL_RETRY_BACKOFF_MAX_SECS",
            d.retry_backoff.max.as_secs(),
        )?;
        if max < initial || max > 7 * 86_400 {
            return Err(ConfigError::new(
                "QLOAPPS_PULL_RETRY_BACKOFF_MAX_SECS",
                "must be at least QLOAPPS_PULL_RETRY_BACKOFF_SECS and at most 604800",
            ));
        }
        Ok(PullSettings {
            page_size,
            overlap: Duration::from_secs(overlap),
            retry_backoff: Backoff {
                initial: Duration::from_secs(initial),
                max: Duration::from_secs(max),
            },
        })
    }
}

/// What to pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullKind {
    /// Every order.
    Full,
    /// Orders changed since the stored watermark; full when there is none yet.
    Incremental,
    /// One order (a `booking.*` event), through the same batched reads; leaves the watermark.
    Booking(u64),
}

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullReport {
    pub run_id: Uuid,
    pub config_id: ConfigId,
    /// "full", "incremental" or "booking" (`qloapps_sync_state.sync_type`).
    pub sync_type: &'static str,
    pub counts: Counts,
    pub duration: Duration,
    /// The watermark the next incremental pull starts from, as the shop writes it in its zone.
    pub watermark: Option<String>,
    /// Pages that had new orders.
    pub pages: u32,
    /// The most orders held in memory at once (one page and its overlap row).
    pub peak_orders_in_memory: usize,
    /// Times paging went back because orders changed while being read.
    pub restarts: u32,
    /// Orders retried from the failure set (kept from earlier pulls) before the new pages.
    pub retried: u32,
}

#[derive(Clone)]
pub struct PullService {
    pool: PgPool,
    clients: Arc<QloClients>,
    settings: PullSettings,
}

impl PullService {
    pub fn new(pool: PgPool, clients: Arc<QloClients>, settings: PullSettings) -> Self {
        PullService {
            pool,
            clients,
            settings,
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// [`Self::pull_until`] without a shutdown signal.
    pub async fn pull(&self, config_id: ConfigId, kind: PullKind) -> Result<PullReport, SyncError> {
        self.pull_until(config_id, kind, &CancellationToken::new())
            .await
    }

    /// Runs one pull of `config_id` under its pull lock; [`SyncError::PullBusy`] when another
    /// pull of the config runs anywhere. `cancel` stops it between pages (the progress made is
    /// kept: the next pull resumes from it).
    pub async fn pull_until(
        &self,
        config_id: ConfigId,
        kind: PullKind,
        cancel: &CancellationToken,
    ) -> Result<PullReport, SyncError> {
        let lock = PullLock::try_acquire(&self.pool, config_id)
            .await?
            .ok_or(SyncError::PullBusy(config_id))?;
        let result = self.locked(config_id, kind, cancel).await;
        lock.release().await;
        result
    }

    async fn locked(
        &self,
        config_id: ConfigId,
        kind: PullKind,
        cancel: &CancellationToken,
    ) -> Result<PullReport, SyncError> {
        let pool = &self.pool;
        let config = db::qloapps_config::get_config(pool, config_id)
            .await?
            .ok_or(SyncError::ConfigNotFound(config_id))?;
        let property = db::properties::get_property(pool, config.property_id)
            .await?
            .ok_or(SyncError::ConfigNotFound(config_id))?;
        match config.not_syncing(&property) {
            None => {}
            Some(NotSyncing::SyncDisabled) => return Err(SyncError::SyncDisabled(config_id)),
            Some(NotSyncing::ChannelManager(_)) => {
                return Err(SyncError::ChannelManagerOff(config_id))
            }
        }
        let abandoned = db::qloapps_sync_state::mark_abandoned_pulls(pool, config_id).await?;
        if abandoned > 0 {
            tracing::warn!(%config_id, abandoned, "earlier pulls had died mid-run; marked failed");
        }
        let previous = watermark::previous_pull(pool, config_id).await?;
        let (sync_type, plan) = match kind {
            PullKind::Booking(id) => ("booking", run::Plan::Booking(id)),
            PullKind::Incremental if previous.watermark.is_some() => {
                ("incremental", run::Plan::Incremental)
            }
            PullKind::Full | PullKind::Incremental => ("full", run::Plan::Full),
        };
        let running = db::qloapps_sync_state::insert_running(
            pool,
            config_id,
            sync_type,
            SyncDirection::Inbound,
            "pull",
        )
        .await?;
        let started = Instant::now();
        let client = self.clients.client(&config).await;
        let job = run::Job {
            pool,
            config: &config,
            property: &property,
            run_id: running.id,
            settings: self.settings,
            previous: &previous,
            started: chrono::Utc::now(),
            cancel,
        };
        let mut progress = run::Progress::default();
        let outcome = match client {
            Ok(client) => job.execute(&client, plan, &mut progress).await,
            Err(e) => Err(e),
        };
        let mark = match plan {
            run::Plan::Booking(_) => None,
            run::Plan::Full | run::Plan::Incremental => progress.watermark(),
        };
        let watermark = mark.map(|m| watermark::format(m.local()));
        let error = outcome.as_ref().err().map(ToString::to_string);
        let end = record::RunEnd {
            counts: progress.counts,
            duration: started.elapsed(),
            watermark: mark,
            error: error.as_deref(),
            previous_success: previous.last_successful_sync,
        };
        record::finish_run(pool, running.id, &end).await?;
        if let Err(e) = failures::observe(pool, config_id).await {
            tracing::warn!(%config_id, error = %e, "could not count the open pull failures");
        }
        let report = PullReport {
            run_id: running.id,
            config_id,
            sync_type,
            counts: progress.counts,
            duration: end.duration,
            watermark,
            pages: progress.pages,
            peak_orders_in_memory: progress.peak_orders,
            restarts: progress.restarts,
            retried: progress.retried,
        };
        run::observe(&report, error.as_deref());
        outcome.map(|()| report)
    }
}
