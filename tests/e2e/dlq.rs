//! The dead-letter queue through the api (issue: DLQ tools): a reservation that fails for a
//! missing room-type mapping is listed with its reason, replayed once the mapping exists, and
//! synced; another poison message is discarded.

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, publish_raw, Stack};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

const WAIT: Duration = Duration::from_secs(30);

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_dead_lettered_reservation_is_replayed_after_its_mapping_is_added_and_synced(
    pool: PgPool,
) {
    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    let mappings = format!("/qloapps/configs/{}/room-type-mappings", demo.config_id);
    let luxury = demo.room_types[3].clone();
    let all = stack.ok(Method::GET, &mappings, None).await;
    let mapping = all
        .as_array()
        .expect("mappings")
        .iter()
        .find(|m| m["localRoomTypeId"] == luxury.as_str())
        .expect("the demo maps every room type")["id"]
        .as_str()
        .expect("mapping id")
        .to_owned();
    let (status, _) = stack
        .call(Method::DELETE, &format!("{mappings}/{mapping}"), None)
        .await;
    assert_eq!(status, 204);

    let reservation = demo
        .reserve(&stack, 3, "2027-09-01", "2027-09-03", "400.00")
        .await;
    publish_raw(&stack.env, b"{not json").await;
    let listed = eventually("two dead letters listed by the api", WAIT, || async {
        let listed = stack.ok(Method::GET, "/dlq?limit=10", None).await;
        (listed["total"] == 2).then_some(listed)
    })
    .await;
    let messages = listed["messages"].as_array().expect("messages");
    let unmapped = messages
        .iter()
        .find(|m| m["eventType"] == "reservation.create")
        .expect("the reservation's message");
    assert_eq!(unmapped["reason"], "permanent", "{unmapped}");
    let error = unmapped["error"].as_str().unwrap_or_default();
    assert!(error.contains("is not mapped"), "{unmapped}");
    assert_eq!(unmapped["configId"], demo.config_id.as_str());
    assert_eq!(unmapped["attempts"], 1);
    let queue = unmapped["originalQueue"].as_str().unwrap_or_default();
    assert!(queue.ends_with("qloapps.outbound"), "{unmapped}");
    assert!(unmapped["firstFailureAt"].is_string() && unmapped["lastFailureAt"].is_string());
    let poison = messages
        .iter()
        .find(|m| m["reason"] == "invalid_message")
        .expect("the poison message");
    assert!(stack.mapped_order(&reservation).await.is_none());

    let body = json!({"localRoomTypeId": luxury, "qloappsRoomTypeId": 4});
    stack.ok(Method::POST, &mappings, Some(body)).await;
    let selection = json!({"messageId": unmapped["id"]});
    let report = stack.ok(Method::POST, "/dlq/replay", Some(selection)).await;
    assert_eq!(report_counts(&report, "replayed"), (1, 1), "{report}");
    eventually("the replayed reservation in QloApps", WAIT, || async {
        stack.mapped_order(&reservation).await
    })
    .await;
    let orders = stack.sim_orders_for(&reservation);
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(
        orders[0].lines,
        vec![(4, "2027-09-01".into(), "2027-09-03".into())]
    );

    let selection = json!({"messageId": poison["id"]});
    let report = stack
        .ok(Method::POST, "/dlq/discard", Some(selection))
        .await;
    assert_eq!(report_counts(&report, "discarded"), (1, 0), "{report}");
    let listed = stack.ok(Method::GET, "/dlq", None).await;
    assert_eq!(listed["total"], 0, "{listed}");
    assert!(stack.dead_letters().await.is_empty());
    stack.stop().await;
}

fn report_counts(report: &Value, done: &str) -> (u64, u64) {
    let count = |key: &str| report[key].as_u64().unwrap_or(u64::MAX);
    (count(done), count("skipped"))
}
