use std::time::Duration;

use super::QueueError;

/// Queue names and limits: the same for every process, since a queue redeclared with other
/// arguments is refused by the broker (`PRECONDITION_FAILED`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// Prepended to every queue and exchange name (`QLOSYNC_QUEUE_PREFIX`, default empty), so
    /// tests and several installations can share one broker: "t42." → "t42.qloapps.outbound".
    pub prefix: String,
    /// `QLOSYNC_QUEUE_TYPE` (default quorum): replicated quorum queues, or the classic layout
    /// of earlier versions for an installation that has not migrated (docs/queues.md).
    pub queue_type: QueueType,
    /// Messages each work queue holds (`QLOSYNC_QUEUE_MAX_LENGTH`, default 10000). A full
    /// quorum work queue refuses new messages (the publisher's confirm is a nack: the outbox
    /// keeps the row and retries); a full classic one dead-letters its oldest message.
    pub max_length: u32,
    /// Message TTL (`QLOSYNC_QUEUE_MESSAGE_TTL_MS`, default 24 h) on each work queue; also
    /// how long a deferred message may keep waiting for its circuit to close.
    pub message_ttl: Duration,
    /// Retry delay (`QLOSYNC_QUEUE_RETRY_DELAY_MS`, default 2000): wait before a retry.
    pub retry_delay: Duration,
    /// Wait before a deferred message is tried again (`QLOSYNC_QUEUE_DEFER_DELAY_MS`, default
    /// 30 s, the circuit breaker's cool-down).
    pub defer_delay: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            prefix: String::new(),
            queue_type: QueueType::Quorum,
            max_length: 10_000,
            message_ttl: Duration::from_secs(24 * 60 * 60),
            retry_delay: Duration::from_millis(2_000),
            defer_delay: Duration::from_secs(30),
        }
    }
}

impl QueueConfig {
    /// The defaults overridden by the `QLOSYNC_QUEUE_*` environment variables (`.env.example`).
    pub fn from_env() -> Result<Self, QueueError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`QueueConfig::from_env`], reading variables through `get` (for layered config).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, QueueError> {
        let d = QueueConfig::default();
        let config = QueueConfig {
            prefix: get("QLOSYNC_QUEUE_PREFIX").unwrap_or(d.prefix),
            queue_type: parse(&get, "QLOSYNC_QUEUE_TYPE")?.unwrap_or(d.queue_type),
            max_length: parse(&get, "QLOSYNC_QUEUE_MAX_LENGTH")?.unwrap_or(d.max_length),
            message_ttl: millis(&get, "QLOSYNC_QUEUE_MESSAGE_TTL_MS")?.unwrap_or(d.message_ttl),
            retry_delay: millis(&get, "QLOSYNC_QUEUE_RETRY_DELAY_MS")?.unwrap_or(d.retry_delay),
            defer_delay: millis(&get, "QLOSYNC_QUEUE_DEFER_DELAY_MS")?.unwrap_or(d.defer_delay),
        };
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), QueueError> {
        let bad = |name, reason: &str| {
            Err(QueueError::Config {
                name,
                reason: reason.to_owned(),
            })
        };
        // queue names are at most 255 bytes; leave room for "qloapps.outbound.delay.NNNNNNNNNNms"
        if self.prefix.len() > 200 || self.prefix.chars().any(|c| c.is_control()) {
            return bad("QLOSYNC_QUEUE_PREFIX", "at most 200 printable characters");
        }
        if self.max_length == 0 {
            return bad("QLOSYNC_QUEUE_MAX_LENGTH", "must be at least 1");
        }
        // RabbitMQ takes TTLs in milliseconds as an unsigned 32-bit number
        for (name, d) in [
            ("QLOSYNC_QUEUE_MESSAGE_TTL_MS", self.message_ttl),
            ("QLOSYNC_QUEUE_RETRY_DELAY_MS", self.retry_delay),
            ("QLOSYNC_QUEUE_DEFER_DELAY_MS", self.defer_delay),
        ] {
            if d.as_millis() == 0 || d.as_millis() > u128::from(u32::MAX) {
                return bad(name, "must be between 1 ms and about 49 days");
            }
        }
        Ok(())
    }
}

/// The kind of RabbitMQ queue qlosync declares (`QLOSYNC_QUEUE_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueType {
    /// Replicated over the cluster's nodes (Raft), survives the loss of a minority of them;
    /// `x-overflow: reject-publish` and at-least-once dead-lettering.
    #[default]
    Quorum,
    /// One node's queue, with the earlier versions' arguments (`x-overflow: drop-head`): for
    /// an installation whose queues were declared classic and not migrated yet.
    Classic,
}

impl QueueType {
    /// The `x-queue-type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueType::Quorum => "quorum",
            QueueType::Classic => "classic",
        }
    }
}

impl std::fmt::Display for QueueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for QueueType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "quorum" => Ok(QueueType::Quorum),
            "classic" => Ok(QueueType::Classic),
            _ => Err("expected quorum or classic".to_owned()),
        }
    }
}

