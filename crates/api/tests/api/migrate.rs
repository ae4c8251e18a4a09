//! `api migrate` (the one owner of migrations), `api gen-key`, and serving on port 0.

use std::collections::HashMap;

use api::config::Settings;
use api::startup::{migrate, Application};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// The URL of this test's database (same server as `DATABASE_URL`, other database name).
pub async fn url_of(pool: &PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .expect("name");
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set by .cargo/config.toml");
    let mut url = url::Url::parse(&base).expect("DATABASE_URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

async fn applied(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[sqlx::test(migrations = false)]
async fn two_concurrent_migrations_apply_each_migration_once(pool: PgPool) {
    let options = (*pool.connect_options()).clone();
    let first = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .expect("pool");
    let second = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("pool");
    let (a, b) = tokio::join!(migrate(&first), migrate(&second));
    a.expect("first migrate");
    b.expect("second migrate");
    first.close().await;
    second.close().await;
    let expected = i64::try_from(sync_core::db::MIGRATOR.iter().count()).expect("count");
    assert_eq!(applied(&pool).await, expected);
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'reservations'",
    )
    .fetch_one(&pool)
    .await
    .expect("tables");
    assert_eq!(tables, 1);
}

#[sqlx::test(migrations = false)]
async fn the_migrate_command_can_be_started_twice_at_once(pool: PgPool) {
    let url = url_of(&pool).await;
    let run = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_api"))
            .arg("migrate")
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
    };
    let (a, b) = tokio::join!(run(), run());
    for output in [a.expect("runs"), b.expect("runs")] {
        assert!(
            output.status.success(),
            "migrate failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let expected = i64::try_from(sync_core::db::MIGRATOR.iter().count()).expect("count");
    assert_eq!(applied(&pool).await, expected);
}

#[test]
fn gen_key_prints_a_new_32_byte_base64_key() {
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_api"))
            .arg("gen-key")
            .output()
            .expect("runs")
    };
    let first = run();
    assert!(first.status.success());
    let key = String::from_utf8(first.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert_eq!(sync_core::crypto::decode_key(&key).map(|k| k.len()), Ok(32));
    assert!(String::from_utf8_lossy(&first.stderr).contains("key id k"));
    let second = String::from_utf8(run().stdout).expect("utf-8");
    assert_ne!(key, second.trim());
}

#[test]
fn serve_refuses_to_start_without_api_tokens_and_names_the_variable() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_api"))
        .env_remove("API_TOKENS")
        .env("QLOSYNC_ENCRYPTION_KEY", sync_core::crypto::generate_key())
        .env("API_LISTEN_ADDR", "127.0.0.1:0")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("API_TOKENS"), "{stderr}");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_application_serves_on_port_zero_and_stops_when_cancelled(pool: PgPool) {
    let env: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", url_of(&pool).await),
        ("DATABASE_MAX_CONNECTIONS", "2".to_owned()),
        ("API_LISTEN_ADDR", "127.0.0.1:0".to_owned()),
        ("API_TOKENS", crate::helpers::TOKEN.to_owned()),
        ("QLOSYNC_ENCRYPTION_KEY", sync_core::crypto::generate_key()),
    ]);
    let settings = Settings::from_env(&|k: &str| env.get(k).cloned()).expect("settings");
    let application = Application::build(&settings).await.expect("builds");
    let port = application.port();
    assert_ne!(port, 0);
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(application.run_until_stopped(shutdown.clone()));

    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    stream
        .write_all(b"GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("writes");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("reads");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    shutdown.cancel();
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "the server stops cleanly when cancelled"
    );
}

#[sqlx::test(migrations = false)]
async fn migrate_creates_a_missing_database(pool: PgPool) {
    let url = url_of(&pool).await;
    // short: PostgreSQL truncates names past 63 bytes
    let missing = format!(
        "qlosync_created_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let missing_url = format!("{}/{missing}", url.rsplit_once('/').expect("url").0);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("migrate")
        .env("DATABASE_URL", &missing_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&missing)
            .fetch_one(&pool)
            .await
            .expect("query");
    assert!(exists);
    sqlx::query(&format!("DROP DATABASE \"{missing}\" WITH (FORCE)"))
        .execute(&pool)
        .await
        .expect("drop");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn demo_setup_run_twice_creates_the_demo_once(pool: PgPool) {
    let url = url_of(&pool).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_api"))
            .args(["demo-setup", "--qloapps-url", "http://127.0.0.1:9/api"])
            .env("DATABASE_URL", &url)
            .env(
                "QLOSYNC_ENCRYPTION_KEY",
                "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
            )
            .env("QLO_API_KEY", crate::helpers::QLO_KEY)
            .env("RUST_LOG", "warn")
            .output()
            .expect("runs")
    };
    let (first, second) = (run(), run());
    for output in [&first, &second] {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(first.stdout, second.stdout, "the same ids both times");
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        !stdout.contains(crate::helpers::QLO_KEY),
        "the key is never printed"
    );
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM properties), (SELECT count(*) FROM qloapps_config),
                (SELECT count(*) FROM qloapps_room_type_mappings), (SELECT count(*) FROM guests)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!(counts, (1, 1, 4, 1));

    // a new encryption key and simulator key (a fresh demo state directory, same database):
    // the demo config gets the new key instead of keeping one nothing can read
    let rerun = std::process::Command::new(env!("CARGO_BIN_EXE_api"))
        .args([
            "demo-setup",
            "--fresh-qloapps",
            "--qloapps-url",
            "http://127.0.0.1:9/api",
        ])
        .env("DATABASE_URL", &url)
        .env(
            "QLOSYNC_ENCRYPTION_KEY",
            "CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg=",
        )
        .env("QLO_API_KEY", "ZYXWVUTSRQPONMLKJIHGFEDCBA654321")
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    assert_eq!(rerun.stdout, first.stdout, "still the same demo");
    let last4: String = sqlx::query_scalar("SELECT api_key_last4 FROM qloapps_config")
        .fetch_one(&pool)
        .await
        .expect("config");
    assert_eq!(last4, "4321");
}
