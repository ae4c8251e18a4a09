//! Availability: inventory holds make QloApps sell at most what the PMS allows (issue: rates
//! and availability sync). Call counts come from the simulator's request log.

use qlo_sim::{Fault, SimConfig};
use qlosync_tests::Stack;
use sqlx::PgPool;
use sync_core::nightly::rates::SyncMode;
use sync_core::pull::{PullKind, PullService, PullSettings};

use crate::ari_support::*;

const CANCELED: u32 = 4;

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn two_of_five_rooms_allowed_makes_qloapps_refuse_a_third_booking_on_those_nights_only(
    pool: PgPool,
) {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    let s = services(&stack);
    let (config, rt) = (config_id(&demo), room_type(&demo, 0)); // QloApps room type 1, 5 rooms
    let sim = &stack.sim;
    // a booking another channel made before: one room on the night of 5 December
    let channel = book(sim, "ota:1", 1, "2026-12-05", "2026-12-06", 1)
        .await
        .unwrap();
    set_available(&stack, rt, "2026-12-01", "2026-12-10", 2).await;
    sim.clear_request_log();

    let range = (d("2026-12-01"), d("2026-12-10"));
    let outcome = s
        .availability
        .sync_availability(config, rt, range, SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(
        (outcome.holds_created, outcome.holds_cancelled),
        (3, 0),
        "{outcome:?}"
    );
    assert!(outcome.overbooking_risks.is_empty());
    // 1-4 December: 3 rooms held; the 5th: 2 (the channel booking took one); 6-10: 3
    assert_eq!(count(sim, "hotel_rooms", "GET"), 1);
    assert_eq!(
        count(sim, "hotel_ari", "POST"),
        1,
        "ten nights are one chunk"
    );
    assert_eq!(count(sim, "bookings", "POST"), 3);
    assert_eq!(sim.request_log_handle().total(), 5, "{:?}", calls(sim));
    let free: Vec<usize> = sim_ari(sim, 1, d("2026-11-30"), d("2026-12-11"))
        .await
        .values()
        .map(|f| f.0)
        .collect();
    assert_eq!(free, vec![5, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 5]);

    let guests = book(sim, "guest:1", 1, "2026-12-02", "2026-12-04", 2)
        .await
        .expect("two rooms sell");
    let third = book(sim, "guest:2", 1, "2026-12-03", "2026-12-04", 1).await;
    let refused = third.expect_err("a third room must not sell");
    assert_eq!(refused["errors"][0]["code"], 404, "{refused}");
    assert_eq!(
        refused["errors"][0]["message"],
        "Requested room(s) not available."
    );
    let outside = book(sim, "guest:3", 1, "2026-12-11", "2026-12-12", 1).await;
    assert!(
        outside.is_ok(),
        "outside the limited nights a third room sells: {outside:?}"
    );

    let holds = sim_orders(sim, "qlosync-hold:");
    assert_eq!(holds.len(), 3);
    let hold_emails: Vec<String> = sim.state().read(|shop| {
        holds
            .iter()
            .map(|h| {
                shop.orders
                    .order(h.0)
                    .map(|o| o.guest.email.clone())
                    .unwrap_or_default()
            })
            .collect()
    });
    let customer = sync_core::nightly::availability::hold_customer(config).email;
    assert!(
        hold_emails.iter().all(|e| *e == customer),
        "one hold customer per config: {hold_emails:?}"
    );

    // a pull sees the holds and makes no PMS reservation of them (echo rule on the source)
    let pull = PullService::new(
        stack.pool.clone(),
        s.clients.clone(),
        PullSettings::default(),
    );
    pull.pull(config, PullKind::Full).await.expect("pull");
    let pulled: Vec<String> =
        sqlx::query_scalar("SELECT source FROM reservations ORDER BY created_at")
            .fetch_all(&stack.pool)
            .await
            .unwrap();
    assert_eq!(
        pulled.len(),
        3,
        "the channel and guest bookings only: {pulled:?}"
    );
    let hold_mappings: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM qloapps_reservation_mappings m JOIN qloapps_inventory_holds h
         ON h.qloapps_order_id = m.qloapps_booking_id",
    )
    .fetch_one(&stack.pool)
    .await
    .unwrap();
    assert_eq!(hold_mappings, 0);

    // the PMS allows all five again: the holds go, nothing else is touched
    set_available(&stack, rt, "2026-12-01", "2026-12-10", 5).await;
    sim.clear_request_log();
    let outcome = s
        .availability
        .sync_availability(config, rt, range, SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(
        (outcome.holds_created, outcome.holds_cancelled),
        (0, 3),
        "{outcome:?}"
    );
    assert_eq!(count(sim, "order_histories", "POST"), 3);
    assert_eq!(count(sim, "bookings", "POST"), 0);
    // hotel_rooms, hotel_ari, three cancels (the client read the shop's order states for the
    // pull already and keeps them)
    assert_eq!(sim.request_log_handle().total(), 5, "{:?}", calls(sim));
    assert!(sim_orders(sim, "qlosync-hold:")
        .iter()
        .all(|h| h.2 == CANCELED));
    for (id, source, state) in sim_orders(sim, "ota:")
        .into_iter()
        .chain(sim_orders(sim, "guest:"))
    {
        assert_ne!(
            state, CANCELED,
            "order {id} ({source}) was not qlosync's to cancel"
        );
    }
    assert!([channel, guests].iter().all(|id| *id > 0));

    sim.clear_request_log();
    let idle = s
        .availability
        .sync_availability(config, rt, range, SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!((idle.holds_created, idle.holds_cancelled), (0, 0));
    assert_eq!(
        sim.request_log_handle().total(),
        2,
        "a no-op reads only: {:?}",
        calls(sim)
    );
    stack.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_hold_qloapps_refuses_is_an_overbooking_risk_reported_once_not_retried(pool: PgPool) {
    let stack = Stack::start(pool, SimConfig::default(), &[]).await;
    let demo = stack.demo().await;
    let s = services(&stack);
    let (config, rt) = (config_id(&demo), room_type(&demo, 0));
    let sim = &stack.sim;
    set_available(&stack, rt, "2026-12-01", "2026-12-04", 1).await;
    // another channel sells faster than qlosync can hold: every booking POST is refused
    sim.faults().add(
        Fault::status_with_error(400, 404, "Requested room(s) not available.")
            .on("bookings")
            .method("POST"),
    );
    sim.clear_request_log();
    let range = (d("2026-12-01"), d("2026-12-04"));
    let outcome = s
        .availability
        .sync_availability(config, rt, range, SyncMode::Trust)
        .await
        .unwrap();
    assert_eq!(outcome.holds_created, 0);
    assert_eq!(outcome.overbooking_risks.len(), 1, "{outcome:?}");
    let risk = &outcome.overbooking_risks[0];
    assert_eq!(
        (risk.first_night, risk.last_night, risk.rooms_short),
        (d("2026-12-01"), d("2026-12-04"), 4)
    );
    // the hold, one fresh read (hotel_rooms + hotel_ari), the hold again: then it stops
    assert_eq!(count(sim, "bookings", "POST"), 2, "{:?}", calls(sim));
    assert_eq!(count(sim, "hotel_ari", "POST"), 2);
    assert_eq!(count(sim, "hotel_rooms", "GET"), 2);
    let log: Vec<(String, bool, String)> = sqlx::query_as(
        "SELECT operation, success, message FROM qloapps_sync_log WHERE entity_type = 'availability'",
    )
    .fetch_all(&stack.pool)
    .await
    .unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!((log[0].0.as_str(), log[0].1), ("overbooking_risk", false));
    assert!(
        log[0]
            .2
            .contains("overbooking risk on nights 2026-12-01..2026-12-04"),
        "{}",
        log[0].2
    );
    let holds: i64 = sqlx::query_scalar("SELECT count(*) FROM qloapps_inventory_holds")
        .fetch_one(&stack.pool)
        .await
        .unwrap();
    assert_eq!(holds, 0, "a refused hold leaves no row behind");
    stack.stop().await;
}
