//! The environment a stack's processes read, as a map: who the installation is (its database,
//! a unique queue prefix, its token and encryption key, loopback listeners) and the caller's
//! tuning (delays, pool sizes, log level), so the e2e harness and the bench differ only there.

use std::collections::HashMap;

use base64::Engine as _;

/// What names one installation; the rest of its environment is the caller's tuning.
#[derive(Debug, Clone, Copy)]
pub struct Installation<'a> {
    /// Its database (`DATABASE_URL`).
    pub database_url: &'a str,
    /// The queue prefix is `<tag>-<12 random hex digits>.`, so its queues are its own.
    pub queue_prefix_tag: &'a str,
    /// The bearer token the api accepts (`API_TOKENS`).
    pub token: &'a str,
    /// The key secrets are encrypted with (`QLOSYNC_ENCRYPTION_KEY`, `_KEY_ID`).
    pub key: [u8; 32],
    pub key_id: &'a str,
}

#[derive(Debug, Clone)]
pub struct Env(HashMap<String, String>);

impl Env {
    /// `installation`'s variables, the machine's RabbitMQ, listeners on free loopback ports,
    /// then `tuning`, then `overrides` (later ones win).
    pub fn new(
        installation: &Installation<'_>,
        tuning: &[(&str, &str)],
        overrides: &[(&str, &str)],
    ) -> Env {
        let prefix = format!(
            "{}-{}.",
            installation.queue_prefix_tag,
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let key = base64::engine::general_purpose::STANDARD.encode(installation.key);
        let rabbitmq = rabbitmq_url();
        let base = [
            ("DATABASE_URL", installation.database_url),
            ("RABBITMQ_URL", &rabbitmq),
            ("QLOSYNC_ENCRYPTION_KEY", &key),
            ("QLOSYNC_ENCRYPTION_KEY_ID", installation.key_id),
            ("API_TOKENS", installation.token),
            ("API_LISTEN_ADDR", "127.0.0.1:0"),
            ("OPS_LISTEN_ADDR", "127.0.0.1:0"),
            ("QLOSYNC_QUEUE_PREFIX", &prefix),
        ];
        let map = base
            .iter()
            .chain(tuning)
            .chain(overrides)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Env(map)
    }

    /// A variable's value, empty when unset.
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

/// The machine's RabbitMQ: `RABBITMQ_URL`, else the local broker's default guest account.
pub fn rabbitmq_url() -> String {
    var("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2f")
}

/// The machine's PostgreSQL (a database to connect to before creating one's own):
/// `DATABASE_URL`, else the local server's `postgres` database.
pub fn database_url() -> String {
    var(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    )
}

fn var(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}
