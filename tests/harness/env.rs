//! The environment a stack's processes read, as a map: the test's database, a unique queue
//! prefix, and short delays so failures and retries play out in seconds.

use std::collections::HashMap;

use base64::Engine;
use sqlx::PgPool;

#[derive(Debug, Clone)]
pub struct Env(HashMap<String, String>);

impl Env {
    pub fn new(pool: &PgPool, overrides: &[(&str, &str)]) -> Env {
        let database = pool
            .connect_options()
            .get_database()
            .unwrap_or("postgres")
            .to_owned();
        let mut url = url::Url::parse(&var(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        ))
        .expect("DATABASE_URL parses");
        url.set_path(&database);
        let prefix = format!("e2e-{}.", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let mut map: HashMap<String, String> = [
            ("DATABASE_URL", url.as_str()),
            ("DATABASE_MAX_CONNECTIONS", "4"),
            (
                "RABBITMQ_URL",
                &var("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2f"),
            ),
            ("QLOSYNC_ENCRYPTION_KEY", &key),
            ("QLOSYNC_ENCRYPTION_KEY_ID", "e2e"),
            ("API_TOKENS", crate::TOKEN),
            ("API_LISTEN_ADDR", "127.0.0.1:0"),
            ("OPS_LISTEN_ADDR", "127.0.0.1:0"),
            ("QLOSYNC_QUEUE_DEPTH_INTERVAL_MS", "200"),
            ("QLOSYNC_QUEUE_PREFIX", &prefix),
            ("QLOSYNC_QUEUE_RETRY_DELAY_MS", "100"),
            ("QLOSYNC_QUEUE_DEFER_DELAY_MS", "300"),
            ("QLOSYNC_QUEUE_SHUTDOWN_GRACE_MS", "2000"),
            ("QLOSYNC_QUEUE_RECONNECT_MAX_MS", "500"),
            ("QLOSYNC_RELAY_POLL_INTERVAL_MS", "1000"),
            ("QLOSYNC_RELAY_BACKOFF_MAX_MS", "300"),
            ("QLOAPPS_TIMEOUT_MS", "1000"),
            ("QLOAPPS_HTTP_RETRIES", "1"),
            ("QLOAPPS_HTTP_RETRY_DELAY_MS", "20"),
            ("QLOAPPS_BREAKER_COOLDOWN_MS", "1000"),
            ("QLOAPPS_RATE_LIMIT", "100000"),
            ("RUST_LOG", "warn"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in overrides {
            map.insert((*k).to_owned(), (*v).to_owned());
        }
        Env(map)
    }

    pub fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    /// A copy with one variable changed.
    pub fn with(&self, name: &str, value: &str) -> Env {
        let mut copy = self.clone();
        copy.0.insert(name.to_owned(), value.to_owned());
        copy
    }

    /// The lookup function the config loaders take.
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |name| self.0.get(name).cloned().filter(|v| !v.is_empty())
    }
}

fn var(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}
