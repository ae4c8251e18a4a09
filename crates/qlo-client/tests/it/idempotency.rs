//! No duplicate bookings, no blind POST retries, and correct results on stock QloApps 1.6.1
//! under PHP 8 (500 after every booking write).

use std::time::Duration;

use qlo_client::{BreakerState, WriteConfirmation};
use qlo_sim::{Fault, SimConfig};

use crate::helpers::*;

async fn create_once_despite(fault: Fault, expect: WriteConfirmation) {
    let env = start(Form::Api).await;
    env.sim
        .faults()
        .add(fault.on("bookings").method("POST").times(1));
    let source = "pms:3f1c2a9e-unknown-outcome";
    let created = env
        .client
        .create_booking(source, &booking(2, "2026-12-21", "2026-12-23", 1))
        .await
        .unwrap();
    assert_eq!(created.confirmation, expect);
    let orders = orders_with_source(&env.sim, source);
    assert_eq!(orders.len(), 1, "exactly one order exists");
    assert_eq!(u64::from(orders[0]), created.order_id);
    assert_eq!(active_lines(&env.sim, created.order_id).len(), 1);
}

#[tokio::test]
async fn create_after_500_after_write_adopts_the_order() {
    create_once_despite(Fault::error_after_write(), WriteConfirmation::Adopted).await;
}

#[tokio::test]
async fn create_after_timeout_after_write_adopts_the_order() {
    // The sim writes, then hangs longer than the client's 2 s timeout.
    create_once_despite(
        Fault::timeout_after_write(Duration::from_secs(5)),
        WriteConfirmation::Adopted,
    )
    .await;
}

#[tokio::test]
async fn create_after_dropped_connection_after_write_adopts_the_order() {
    create_once_despite(
        Fault::drop_connection_after_write(),
        WriteConfirmation::Adopted,
    )
    .await;
}

#[tokio::test]
async fn create_after_a_timeout_that_wrote_nothing_posts_again_once() {
    create_once_despite(
        Fault::timeout(Duration::from_secs(5)),
        WriteConfirmation::Response,
    )
    .await;
}

#[tokio::test]
async fn create_after_a_dropped_connection_that_wrote_nothing_posts_again_once() {
    create_once_despite(Fault::drop_connection(), WriteConfirmation::Response).await;
}

#[tokio::test]
async fn the_post_is_never_repeated_before_looking_up_the_source() {
    let env = start(Form::Api).await;
    env.sim.faults().add(
        Fault::drop_connection()
            .on("bookings")
            .method("POST")
            .times(2),
    );
    let created = env
        .client
        .create_booking("pms:lookups", &booking(1, "2026-12-01", "2026-12-02", 1))
        .await
        .unwrap();
    assert_eq!(created.confirmation, WriteConfirmation::Response);
    let log: Vec<(String, String)> = env
        .sim
        .request_log()
        .into_iter()
        .map(|r| (r.method, r.resource))
        .collect();
    let post = ("POST".to_owned(), "bookings".to_owned());
    let lookup = ("GET".to_owned(), "orders".to_owned());
    assert_eq!(
        log,
        vec![post.clone(), lookup.clone(), post.clone(), lookup, post]
    );
}

#[tokio::test]
async fn redelivery_finds_the_existing_order_by_source() {
    let env = start(Form::Dispatcher).await;
    let source = "pms:redelivered";
    let first = env
        .client
        .create_booking(source, &booking(3, "2026-12-05", "2026-12-07", 1))
        .await
        .unwrap();
    // A redelivered message checks first (the caller's choice) and does not create again.
    let found = env
        .client
        .find_order_by_source(source)
        .await
        .unwrap()
        .expect("exists");
    assert_eq!(found.id, first.order_id);
    assert!(env
        .client
        .find_order_by_source("pms:redelivered-other")
        .await
        .unwrap()
        .is_none());
    assert_eq!(orders_with_source(&env.sim, source).len(), 1);
}

