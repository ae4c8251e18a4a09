//! One correlation id follows a change from the API request through the outbox and the
//! message to the QloApps call, so an operator can find every log line of one change.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, reservation_body, Stack, TOKEN};
use sqlx::PgPool;

/// Log lines written by the subscriber of this test's thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().expect("log buffer").clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_correlation_id_of_an_api_request_reaches_the_qloapps_call(pool: PgPool) {
    // sqlx tests run on a current-thread runtime: this thread's subscriber sees every task
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_span_list(true)
        .with_env_filter("debug,sqlx=warn,lapin=warn,hyper=warn,h2=warn,reqwest=warn")
        .with_writer(move || writer.clone())
        .finish();
    // A second live dispatcher makes tracing compute a callsite's interest from every registered
    // dispatcher: with only this thread-local one, a sibling test's thread (no subscriber) that
    // hits a callsite first caches it as "never" for the whole process, and its events vanish here.
    let _anchor = tracing::Dispatch::new(tracing_subscriber::registry());
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut stack = Stack::start(pool, SimConfig::default(), &[]).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    let correlation = format!("corr-{}", uuid::Uuid::new_v4().simple());
    let body = reservation_body(
        &demo.room_types[0],
        &demo.guest_id,
        "2027-11-02",
        "2027-11-04",
        "210.00",
    );
    let response = stack
        .http
        .post(format!(
            "{}/api/v1/properties/{}/reservations",
            stack.api_url, demo.property_id
        ))
        .bearer_auth(TOKEN)
        .header("x-correlation-id", &correlation)
        .json(&body)
        .send()
        .await
        .expect("api answers");
    assert_eq!(response.status(), 201);
    let id = response.json::<serde_json::Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    eventually("the push", Duration::from_secs(20), || async {
        stack.mapped_order(&id).await
    })
    .await;

    let payload: serde_json::Value =
        sqlx::query_scalar("SELECT payload FROM outbox WHERE payload->>'reservationId' = $1")
            .bind(&id)
            .fetch_one(&stack.pool)
            .await
            .expect("outbox row");
    assert_eq!(
        payload["correlationId"],
        correlation.as_str(),
        "the queued message carries it"
    );
    let lines = captured.lines();
    let call = lines.iter().find(|l| {
        l.contains("QloApps call")
            && l.contains("\"resource\":\"bookings\"")
            && l.contains(&correlation)
    });
    assert!(
        call.is_some(),
        "the worker's QloApps call is logged inside the message span with the correlation id; {} lines captured",
        lines.len()
    );
    stack.stop().await;
}
