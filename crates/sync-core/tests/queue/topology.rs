use std::time::Duration;

use lapin::{
    options::{QueueDeclareOptions, QueueDeleteOptions},
    types::{AMQPValue, FieldTable},
    BasicProperties,
};
use sync_core::{
    messages::QueueKind,
    queue::{record_queue_depths, QueueConfig, QueueError, Topology},
};

use crate::helpers::*;

#[tokio::test]
async fn declaring_the_topology_twice_changes_nothing() {
    let broker = TestBroker::new(test_config()).await;
    let outbound = broker.topology.work_queue(QueueKind::Outbound);
    broker
        .publish_raw(&outbound, b"{}", BasicProperties::default())
        .await;

    broker.topology.declare(broker.channel()).await.unwrap();
    broker.topology.declare(broker.channel()).await.unwrap();

    assert_eq!(
        broker.depth(&outbound).await,
        1,
        "redeclaring must keep messages"
    );
    // every queue exists (passive declares) and its depth is read for the gauge
    let depths = record_queue_depths(&broker.connection, &broker.topology)
        .await
        .unwrap();
    assert_eq!(depths.len(), broker.topology.all_queues().len());
    assert_eq!(depths[0], (outbound, 1));
    assert!(depths[1..].iter().all(|(_, depth)| *depth == 0));
}

#[tokio::test]
async fn redeclaring_with_other_limits_is_a_topology_mismatch_not_a_transient_error() {
    let config = test_config();
    let broker = TestBroker::new(config.clone()).await;
    let other = Topology::new(QueueConfig {
        max_length: 5,
        ..config
    });
    let channel = broker.connection.create_channel().await.unwrap();
    let err = other.declare(&channel).await.unwrap_err();
    assert!(matches!(err, QueueError::TopologyMismatch(_)), "{err}");
    assert!(!err.is_transient());
}

#[tokio::test]
async fn a_full_work_queue_dead_letters_its_oldest_message_and_confirms_the_new_one() {
    let broker = TestBroker::new(QueueConfig {
        max_length: 2,
        ..test_config()
    })
    .await;
    let outbound = broker.topology.work_queue(QueueKind::Outbound);
    for body in [&b"1"[..], b"2", b"3"] {
        // publish_raw waits for the confirm: every one is acked, none refused
        broker
            .publish_raw(&outbound, body, BasicProperties::default())
            .await;
    }

    let kept: Vec<_> = broker
        .drain(&outbound)
        .await
        .into_iter()
        .map(|m| m.delivery.data)
        .collect();
    assert_eq!(kept, vec![b"2".to_vec(), b"3".to_vec()]);
    let dead = broker
        .get(&broker.topology.dead_letter_queue(), Duration::from_secs(2))
        .await;
    let dead = dead.expect("the pushed-out message must be in the DLQ, not dropped");
    assert_eq!(dead.delivery.data, b"1");
    assert_eq!(
        header_str(&dead, "x-first-death-reason").as_deref(),
        Some("maxlen")
    );
    assert_eq!(header_str(&dead, "x-first-death-queue"), Some(outbound));
}

#[tokio::test]
async fn an_expired_message_is_dead_lettered() {
    let broker = TestBroker::new(QueueConfig {
        message_ttl: Duration::from_millis(200),
        ..test_config()
    })
    .await;
    let inbound = broker.topology.work_queue(QueueKind::Inbound);
    broker
        .publish_raw(&inbound, b"late", BasicProperties::default())
        .await;

    let dead = broker
        .get(&broker.topology.dead_letter_queue(), Duration::from_secs(5))
        .await;
    let dead = dead.expect("the expired message must be in the DLQ");
    assert_eq!(dead.delivery.data, b"late");
    assert_eq!(
        header_str(&dead, "x-first-death-reason").as_deref(),
        Some("expired")
    );
    assert_eq!(broker.depth(&inbound).await, 0);
}

#[tokio::test]
async fn a_publish_to_a_missing_queue_is_reported_not_confirmed() {
    let broker = TestBroker::new(test_config()).await;
    let missing = format!("{}qloapps.nowhere", broker.topology.prefix());
    let err = broker
        .publisher
        .publish_to_queue(&missing, b"{}", BasicProperties::default())
        .await
        .unwrap_err();
    assert!(matches!(err, QueueError::Unroutable { .. }), "{err}");
}

/// Why the work queues use drop-head and not reject-publish-dlx (see topology.rs): on this
/// broker a reject-publish-dlx overflow both nacks the publisher and dead-letters the message,
/// so a publisher that retries nacked messages (the outbox relay) would fill the DLQ with copies.
#[tokio::test]
async fn broker_check_reject_publish_dlx_nacks_the_publisher_and_still_dead_letters() {
    let broker = TestBroker::new(test_config()).await;
    let queue = format!("{}overflow-check", broker.topology.prefix());
    let mut args = FieldTable::default();
    args.insert("x-max-length".into(), AMQPValue::LongLongInt(1));
    args.insert(
        "x-overflow".into(),
        AMQPValue::LongString("reject-publish-dlx".into()),
    );
    let dlx = broker.topology.dead_letter_exchange();
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(dlx.into()),
    );
    let channel = broker.channel();
    channel
        .queue_declare(&queue, QueueDeclareOptions::default(), args)
        .await
        .unwrap();

    broker
        .publish_raw(&queue, b"first", BasicProperties::default())
        .await;
    let second = broker
        .publisher
        .publish_to_queue(&queue, b"second", BasicProperties::default());
    let err = second.await.unwrap_err();
    let dead = broker
        .get(&broker.topology.dead_letter_queue(), Duration::from_secs(2))
        .await;

    channel
        .queue_delete(&queue, QueueDeleteOptions::default())
        .await
        .unwrap();
    assert!(matches!(err, QueueError::Nacked { .. }), "{err}");
    assert_eq!(dead.map(|m| m.delivery.data), Some(b"second".to_vec()));
}
