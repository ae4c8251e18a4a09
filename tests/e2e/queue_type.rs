//! An installation upgraded onto classic queues of an earlier version: the api and the workers
//! stop at start with the error that points to the migration (docs/queues.md), and change
//! nothing on the broker.

use std::time::Duration;

use lapin::Channel;
use qlosync_tests::Env;
use sqlx::PgPool;
use sync_queue::queue::{connect, QueueConfig, Topology};
use tokio_util::sync::CancellationToken;

/// Generous: the process stops at its first connection, on a busy machine too.
const WAIT: Duration = Duration::from_secs(60);

/// Classic queues as an earlier version declared them; returns their topology and a channel.
async fn classic_queues(env: &Env) -> (Topology, lapin::Connection, Channel) {
    let topology = Topology::new(QueueConfig::from_lookup(env.lookup()).expect("queue config"));
    let connection = connect(&env.get("RABBITMQ_URL"), "e2e queue type")
        .await
        .expect("broker");
    let channel = connection.create_channel().await.expect("channel");
    topology.declare(&channel).await.expect("classic queues");
    (topology, connection, channel)
}

fn assert_points_to_the_migration(err: &anyhow::Error) {
    let text = format!("{err:#}");
    for needed in ["QLOSYNC_QUEUE_TYPE=quorum", "docs/queues.md"] {
        assert!(text.contains(needed), "{needed:?} missing from: {text}");
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_api_and_a_worker_stop_with_the_migration_error_on_classic_queues(pool: PgPool) {
    qlosync_service::telemetry::init_for_tests();
    let classic = qlosync_tests::env(&pool, &[("QLOSYNC_QUEUE_TYPE", "classic")]);
    let (topology, connection, channel) = classic_queues(&classic).await;
    let upgraded = classic.with("QLOSYNC_QUEUE_TYPE", "quorum");

    let settings = api::config::Settings::from_env(&upgraded.lookup()).expect("api settings");
    let api = api::Application::build(&settings)
        .await
        .expect("api builds");
    let served = tokio::time::timeout(WAIT, api.run_until_stopped(CancellationToken::new()))
        .await
        .expect("the api must stop by itself");
    assert_points_to_the_migration(&served.expect_err("the api stops with an error"));

    let config = outbound_worker::WorkerConfig::from_lookup(&upgraded.lookup()).expect("config");
    let worker = outbound_worker::OutboundWorker::build(config)
        .await
        .expect("worker builds");
    let consumed = tokio::time::timeout(WAIT, worker.run_until_stopped(CancellationToken::new()))
        .await
        .expect("the worker must stop by itself");
    assert_points_to_the_migration(&consumed.expect_err("the worker stops with an error"));

    // still the classic queues: redeclaring them as classic succeeds
    topology.declare(&channel).await.expect("unchanged");
    topology.delete(&channel).await.expect("clean-up");
    let _ = connection.close(200, "done").await;
}
