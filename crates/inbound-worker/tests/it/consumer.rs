//! The whole worker on a real broker: a message published to `qloapps.inbound` is pulled.

use std::time::Duration;

use inbound_worker::{InboundWorker, WorkerConfig};
use sqlx::PgPool;
use sync_queue::queue::{connect, ConfirmPublisher, QueueConfig, Topology};
use tokio_util::sync::CancellationToken;

use crate::helpers::World;

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_booking_event_on_the_inbound_queue_becomes_a_reservation(pool: PgPool) {
    let w = World::start(pool).await;
    let order = w.book(3, "2027-02-01", 2).await;
    let env = w.env();
    let lookup = |name: &str| env.get(name).cloned();
    let worker = InboundWorker::build(WorkerConfig::from_lookup(&lookup).unwrap())
        .await
        .unwrap();
    assert!(worker.ops_addr().unwrap().port() > 0);
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker.run_until_stopped(stop.clone()));

    let topology = Topology::new(QueueConfig::from_lookup(lookup).unwrap());
    let connection = connect(&env["RABBITMQ_URL"], "inbound test").await.unwrap();
    let publisher = ConfirmPublisher::open(&connection).await.unwrap();
    topology.declare(publisher.channel()).await.unwrap();
    publisher
        .publish_message(&topology, &w.created(i64::try_from(order).unwrap()))
        .await
        .unwrap();

    let mut mapped = Vec::new();
    for _ in 0..200 {
        mapped = w.mapped_orders().await;
        if !mapped.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mapped, vec![i64::try_from(order).unwrap()]);
    let rooms: i32 = sqlx::query_scalar("SELECT number_of_rooms FROM reservations")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(rooms, 2);

    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    topology.delete(publisher.channel()).await.unwrap();
    let _ = connection.close(200, "done").await;
}
