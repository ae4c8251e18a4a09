//! The environment of a test's stack: the test's database, a unique queue prefix
//! (`qlosync_stack::Env`), and short delays so failures and retries play out in seconds.

use qlosync_stack::{Env, Installation};
use sqlx::PgPool;

/// What the e2e stacks tune: small pools and short delays.
const TUNING: &[(&str, &str)] = &[
    ("DATABASE_MAX_CONNECTIONS", "4"),
    ("QLOSYNC_QUEUE_DEPTH_INTERVAL_MS", "200"),
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
];

/// The environment of a stack on `pool`'s database (the one `#[sqlx::test]` made for the
/// test), with `overrides` applied last.
pub fn env(pool: &PgPool, overrides: &[(&str, &str)]) -> Env {
    let database = pool
        .connect_options()
        .get_database()
        .unwrap_or("postgres")
        .to_owned();
    let mut url = url::Url::parse(&qlosync_stack::database_url()).expect("DATABASE_URL parses");
    url.set_path(&database);
    let installation = Installation {
        database_url: url.as_str(),
        queue_prefix_tag: "e2e",
        token: crate::TOKEN,
        key: [7u8; 32],
        key_id: "e2e",
    };
    Env::new(&installation, TUNING, overrides)
}
