//! The DLQ tools against the real broker, each test on its own prefix: list, replay (one, by
//! filter), discard; failures in `faults`.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use chrono::Utc;
use sync_core::messages::{Message, OutboundMessage, QueueKind};
use sync_queue::{
    dlq::{DeadLetterQueue, DlqError, DlqFilter, Selection},
    queue::{headers as h, HandleError, QueueConfig},
};
use uuid::Uuid;

use crate::{handler::*, helpers::*};

mod faults;

const WAIT: Duration = Duration::from_secs(10);

fn dlq_of(broker: &TestBroker) -> DeadLetterQueue {
    DeadLetterQueue::new(amqp_url(), broker.topology.clone())
}

fn id_of(msg: &OutboundMessage) -> String {
    msg.envelope().message_id.to_string()
}

fn by_id(id: &str) -> Selection {
    Selection::matching(DlqFilter {
        id: Some(id.to_owned()),
        ..DlqFilter::default()
    })
    .unwrap()
}

/// Puts a message in the DLQ with the headers a worker writes; `None` records no queue.
async fn dead_letter(
    broker: &TestBroker,
    config_id: Uuid,
    reason: &str,
    original: Option<&str>,
) -> OutboundMessage {
    let msg = reservation_message(config_id);
    let props = props_for(&msg, 0);
    let mut headers = props.headers().clone().unwrap_or_default();
    h::set_str(&mut headers, h::DEAD_LETTER_REASON, reason);
    h::set_error(&mut headers, "it failed");
    h::set_u32(&mut headers, h::ATTEMPTS, 4);
    h::set_time(&mut headers, h::FIRST_FAILURE_AT, Utc::now());
    h::set_time(&mut headers, h::LAST_FAILURE_AT, Utc::now());
    if let Some(queue) = original {
        h::set_str(&mut headers, h::ORIGINAL_QUEUE, queue);
    }
    let body = serde_json::to_vec(&msg).unwrap();
    let dlq = broker.topology.dead_letter_queue();
    broker
        .publish_raw(&dlq, &body, props.with_headers(headers))
        .await;
    msg
}

