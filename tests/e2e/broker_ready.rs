//! The workers' `/ready` follows their broker link: 503 while RabbitMQ is down, 200 again once
//! each has reconnected; `/health` (liveness) stays 200 throughout. The broker is a private
//! node the test stops, never the machine's shared one.

use std::time::Duration;

use qlo_sim::SimConfig;
use qlosync_tests::{eventually, RabbitNodes, Stack};
use serde_json::Value;
use sqlx::PgPool;

/// Generous: a busy machine reconnects slowly.
const WAIT: Duration = Duration::from_secs(60);

async fn probe(http: &reqwest::Client, url: &str) -> (u16, Value) {
    match http.get(url).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }
        Err(e) => panic!("{url} did not answer: {e}"),
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_workers_ready_is_503_while_rabbitmq_is_down_and_200_once_it_reconnected(pool: PgPool) {
    let mut node = RabbitNodes::start(1).await;
    let url = node.url(0);
    let mut stack = Stack::start(pool, SimConfig::default(), &[("RABBITMQ_URL", &url)]).await;
    let worker = stack.start_worker(false).await;
    let ops = stack.worker(worker).ops_url.clone();
    let (ready, health) = (format!("{ops}/ready"), format!("{ops}/health"));
    let http = reqwest::Client::new();
    // the inbound worker's ops server follows its own consumer the same way
    let inbound_config =
        inbound_worker::WorkerConfig::from_lookup(&stack.env.lookup()).expect("inbound settings");
    let inbound = inbound_worker::InboundWorker::build(inbound_config)
        .await
        .expect("inbound worker builds");
    let inbound_ready = format!("http://{}/ready", inbound.ops_addr().expect("ops address"));
    let stop_inbound = tokio_util::sync::CancellationToken::new();
    let inbound_task = tokio::spawn(inbound.run_until_stopped(stop_inbound.clone()));

    // the queue exists once the worker consumes it: then it is connected
    let queue = format!("{}qloapps.outbound", stack.env.get("QLOSYNC_QUEUE_PREFIX"));
    eventually("the worker consuming", WAIT, || async {
        node.consumers_of(&queue, 0).await.filter(|n| *n > 0)
    })
    .await;
    let (status, body) = probe(&http, &ready).await;
    assert_eq!(status, 200, "{body}");
    eventually("the inbound worker ready", WAIT, || async {
        (probe(&http, &inbound_ready).await.0 == 200).then_some(())
    })
    .await;

    node.stop(0).await;
    let body = eventually("/ready 503 with the broker down", WAIT, || async {
        let (status, body) = probe(&http, &ready).await;
        (status == 503).then_some(body)
    })
    .await;
    assert_eq!(body["broker"], "not connected", "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    assert_eq!(body["checks"]["consumer"], "not consuming", "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    // the api keeps taking writes into the outbox: 200, with its relay's link reported down
    let api_ready = format!("{}/ready", stack.api_url);
    let body = eventually(
        "the api reporting its relay's broker down",
        WAIT,
        || async {
            let (status, body) = probe(&http, &api_ready).await;
            assert_eq!(status, 200, "the api stays ready for writes: {body}");
            (body["checks"]["broker_connection"] != "ok").then_some(body)
        },
    )
    .await;
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    eventually("the inbound worker's /ready 503", WAIT, || async {
        (probe(&http, &inbound_ready).await.0 == 503).then_some(())
    })
    .await;
    let (status, _) = probe(&http, &health).await;
    assert_eq!(status, 200, "liveness must not follow the broker");

    node.restart(0).await;
    eventually("/ready 200 after the reconnect", WAIT, || async {
        let (status, body) = probe(&http, &ready).await;
        (status == 200 && body["broker"] == "ok").then_some(())
    })
    .await;
    let (status, _) = probe(&http, &health).await;
    assert_eq!(status, 200);
    eventually("the inbound worker ready again", WAIT, || async {
        (probe(&http, &inbound_ready).await.0 == 200).then_some(())
    })
    .await;
    stop_inbound.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), inbound_task).await;
    stack.stop().await;
}
