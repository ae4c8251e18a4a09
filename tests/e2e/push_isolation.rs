//! Pushes and their neighbours: a QloApps that is down, poison messages, the shared rate
//! limit, redeliveries and concurrent events for one reservation.

use std::time::Duration;

use chrono::Utc;
use qlo_sim::{Fault, SimConfig, SimServer};
use qlosync_tests::{eventually, publish_raw, Demo, Stack};
use reqwest::Method;
use serde_json::json;
use sqlx::PgPool;
use sync_core::messages::{Envelope, OutboundMessage, ReservationEvent};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(30);

fn create_message(config_id: &str, reservation_id: &str) -> Vec<u8> {
    let config_id = Uuid::parse_str(config_id).expect("config id");
    let message = OutboundMessage::ReservationCreate(ReservationEvent {
        envelope: Envelope::new(config_id, None),
        reservation_id: Uuid::parse_str(reservation_id).expect("reservation id"),
    });
    serde_json::to_vec(&message).expect("serialises")
}

async fn breaker_state(stack: &Stack, config_id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT state FROM circuit_breaker_state WHERE config_id = $1::uuid")
        .bind(config_id)
        .fetch_optional(&stack.pool)
        .await
        .expect("breaker state query")
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_qloapps_outage_defers_its_pushes_while_other_hotels_keep_syncing(pool: PgPool) {
    let overrides = [("QLOAPPS_BREAKER_COOLDOWN_MS", "3000")];
    let mut stack = Stack::start(pool, SimConfig::default(), &overrides).await;
    stack.start_worker(false).await;
    let down = stack.demo().await;
    let healthy_sim = SimServer::start(SimConfig::default()).await.unwrap();
    let healthy = Demo::create(&stack, &healthy_sim, 1).await;
    stack.sim.faults().add(Fault::status(503).always());

    let mut waiting = Vec::new();
    for day in [3, 6, 9] {
        let (from, to) = (
            format!("2027-05-{day:02}"),
            format!("2027-05-{:02}", day + 1),
        );
        waiting.push(down.reserve(&stack, 0, &from, &to, "100.00").await);
        let ok = healthy.reserve(&stack, 0, &from, &to, "100.00").await;
        let source = format!("pms:{ok}");
        eventually("the healthy hotel's order", WAIT, || async {
            healthy_sim
                .state()
                .read(|s| s.orders.orders().any(|o| o.source == source))
                .then_some(())
        })
        .await;
    }

    eventually("the breaker to open", WAIT, || async {
        (breaker_state(&stack, &down.config_id).await.as_deref() == Some("OPEN")).then_some(())
    })
    .await;
    let calls_when_opened = stack.sim.request_log().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        breaker_state(&stack, &down.config_id).await.as_deref(),
        Some("OPEN")
    );
    assert_eq!(
        stack.sim.request_log().len(),
        calls_when_opened,
        "no HTTP call while the circuit is open"
    );
    assert!(
        stack.sim.request_log().len() <= 20,
        "the outage cost a bounded number of calls"
    );

    stack.sim.faults().clear();
    for id in &waiting {
        eventually("the deferred pushes to drain", WAIT, || async {
            stack.mapped_order(id).await
        })
        .await;
        assert_eq!(stack.sim_orders_for(id).len(), 1);
    }
    assert_eq!(
        breaker_state(&stack, &down.config_id).await.as_deref(),
        Some("CLOSED")
    );
    assert!(
        stack.dead_letters().await.is_empty(),
        "deferred, never dead-lettered"
    );
    healthy_sim.shutdown().await;
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn poison_messages_are_dead_lettered_with_their_reason_and_consuming_goes_on(pool: PgPool) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    publish_raw(&stack.env, b"{not json").await;
    let unknown = json!({"eventType": "reservation.explode", "messageId": Uuid::new_v4(),
        "configId": demo.config_id, "reservationId": Uuid::new_v4(), "timestamp": Utc::now()});
    publish_raw(&stack.env, unknown.to_string().as_bytes()).await;
    publish_raw(
        &stack.env,
        &create_message(&demo.config_id, &Uuid::new_v4().to_string()),
    )
    .await;
    let body = json!({"code": "SUITE", "name": "Unmapped suite", "totalRooms": 1});
    let unmapped = stack
        .ok(
            Method::POST,
            &format!("/properties/{}/room-types", demo.property_id),
            Some(body),
        )
        .await;
    let mut demo_unmapped = demo.clone();
    demo_unmapped.room_types = vec![unmapped["id"].as_str().unwrap().to_owned()];
    demo_unmapped
        .reserve(&stack, 0, "2027-06-01", "2027-06-02", "80.00")
        .await;

    let good = demo
        .reserve(&stack, 0, "2027-06-10", "2027-06-12", "160.00")
        .await;
    eventually("the good reservation to go through", WAIT, || async {
        stack.mapped_order(&good).await
    })
    .await;
    // four or more, then exactly four: a fifth would be a message dead-lettered twice
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while seen.len() < 4 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        seen = stack.dead_letters().await;
    }
    let letters = seen;
    assert_eq!(letters.len(), 4, "{letters:#?}");
    let reasons: Vec<String> = letters
        .iter()
        .map(|l| l.error.clone().unwrap_or_default())
        .collect();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    assert!(
        has("reservation.explode") || has("unknown variant"),
        "unknown eventType named: {reasons:?}"
    );
    assert!(
        has("does not exist"),
        "missing reservation named: {reasons:?}"
    );
    assert!(
        has("is not mapped"),
        "unmapped room type named: {reasons:?}"
    );
    assert!(letters.iter().all(|l| l
        .original_queue
        .as_deref()
        .is_some_and(|q| q.ends_with("qloapps.outbound"))));
    assert!(letters.iter().all(|l| l.attempts.is_some()), "{letters:?}");
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn three_workers_share_one_rate_limit_that_no_window_exceeds(pool: PgPool) {
    let (capacity, window) = (8, chrono::Duration::milliseconds(2000));
    // the guard (time added to the window for in-flight delay) is wide here: three worker
    // processes on a busy machine may take a while from their slot to qlo-sim's log
    let overrides = [
        ("QLOAPPS_RATE_LIMIT", "8"),
        ("QLOAPPS_RATE_WINDOW_MS", "2000"),
        ("QLOAPPS_RATE_GUARD_MS", "400"),
        ("QLOSYNC_QUEUE_PREFETCH", "2"),
    ];
    let mut stack = Stack::start(pool, SimConfig::default(), &overrides).await;
    for _ in 0..3 {
        stack.start_worker(false).await;
    }
    let demo = stack.demo().await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let day = 1 + 2 * i;
        ids.push(
            demo.reserve(
                &stack,
                i % 4,
                &format!("2027-07-{day:02}"),
                &format!("2027-07-{:02}", day + 1),
                "90.00",
            )
            .await,
        );
    }
    for id in &ids {
        eventually("every reservation pushed", WAIT, || async {
            stack.mapped_order(id).await
        })
        .await;
    }
    let times: Vec<_> = stack.sim.request_log().iter().map(|r| r.at).collect();
    assert!(
        times.len() >= 20,
        "two calls per create at least: {}",
        times.len()
    );
    // at most `capacity` calls in ANY window of 2 s, as the README promises (a token bucket
    // that starts full and refills lets nearly twice that through)
    for (i, start) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .take_while(|t| **t - *start < window)
            .count();
        assert!(
            in_window <= capacity,
            "{in_window} calls in the 2 s from call {i}: {:?}",
            &times[i..i + in_window]
        );
    }
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn redelivered_and_concurrent_events_for_one_reservation_make_one_order(pool: PgPool) {
    let overrides = [("QLOSYNC_QUEUE_PREFETCH", "4")];
    let mut stack = Stack::start(pool, SimConfig::default(), &overrides).await;
    stack.start_worker(false).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;

    let id = demo
        .reserve(&stack, 3, "2027-08-01", "2027-08-05", "1200.00")
        .await;
    for _ in 0..6 {
        publish_raw(&stack.env, &create_message(&demo.config_id, &id)).await;
    }
    eventually("all seven events handled", WAIT, || async {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM qloapps_sync_log WHERE local_entity_id = $1::uuid AND outcome <> 'failed'",
        )
        .bind(&id)
        .fetch_one(&stack.pool)
        .await
        .unwrap();
        (n == 7).then_some(())
    })
    .await;
    assert_eq!(stack.sim_orders_for(&id).len(), 1, "serialised: one order");
    assert_eq!(stack.sim.request_count("bookings", "POST"), 1);
    let outcomes: Vec<String> = sqlx::query_scalar(
        "SELECT outcome FROM qloapps_sync_log WHERE local_entity_id = $1::uuid ORDER BY id",
    )
    .bind(&id)
    .fetch_all(&stack.pool)
    .await
    .unwrap();
    assert_eq!(
        outcomes.iter().filter(|o| *o == "created").count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| *o == "skipped").count(),
        6,
        "an unchanged reservation is not re-sent"
    );
    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}
