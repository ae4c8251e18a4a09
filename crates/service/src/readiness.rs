//! What `/ready` checks, shared by the api and the ops listeners: each component's state as
//! "ok" or the failure in words (never a secret), whether they add up to ready, and the
//! `qlosync_ready{process}` gauge that follows every answer.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};
use sqlx::PgPool;

use sync_queue::queue::BrokerStatus;

/// How long the database check may take.
pub const DATABASE_TIMEOUT: Duration = Duration::from_secs(3);

/// `SELECT 1` within [`DATABASE_TIMEOUT`].
pub async fn database(pool: &PgPool) -> Result<(), String> {
    let check = tokio::time::timeout(DATABASE_TIMEOUT, sync_core::db::ping(pool)).await;
    match check {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(_)) => Err("not reachable".to_owned()),
        Err(_) => Err("timed out after 3 s".to_owned()),
    }
}

/// The broker link of a consumer: connection, channel, consumer.
pub fn broker(status: &BrokerStatus) -> [(&'static str, Result<(), String>); 3] {
    let r = status.report();
    let state = |up: bool, down: &str| if up { Ok(()) } else { Err(down.to_owned()) };
    [
        ("broker_connection", state(r.connection, "not connected")),
        ("broker_channel", state(r.channel, "not open")),
        ("consumer", state(r.consumer, "not consuming")),
    ]
}

/// When a loop last completed a round (the scheduler's tick), for `/ready`.
#[derive(Debug, Clone, Default)]
pub struct Heartbeat(Arc<AtomicI64>);

impl Heartbeat {
    /// A round completed now.
    pub fn beat(&self) {
        self.0
            .store(chrono::Utc::now().timestamp_millis(), Ordering::SeqCst);
    }

    /// Time since the last round; `None` before the first.
    pub fn age(&self) -> Option<Duration> {
        let at = self.0.load(Ordering::SeqCst);
        if at == 0 {
            return None;
        }
        let ms = chrono::Utc::now().timestamp_millis().saturating_sub(at);
        Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
    }

    /// Ok while the last round is at most `max_age` old.
    pub fn check(&self, max_age: Duration) -> Result<(), String> {
        match self.age() {
            None => Err("no tick yet".to_owned()),
            Some(age) if age > max_age => Err(format!(
                "last tick {} s ago (more than {} s)",
                age.as_secs(),
                max_age.as_secs()
            )),
            Some(_) => Ok(()),
        }
    }
}

/// The JSON body and readiness of `checks`; components in `informational` are reported but do
/// not make the process unready. Sets `qlosync_ready{process}`.
pub fn summarise(
    process: &str,
    checks: &[(&'static str, Result<(), String>)],
    informational: &[&str],
) -> (bool, Value) {
    let mut components = Map::new();
    let mut ready = true;
    for (name, state) in checks {
        let text = match state {
            Ok(()) => "ok".to_owned(),
            Err(problem) => {
                if !informational.contains(name) {
                    ready = false;
                }
                problem.clone()
            }
        };
        components.insert((*name).to_owned(), json!(text));
    }
    metrics::gauge!(sync_core::metrics_catalog::READY, "process" => process.to_owned())
        .set(if ready { 1.0 } else { 0.0 });
    let body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "process": process,
        "checks": components,
    });
    (ready, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_is_ready_only_after_a_recent_beat() {
        let heartbeat = Heartbeat::default();
        assert!(
            heartbeat.check(Duration::from_secs(5)).is_err(),
            "no tick yet"
        );
        heartbeat.beat();
        assert!(heartbeat.check(Duration::from_secs(5)).is_ok());
        heartbeat.0.store(
            chrono::Utc::now().timestamp_millis() - 60_000,
            Ordering::SeqCst,
        );
        let late = heartbeat.check(Duration::from_secs(5)).unwrap_err();
        assert!(late.contains("60 s ago"), "{late}");
    }

    #[test]
    fn informational_components_are_reported_without_making_the_process_unready() {
        let checks = [
            ("database", Ok(())),
            ("outbox_relay", Err("stopped".to_owned())),
        ];
        let (ready, body) = summarise("test", &checks, &["outbox_relay"]);
        assert!(ready, "{body}");
        assert_eq!(body["checks"]["outbox_relay"], "stopped");
        let (ready, body) = summarise("test", &checks, &[]);
        assert!(!ready);
        assert_eq!(body["status"], "unavailable");
    }
}