async fn ids_in(broker: &TestBroker, queue: &str) -> Vec<String> {
    let drained = broker.drain(queue).await;
    drained
        .iter()
        .map(|m| {
            m.delivery
                .properties
                .message_id()
                .clone()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Fails permanently until `fixed` is set, then succeeds.
fn until_fixed(fixed: &Arc<AtomicBool>) -> Scripted {
    let fixed = Arc::clone(fixed);
    Scripted::new(move |_, _| match fixed.load(Ordering::SeqCst) {
        true => Ok(()),
        false => Err(HandleError::Permanent("room type 9 is not mapped".into())),
    })
}

#[tokio::test]
async fn a_listing_shows_reason_attempts_queue_and_times_and_leaves_messages_in_order() {
    // classic: its full work queue dead-letters the oldest message (reason "maxlen"), the
    // broker-made dead letter this listing must show; a quorum one refuses the publish instead
    let broker = TestBroker::new(QueueConfig {
        max_length: 1,
        queue_type: sync_queue::queue::QueueType::Classic,
        ..test_config()
    })
    .await;
    let work = broker.topology.work_queue(QueueKind::Outbound);
    let config_id = Uuid::new_v4();
    let (pushed_out, permanent, transient) = (
        reservation_message(config_id),
        reservation_message(config_id),
        reservation_message(config_id),
    );
    for msg in [&pushed_out, &permanent] {
        let body = serde_json::to_vec(msg).unwrap();
        broker.publish_raw(&work, &body, props_for(msg, 0)).await;
    }
    let transient_id = transient.envelope().message_id;
    let handler = Scripted::new(move |m, _| match m.envelope().message_id == transient_id {
        true => Err(HandleError::Transient("QloApps answered 503".into())),
        false => Err(HandleError::Permanent("room type 9 is not mapped".into())),
    });
    let running = start_consumer(&amqp_url(), &broker.topology, consumer_config(1), handler);
    let dlq_name = broker.topology.dead_letter_queue();
    assert!(wait_until(WAIT, || async { broker.depth(&dlq_name).await == 2 }).await);
    broker
        .publisher
        .publish_message(&broker.topology, &transient)
        .await
        .unwrap();
    assert!(wait_until(WAIT, || async { broker.depth(&dlq_name).await == 3 }).await);
    running.stop().await;

    let dlq = dlq_of(&broker);
    let listed = dlq.list(10).await.unwrap();
    assert_eq!(
        (listed.total, listed.queue.as_str()),
        (3, dlq_name.as_str())
    );
    let ids: Vec<&str> = listed.messages.iter().map(|m| m.id.as_str()).collect();
    let want = [&pushed_out, &permanent, &transient].map(id_of);
    assert_eq!(ids, want, "oldest first");
    let [full, perm, trans] = &listed.messages[..] else {
        panic!("three messages")
    };
    assert_eq!((full.reason.as_str(), full.attempts), ("maxlen", 0));
    assert!(full.error.as_deref().unwrap().contains("full"), "{full:?}");
    assert!(full.last_failure_at.is_some());
    assert_eq!((perm.reason.as_str(), perm.attempts), ("permanent", 1));
    assert_eq!(perm.error.as_deref(), Some("room type 9 is not mapped"));
    assert_eq!(perm.event_type.as_deref(), Some("reservation.create"));
    assert_eq!(perm.config_id, Some(config_id.to_string()));
    assert_eq!(perm.first_failure_at, perm.last_failure_at);
    assert_eq!(
        (trans.reason.as_str(), trans.attempts),
        ("retries_exhausted", 2)
    );
    assert!(trans.first_failure_at < trans.last_failure_at);
    for m in &listed.messages {
        assert_eq!(m.original_queue.as_deref(), Some(work.as_str()), "{m:?}");
        assert!(m.size_bytes > 0 && m.body_preview.starts_with('{'));
    }

    let first = dlq.list(1).await.unwrap();
    assert_eq!((first.total, first.messages.len()), (3, 1));
    assert_eq!(first.messages[0].id, want[0]);
    let again = dlq.list(1000).await.unwrap();
    assert_eq!(again.messages, listed.messages, "listing changes nothing");
    assert_eq!(broker.depth(&dlq_name).await, 3);
    assert!(matches!(dlq.list(0).await, Err(DlqError::InvalidLimit)));
    assert!(matches!(dlq.list(1001).await, Err(DlqError::InvalidLimit)));
}

#[tokio::test]
async fn a_message_replayed_by_id_after_the_fix_is_handled_afresh_and_leaves_the_dlq() {
    let broker = TestBroker::new(test_config()).await;
    let fixed = Arc::new(AtomicBool::new(false));
    let handler = until_fixed(&fixed);
    let running = start_consumer(
        &amqp_url(),
        &broker.topology,
        consumer_config(3),
        handler.clone(),
    );
    let (a, b) = (
        reservation_message(Uuid::new_v4()),
        reservation_message(Uuid::new_v4()),
    );
    for msg in [&a, &b] {
        broker
            .publisher
            .publish_message(&broker.topology, msg)
            .await
            .unwrap();
    }
    let dlq_name = broker.topology.dead_letter_queue();
    assert!(wait_until(WAIT, || async { broker.depth(&dlq_name).await == 2 }).await);

    fixed.store(true, Ordering::SeqCst);
    let report = dlq_of(&broker).replay(&by_id(&id_of(&a))).await.unwrap();
    assert_eq!((report.replayed, report.skipped, report.failed), (1, 1, 0));
    let a_id = a.envelope().message_id;
    assert!(wait_until(WAIT, || async { handler.finished_for(a_id) == 2 }).await);
    running.stop().await;

    let calls = handler.calls_for(a_id);
    assert_eq!(
        (calls[1].attempts, calls[1].deferrals),
        (0, 0),
        "fresh counters"
    );
    assert_eq!(
        handler.calls_for(b.envelope().message_id).len(),
        1,
        "b was not replayed"
    );
    let left = dlq_of(&broker).list(10).await.unwrap();
    let left: Vec<String> = left.messages.into_iter().map(|m| m.id).collect();
    assert_eq!(left, vec![id_of(&b)]);
    assert_eq!(
        broker
            .depth(&broker.topology.work_queue(QueueKind::Outbound))
            .await,
        0
    );
}

#[tokio::test]
async fn replay_by_filter_moves_only_matching_messages_and_refuses_unknown_queues() {
    let broker = TestBroker::new(test_config()).await;
    let work = broker.topology.work_queue(QueueKind::Outbound);
    let (c1, c2) = (Uuid::new_v4(), Uuid::new_v4());
    let m1 = dead_letter(&broker, c1, "permanent", Some(&work)).await;
    let m2 = dead_letter(&broker, c2, "permanent", Some(&work)).await;
    let m3 = dead_letter(&broker, c1, "retries_exhausted", Some(&work)).await;
    let m4 = dead_letter(&broker, c2, "retries_exhausted", Some(&work)).await;
    let lost = dead_letter(&broker, c1, "permanent", None).await;
    let dlq = dlq_of(&broker);

    let c1_permanent = Selection::matching(DlqFilter {
        config_id: Some(c1.to_string().to_uppercase()),
        reason: Some("permanent".into()),
        ..DlqFilter::default()
    })
    .unwrap();
    let report = dlq.replay(&c1_permanent).await.unwrap();
    assert_eq!((report.replayed, report.skipped, report.failed), (1, 3, 1));
    assert_eq!(report.failures[0].id, id_of(&lost));
    assert!(
        report.failures[0].error.contains("no original queue"),
        "{report:?}"
    );

    let replayed = broker.get(&work, WAIT).await.expect("replayed copy");
    assert_eq!(replayed.delivery.data, serde_json::to_vec(&m1).unwrap());
    assert_eq!(header_u32(&replayed, h::ATTEMPTS), None);
    assert_eq!(header_u32(&replayed, "x-qlosync-replay-count"), Some(1));
    assert!(header_str(&replayed, "x-qlosync-replayed-at").is_some());
    assert_eq!(header_str(&replayed, h::CONFIG_ID), Some(c1.to_string()));

    let event_type = Selection::matching(DlqFilter {
        event_type: Some("reservation.create".into()),
        config_id: Some(c2.to_string()),
        ..DlqFilter::default()
    })
    .unwrap();
    let report = dlq.replay(&event_type).await.unwrap();
    assert_eq!((report.replayed, report.skipped), (2, 2));
    assert_eq!(
        ids_in(&broker, &work).await,
        [&m2, &m4].map(id_of),
        "in DLQ order"
    );
    let left = ids_in(&broker, &broker.topology.dead_letter_queue()).await;
    assert_eq!(left, [&m3, &lost].map(id_of), "the rest stay, in order");
    assert!(
        Selection::matching(DlqFilter::default()).is_none(),
        "all is explicit"
    );
}

#[tokio::test]
async fn discard_removes_the_selected_messages_for_good() {
    let broker = TestBroker::new(test_config()).await;
    let work = broker.topology.work_queue(QueueKind::Outbound);
    let config = Uuid::new_v4();
    let a = dead_letter(&broker, config, "permanent", Some(&work)).await;
    let b = dead_letter(&broker, config, "invalid_message", Some(&work)).await;
    let c = dead_letter(&broker, config, "permanent", Some(&work)).await;
    let dlq = dlq_of(&broker);

    let report = dlq.discard(&by_id(&id_of(&b))).await.unwrap();
    assert_eq!((report.discarded, report.skipped), (1, 2));
    let left = dlq.list(10).await.unwrap();
    let left: Vec<String> = left.messages.into_iter().map(|m| m.id).collect();
    assert_eq!(left, [&a, &c].map(id_of));
    assert_eq!(dlq.discard(&Selection::All).await.unwrap().discarded, 2);
    assert_eq!(dlq.depth().await.unwrap(), 0);
    assert_eq!(broker.depth(&work).await, 0, "discard never republishes");
}