#[tokio::test]
async fn update_after_timeout_after_write_is_verified_from_room_lines() {
    let env = start(Form::Api).await;
    let created = env
        .client
        .create_booking("pms:upd", &booking(2, "2026-12-21", "2026-12-23", 1))
        .await
        .unwrap();
    env.sim.faults().add(
        Fault::timeout_after_write(Duration::from_secs(5))
            .on("bookings")
            .method("PUT")
            .times(1),
    );
    let updated = env
        .client
        .update_booking(created.order_id, &booking(2, "2026-12-22", "2026-12-26", 1))
        .await
        .unwrap();
    // `Verified` comes only from reading back after the unknown outcome: a re-sent PUT would
    // have answered 200 (`Response`).
    assert_eq!(updated.confirmation, WriteConfirmation::Verified);
    assert_eq!(
        active_lines(&env.sim, created.order_id),
        vec![(2, day("2026-12-22"), day("2026-12-26"))]
    );
}

#[tokio::test]
async fn cancel_after_dropped_connection_after_write_is_verified_from_the_order_state() {
    let env = start(Form::Api).await;
    let created = env
        .client
        .create_booking("pms:cancel", &booking(4, "2026-12-21", "2026-12-23", 1))
        .await
        .unwrap();
    env.sim.faults().add(
        Fault::drop_connection_after_write()
            .on("order_histories")
            .method("POST")
            .times(1),
    );
    let cancelled = env.client.cancel_booking(created.order_id).await.unwrap();
    assert_eq!(cancelled.confirmation, WriteConfirmation::Verified);
    assert_eq!(env.sim.request_count("order_histories", "POST"), 1);
    assert_eq!(order_state(&env.sim, created.order_id), 4);
}

#[tokio::test]
async fn stock_php8_create_update_cancel_all_succeed_with_exact_state() {
    let env = start(Form::Dispatcher).await;
    env.sim.set_stock_php8(true);
    let c = &env.client;

    let created = c
        .create_booking("pms:php8", &booking(2, "2026-12-21", "2026-12-23", 1))
        .await
        .unwrap();
    assert_eq!(created.confirmation, WriteConfirmation::Adopted);
    assert_eq!(orders_with_source(&env.sim, "pms:php8").len(), 1);
    assert_eq!(
        active_lines(&env.sim, created.order_id),
        vec![(2, day("2026-12-21"), day("2026-12-23"))]
    );

    let updated = c
        .update_booking(created.order_id, &booking(2, "2026-12-23", "2026-12-26", 2))
        .await
        .unwrap();
    assert_eq!(updated.confirmation, WriteConfirmation::Verified);
    assert_eq!(
        active_lines(&env.sim, created.order_id),
        vec![(2, day("2026-12-23"), day("2026-12-26")); 2]
    );

    let cancelled = c.cancel_booking(created.order_id).await.unwrap();
    assert_eq!(order_state(&env.sim, created.order_id), 4);
    assert!(matches!(
        cancelled.confirmation,
        WriteConfirmation::Response | WriteConfirmation::Verified
    ));

    // Each write went out exactly once, and no outcome was learnt from GET bookings/{id}.
    assert_eq!(env.sim.request_count("bookings", "POST"), 1);
    assert_eq!(env.sim.request_count("bookings", "PUT"), 1);
    assert_eq!(env.sim.request_count("bookings", "GET"), 0);
    assert_eq!(c.circuit_state().await, BreakerState::Closed);
}

#[tokio::test]
async fn a_long_run_of_stock_php8_writes_never_opens_the_breaker() {
    let sim_config = SimConfig {
        stock_php8: true,
        ..SimConfig::default()
    };
    let env = start_with(sim_config, Form::Api, |c| c.breaker.failure_threshold = 5).await;
    let mut transitions = env
        .client
        .breaker_transitions()
        .expect("in-memory breaker publishes");
    for n in 0..12u32 {
        let room_type = u64::from(n % 4) + 1;
        let from = day("2027-01-01") + chrono::Duration::days(i64::from(n) * 4);
        let to = from + chrono::Duration::days(2);
        let source = format!("pms:long-run-{n}");
        let created = env
            .client
            .create_booking(
                &source,
                &booking(room_type, &from.to_string(), &to.to_string(), 1),
            )
            .await
            .unwrap();
        let later = to + chrono::Duration::days(1);
        env.client
            .update_booking(
                created.order_id,
                &booking(room_type, &from.to_string(), &later.to_string(), 1),
            )
            .await
            .unwrap();
        assert_eq!(orders_with_source(&env.sim, &source).len(), 1);
    }
    // 24 PHP-warning 500s in a row, and GET bookings/{id} answering 500 too.
    assert!(env.client.booking(1).await.is_err());
    assert_eq!(env.client.circuit_state().await, BreakerState::Closed);
    assert!(transitions.try_recv().is_err(), "no transition at all");
}
