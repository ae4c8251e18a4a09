//! The queue-depth history behind the console's chart: every `API_QUEUE_SAMPLE_INTERVAL_MS`
//! (default 15 s) the api reads the work queues' and the DLQ's depths from RabbitMQ and keeps
//! the largest reading of each minute for 48 h in `queue_depth_samples` (this sampler is the
//! table's only writer, through `sync_core::db::queue_depth_samples`). Prometheus has the same
//! numbers as `qlosync_queue_depth`, but the console must not need Prometheus.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use sqlx::PgPool;
use sync_core::config::{parse_or, ConfigError};
use sync_core::db::queue_depth_samples;
use sync_queue::dlq::DeadLetterQueue;
use tokio_util::sync::CancellationToken;

/// How often the sampler reads the queues by default (one row per minute keeps the largest).
pub const DEFAULT_SAMPLE_EVERY: Duration = Duration::from_secs(15);
/// Samples older than this are deleted: the charts look back 48 h at most.
pub const KEEP_FOR: TimeDelta = TimeDelta::hours(48);

/// `API_QUEUE_SAMPLE_INTERVAL_MS`: 1000 to 60000, default 15000.
pub fn interval_from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    const VAR: &str = "API_QUEUE_SAMPLE_INTERVAL_MS";
    let default = u64::try_from(DEFAULT_SAMPLE_EVERY.as_millis()).unwrap_or(15_000);
    let ms: u64 = parse_or(env, VAR, default)?;
    if !(1_000..=60_000).contains(&ms) {
        return Err(ConfigError::new(VAR, "must be between 1000 and 60000"));
    }
    Ok(Duration::from_millis(ms))
}

/// A reading that failed (RabbitMQ away, the queues not declared yet by a worker that is
/// still starting) is tried again this soon.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Reads, stores and prunes once; a broker or database that is away only costs this sample.
/// Returns whether the sample was taken and stored.
pub async fn sample_once(pool: &PgPool, dlq: &DeadLetterQueue) -> bool {
    let depths = match dlq.queue_depths().await {
        Ok(depths) => depths,
        Err(error) => {
            tracing::debug!(%error, "queue depths not sampled");
            return false;
        }
    };
    let stored = async {
        let sample = queue_depth_samples::Sample {
            read_at: depths.read_at,
            outbound: depths.outbound.messages,
            inbound: depths.inbound.messages,
            dead_letter: depths.dead_letter.messages,
        };
        queue_depth_samples::record(pool, &sample).await?;
        queue_depth_samples::prune(pool, depths.read_at - KEEP_FOR).await
    };
    match stored.await {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(%error, "queue depth sample not stored");
            false
        }
    }
}

/// Samples at once, then every `every` (after at most [`RETRY_AFTER`] when one failed),
/// until `cancel`.
pub async fn run(
    pool: PgPool,
    dlq: Arc<DeadLetterQueue>,
    every: Duration,
    cancel: CancellationToken,
) {
    loop {
        let wait = if sample_once(&pool, &dlq).await {
            every
        } else {
            every.min(RETRY_AFTER)
        };
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_read_from_the_environment_within_bounds() {
        let env = |value: &'static str| move |_: &str| Some(value.to_owned());
        assert_eq!(
            interval_from_env(&|_: &str| None).unwrap(),
            DEFAULT_SAMPLE_EVERY
        );
        assert_eq!(
            interval_from_env(&env("2000")).unwrap(),
            Duration::from_secs(2)
        );
        for bad in ["999", "60001", "soon"] {
            let error = interval_from_env(&env(bad)).unwrap_err();
            assert_eq!(error.var, "API_QUEUE_SAMPLE_INTERVAL_MS", "{bad}");
        }
    }
}
