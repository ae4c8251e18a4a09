//! A PostgreSQL restart under load: reservations keep arriving while QloApps is slow and the
//! outbound queue is backed up, the database is stopped with `pg_ctl -m fast` (every session
//! gets "terminating connection due to administrator command") and started again. Nothing may
//! land in the DLQ, and every reservation the api acknowledged must reach QloApps exactly once
//! (README "PostgreSQL restarted").

use std::sync::Arc;
use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::postgres::PrivatePostgres;
use qlosync_tests::{eventually, reservation_body, Stack};
use reqwest::Method;

/// Reservations created (at least), one every 200 ms.
const LOAD: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_restart_under_load_dead_letters_nothing_and_loses_nothing() {
    let pg = Arc::new(
        tokio::task::spawn_blocking(PrivatePostgres::start)
            .await
            .unwrap(),
    );
    let pool = pg.migrated_pool().await;
    let sim = SimConfig {
        latency: Duration::from_millis(400),
        ..SimConfig::default()
    };
    let url = pg.url();
    let overrides = [
        ("DATABASE_URL", url.as_str()),
        ("QLOSYNC_QUEUE_PREFETCH", "4"),
    ];
    let mut stack = Stack::start(pool, sim, &overrides).await;
    stack.start_worker(false).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;

    let path = format!("/properties/{}/reservations", demo.property_id);
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    let mut restart: Option<tokio::task::JoinHandle<()>> = None;
    // LOAD creates at least, and on until the database is back: some land after the restart
    let mut i = 0;
    while i < LOAD || !restart.as_ref().is_some_and(|r| r.is_finished()) {
        if i == LOAD / 4 {
            // stopped for 20 s (longer than every retry a message has), while creates keep
            // coming and the queue holds unpushed ones
            let pg = pg.clone();
            restart = Some(tokio::task::spawn_blocking(move || {
                pg.stop_server();
                std::thread::sleep(Duration::from_secs(20));
                pg.start_server();
            }));
        }
        let night = chrono::NaiveDate::from_ymd_opt(2028, 1, 1).unwrap()
            + chrono::Days::new(u64::try_from(i / 4).unwrap());
        let body = reservation_body(
            &demo.room_types[i % 4],
            &demo.guest_id,
            &night.to_string(),
            &night.succ_opt().unwrap().to_string(),
            "120.00",
        );
        let (status, created) = stack.call(Method::POST, &path, Some(body)).await;
        match status {
            201 => acknowledged.push(created["id"].as_str().unwrap().to_owned()),
            // the api says the database is away (most creates wait for it instead)
            503 => refused += 1,
            other => panic!("create {i}: {other} {created}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        i += 1;
    }
    restart.unwrap().await.unwrap();
    assert!(
        acknowledged.len() >= LOAD / 2,
        "{} acknowledged, {refused} refused",
        acknowledged.len()
    );

    // every acknowledged reservation pushed, or a dead letter to report
    eventually(
        "every acknowledged reservation in QloApps",
        Duration::from_secs(120),
        || async {
            let pushed = acknowledged
                .iter()
                .all(|id| !stack.sim_orders_for(id).is_empty());
            (pushed || !stack.dead_letters().await.is_empty()).then_some(())
        },
    )
    .await;
    let letters = stack.dead_letters().await;
    assert!(letters.is_empty(), "dead-lettered: {letters:?}");
    let duplicated: Vec<_> = acknowledged
        .iter()
        .filter(|id| stack.sim_orders_for(id).len() != 1)
        .collect();
    assert!(duplicated.is_empty(), "more than one order: {duplicated:?}");
    // a create whose COMMIT met the shutdown may have been stored though the api answered 503
    // (that is what Idempotency-Key retries are for); whatever reached QloApps must exist here
    let sources: Vec<String> = stack
        .sim
        .state()
        .read(|shop| shop.orders.orders().map(|o| o.source.clone()).collect());
    for source in sources {
        let id = source.strip_prefix("pms:").expect("pushed by qlosync");
        let stored: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM reservations WHERE id = $1::uuid)")
                .bind(id)
                .fetch_one(&stack.pool)
                .await
                .unwrap();
        assert!(
            stored,
            "QloApps has an order for {id}, which the PMS does not"
        );
    }
    stack.stop().await;
}
