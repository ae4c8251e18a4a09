use std::time::Duration;

use lapin::{
    options::{QueueDeclareOptions, QueueDeleteOptions},
    types::{AMQPValue, FieldTable},
    BasicProperties,
};
use sync_core::messages::QueueKind;
use sync_queue::queue::{record_queue_depths, QueueConfig, QueueError, QueueType, Topology};

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
async fn a_full_classic_work_queue_dead_letters_its_oldest_message_and_confirms_the_new_one() {
    let broker = TestBroker::new(QueueConfig {
        max_length: 2,
        queue_type: QueueType::Classic,
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

#[tokio::test]
async fn every_queue_is_a_quorum_queue_by_default_and_classic_on_request() {
    let quorum = TestBroker::new(test_config()).await;
    let classic = TestBroker::new(QueueConfig {
        queue_type: QueueType::Classic,
        ..test_config()
    })
    .await;

    for (broker, expected) in [(&quorum, "quorum"), (&classic, "classic")] {
        let types = queue_types(broker.topology.prefix());
        let names = broker.topology.all_queues();
        assert_eq!(types.len(), names.len(), "{types:?}");
        for name in names {
            assert_eq!(
                types.get(&name).map(String::as_str),
                Some(expected),
                "{name}"
            );
        }
    }
}

#[tokio::test]
async fn classic_queues_redeclared_as_quorum_fail_with_an_error_pointing_to_the_migration() {
    let config = QueueConfig {
        queue_type: QueueType::Classic,
        ..test_config()
    };
    let broker = TestBroker::new(config.clone()).await;
    let upgraded = Topology::new(QueueConfig {
        queue_type: QueueType::Quorum,
        ..config
    });
    let channel = broker.connection.create_channel().await.unwrap();
    let err = upgraded.declare(&channel).await.unwrap_err();

    assert!(matches!(err, QueueError::QueueTypeMismatch { .. }), "{err}");
    assert!(!err.is_transient() && err.is_topology_conflict());
    let text = err.to_string();
    for needed in [
        "QLOSYNC_QUEUE_TYPE=quorum",
        "docs/queues.md",
        "QLOSYNC_QUEUE_TYPE=classic",
    ] {
        assert!(text.contains(needed), "{needed:?} missing from: {text}");
    }
    // nothing was changed: the classic queues are still there, still classic
    let types = queue_types(broker.topology.prefix());
    assert_eq!(
        types
            .get(&broker.topology.work_queue(QueueKind::Outbound))
            .map(String::as_str),
        Some("classic")
    );
}

/// RabbitMQ 3.10 checks a quorum queue's limit before each message, so the message that
/// reaches the limit is still taken: at most `max_length + 1`, then every publish is nacked.
#[tokio::test]
async fn a_full_quorum_work_queue_nacks_the_publisher_and_dead_letters_nothing() {
    let broker = TestBroker::new(QueueConfig {
        max_length: 2,
        ..test_config()
    })
    .await;
    let outbound = broker.topology.work_queue(QueueKind::Outbound);
    let mut results = Vec::new();
    for body in ["1", "2", "3", "4", "5"] {
        let published = broker
            .publisher
            .publish_to_queue(&outbound, body.as_bytes(), BasicProperties::default())
            .await;
        results.push(match published {
            Ok(()) => "ack",
            Err(QueueError::Nacked { .. }) => "nack",
            Err(e) => panic!("{e}"),
        });
    }

    assert_eq!(results, ["ack", "ack", "ack", "nack", "nack"]);
    let kept: Vec<_> = broker
        .drain(&outbound)
        .await
        .into_iter()
        .map(|m| m.delivery.data)
        .collect();
    assert_eq!(
        kept,
        vec![b"1".to_vec(), b"2".to_vec(), b"3".to_vec()],
        "the oldest kept"
    );
    assert_eq!(broker.depth(&broker.topology.dead_letter_queue()).await, 0);
    // room again once drained
    broker
        .publish_raw(&outbound, b"4", BasicProperties::default())
        .await;
    assert_eq!(broker.depth(&outbound).await, 1);
}

#[tokio::test]
async fn quorum_queues_redeclared_as_classic_are_refused_too_never_changed() {
    let config = test_config();
    let broker = TestBroker::new(config.clone()).await;
    let downgraded = Topology::new(QueueConfig {
        queue_type: QueueType::Classic,
        ..config
    });
    let channel = broker.connection.create_channel().await.unwrap();
    let err = downgraded.declare(&channel).await.unwrap_err();

    assert!(err.is_topology_conflict() && !err.is_transient(), "{err}");
    assert!(err.to_string().contains("docs/queues.md"), "{err}");
    let types = queue_types(broker.topology.prefix());
    assert!(types.values().all(|t| t == "quorum"), "{types:?}");
}
