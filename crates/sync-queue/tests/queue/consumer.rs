use std::time::Duration;

use sync_core::messages::{Message, QueueKind};
use sync_queue::queue::ConsumerConfig;
use uuid::Uuid;

use crate::{handler::*, helpers::*};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_handled_message_is_acked_once() {
    let broker = TestBroker::new(test_config()).await;
    let handler = Scripted::ok();
    let running = start_consumer(
        &amqp_url(),
        &broker.topology,
        consumer_config(3),
        handler.clone(),
    );
    let msg = reservation_message(Uuid::new_v4());
    broker
        .publisher
        .publish_message(&broker.topology, &msg)
        .await
        .unwrap();

    let id = msg.envelope().message_id;
    assert!(wait_until(WAIT, || async { handler.finished_for(id) == 1 }).await);
    running.stop().await;

    // stopped: anything unacked would be back in the queue now
    assert_eq!(
        broker
            .depth(&broker.topology.work_queue(QueueKind::Outbound))
            .await,
        0
    );
    assert_eq!(broker.depth(&broker.topology.dead_letter_queue()).await, 0);
    assert_eq!(handler.calls_for(id).len(), 1);
}

#[tokio::test]
async fn the_consumer_reconnects_after_its_connection_drops() {
    let broker = TestBroker::new(test_config()).await;
    let (proxy, url) = broker_proxy().await;
    let handler = Scripted::ok();
    let running = start_consumer(&url, &broker.topology, consumer_config(3), handler.clone());
    let first = reservation_message(Uuid::new_v4());
    broker
        .publisher
        .publish_message(&broker.topology, &first)
        .await
        .unwrap();
    let first_id = first.envelope().message_id;
    assert!(wait_until(WAIT, || async { handler.finished_for(first_id) == 1 }).await);

    proxy.cut();
    let second = reservation_message(Uuid::new_v4());
    broker
        .publisher
        .publish_message(&broker.topology, &second)
        .await
        .unwrap();

    let second_id = second.envelope().message_id;
    assert!(
        wait_until(WAIT, || async { handler.finished_for(second_id) == 1 }).await,
        "no reconnect"
    );
    running.stop().await;
}

#[tokio::test]
async fn a_message_in_flight_when_the_connection_drops_is_redelivered_not_lost() {
    let broker = TestBroker::new(test_config()).await;
    let (proxy, url) = broker_proxy().await;
    let handler = Scripted::ok().taking(Duration::from_millis(300));
    let running = start_consumer(&url, &broker.topology, consumer_config(3), handler.clone());
    let msg = reservation_message(Uuid::new_v4());
    broker
        .publisher
        .publish_message(&broker.topology, &msg)
        .await
        .unwrap();
    let id = msg.envelope().message_id;
    assert!(wait_until(WAIT, || async { handler.calls_for(id).len() == 1 }).await);

    proxy.cut(); // the handler finishes, but its ack cannot reach the broker

    assert!(
        wait_until(WAIT, || async { handler.finished_for(id) == 2 }).await,
        "not redelivered"
    );
    running.stop().await;
    let calls = handler.calls_for(id);
    assert!(!calls[0].redelivered && calls[1].redelivered);
    assert_eq!(
        broker
            .depth(&broker.topology.work_queue(QueueKind::Outbound))
            .await,
        0
    );
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_in_flight_message() {
    let broker = TestBroker::new(test_config()).await;
    let handler = Scripted::ok().taking(Duration::from_millis(700));
    let running = start_consumer(
        &amqp_url(),
        &broker.topology,
        consumer_config(3),
        handler.clone(),
    );
    let msg = reservation_message(Uuid::new_v4());
    broker
        .publisher
        .publish_message(&broker.topology, &msg)
        .await
        .unwrap();
    let id = msg.envelope().message_id;
    assert!(wait_until(WAIT, || async { handler.calls_for(id).len() == 1 }).await);

    running.stop().await;

    assert_eq!(
        handler.finished_for(id),
        1,
        "shutdown cut the handler short"
    );
    assert_eq!(
        broker
            .depth(&broker.topology.work_queue(QueueKind::Outbound))
            .await,
        0,
        "not acked"
    );
}

#[tokio::test]
async fn prefetch_n_handles_n_messages_at_once() {
    let broker = TestBroker::new(test_config()).await;
    let handler = Scripted::ok().taking(Duration::from_millis(400));
    let config = ConsumerConfig {
        prefetch: 3,
        ..consumer_config(3)
    };
    let running = start_consumer(&amqp_url(), &broker.topology, config, handler.clone());
    for _ in 0..3 {
        let msg = reservation_message(Uuid::new_v4());
        broker
            .publisher
            .publish_message(&broker.topology, &msg)
            .await
            .unwrap();
    }
    assert!(
        wait_until(WAIT, || async {
            handler.calls().iter().filter(|c| c.finished).count() == 3
        })
        .await
    );
    running.stop().await;
    assert_eq!(handler.max_in_flight(), 3);
}

#[tokio::test]
async fn a_consumer_meeting_classic_queues_when_told_quorum_stops_with_the_migration_error() {
    use sync_queue::queue::{QueueConfig, QueueError, QueueType, Topology};
    let classic = QueueConfig {
        queue_type: QueueType::Classic,
        ..test_config()
    };
    let _broker = TestBroker::new(classic.clone()).await;
    let quorum = Topology::new(QueueConfig {
        queue_type: QueueType::Quorum,
        ..classic
    });
    let running = start_consumer(&amqp_url(), &quorum, consumer_config(3), Scripted::ok());

    let ended = tokio::time::timeout(WAIT, running.task)
        .await
        .expect("the consumer must stop, not reconnect forever")
        .unwrap();
    let err = ended.expect_err("a refused topology ends the consumer");
    assert!(matches!(err, QueueError::QueueTypeMismatch { .. }), "{err}");
}