/// How one consumer process behaves; may differ between processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// Prefetch (`QLOSYNC_QUEUE_PREFETCH`, default 1): deliveries handled at once.
    pub prefetch: u16,
    /// Max retries (`QLOSYNC_QUEUE_MAX_RETRIES`, default 3): retries after the first
    /// attempt before a transiently failing message is dead-lettered.
    pub max_retries: u32,
    /// How long shutdown waits for in-flight messages before the rest are requeued
    /// (`QLOSYNC_QUEUE_SHUTDOWN_GRACE_MS`, default 30 s).
    pub shutdown_grace: Duration,
    /// First wait before reconnecting to the broker (default 200 ms).
    pub reconnect_min: Duration,
    /// Cap of the reconnect backoff (`QLOSYNC_QUEUE_RECONNECT_MAX_MS`, default 30 s).
    pub reconnect_max: Duration,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            prefetch: 1,
            max_retries: 3,
            shutdown_grace: Duration::from_secs(30),
            reconnect_min: Duration::from_millis(200),
            reconnect_max: Duration::from_secs(30),
        }
    }
}

impl ConsumerConfig {
    pub fn from_env() -> Result<Self, QueueError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, QueueError> {
        let d = ConsumerConfig::default();
        let prefetch: u16 = parse(&get, "QLOSYNC_QUEUE_PREFETCH")?.unwrap_or(d.prefetch);
        if prefetch == 0 {
            return Err(QueueError::Config {
                name: "QLOSYNC_QUEUE_PREFETCH",
                reason: "must be at least 1 (0 would mean unlimited)".into(),
            });
        }
        Ok(ConsumerConfig {
            prefetch,
            max_retries: parse(&get, "QLOSYNC_QUEUE_MAX_RETRIES")?.unwrap_or(d.max_retries),
            shutdown_grace: millis(&get, "QLOSYNC_QUEUE_SHUTDOWN_GRACE_MS")?
                .unwrap_or(d.shutdown_grace),
            reconnect_min: d.reconnect_min,
            reconnect_max: millis(&get, "QLOSYNC_QUEUE_RECONNECT_MAX_MS")?
                .unwrap_or(d.reconnect_max),
        })
    }
}

pub(crate) fn parse<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<T>, QueueError>
where
    T::Err: std::fmt::Display,
{
    match get(name) {
        None => Ok(None),
        Some(raw) if raw.trim().is_empty() => Ok(None),
        Some(raw) => raw
            .trim()
            .parse()
            .map(Some)
            .map_err(|e: T::Err| QueueError::Config {
                name,
                reason: format!("{raw:?}: {e}"),
            }),
    }
}

pub(crate) fn millis(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<Duration>, QueueError> {
    Ok(parse::<u64>(get, name)?.map(Duration::from_millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn defaults_are_the_documented_values_and_env_overrides_them() {
        let env: HashMap<&str, &str> = [
            ("QLOSYNC_QUEUE_PREFIX", "t42."),
            ("QLOSYNC_QUEUE_RETRY_DELAY_MS", "100"),
            ("QLOSYNC_QUEUE_PREFETCH", "4"),
        ]
        .into();
        let get = |k: &str| env.get(k).map(|v| v.to_string());
        let q = QueueConfig::from_lookup(get).unwrap();
        assert_eq!(q.prefix, "t42.");
        assert_eq!(q.max_length, 10_000);
        assert_eq!(q.queue_type, QueueType::Quorum);
        assert_eq!(q.message_ttl, Duration::from_secs(86_400));
        assert_eq!(q.retry_delay, Duration::from_millis(100));
        let c = ConsumerConfig::from_lookup(get).unwrap();
        assert_eq!((c.prefetch, c.max_retries), (4, 3));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = QueueConfig::from_lookup(|k| {
            (k == "QLOSYNC_QUEUE_MAX_LENGTH").then(|| "lots".to_string())
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("QLOSYNC_QUEUE_MAX_LENGTH"),
            "{err}"
        );
        let err = ConsumerConfig::from_lookup(|k| {
            (k == "QLOSYNC_QUEUE_PREFETCH").then(|| "0".to_string())
        })
        .unwrap_err();
        assert!(err.to_string().contains("QLOSYNC_QUEUE_PREFETCH"), "{err}");
    }

    #[test]
    fn the_queue_type_is_quorum_or_classic_and_anything_else_is_refused() {
        let with = |value: &'static str| {
            QueueConfig::from_lookup(move |k| (k == "QLOSYNC_QUEUE_TYPE").then(|| value.into()))
        };
        assert_eq!(with("classic").unwrap().queue_type, QueueType::Classic);
        assert_eq!(with("quorum").unwrap().queue_type, QueueType::Quorum);
        let err = with("Quorum-ish").unwrap_err().to_string();
        assert!(
            err.contains("QLOSYNC_QUEUE_TYPE") && err.contains("expected quorum or classic"),
            "{err}"
        );
    }
}
