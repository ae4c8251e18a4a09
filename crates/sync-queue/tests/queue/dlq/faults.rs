//! DLQ operations when things go wrong: a replay cut off between confirm and ack, a cause
//! that persists while replaying, no queue, no broker.

use std::{
    collections::HashSet,
    sync::{atomic::AtomicBool, Arc},
    time::Duration,
};

use sync_core::messages::QueueKind;
use sync_queue::dlq::{DeadLetterQueue, DlqError, Selection};
use uuid::Uuid;

use super::{dead_letter, dlq_of, id_of, ids_in, until_fixed, WAIT};
use crate::{handler::*, helpers::*};

#[tokio::test]
async fn a_replay_interrupted_between_confirm_and_ack_loses_nothing() {
    let broker = TestBroker::new(test_config()).await;
    let work = broker.topology.work_queue(QueueKind::Outbound);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let msg = dead_letter(&broker, Uuid::new_v4(), "permanent", Some(&work)).await;
        ids.push(id_of(&msg));
    }
    let (proxy, url) = broker_proxy().await;
    let proxy = Arc::new(proxy);
    let cutter = Arc::clone(&proxy);
    let crashing =
        DeadLetterQueue::new(url, broker.topology.clone()).with_after_confirm_hook(move || {
            // the process "dies" after the first confirm, before any DLQ ack is sent
            cutter.set_reachable(false);
            tokio::time::sleep(Duration::from_millis(300))
        });
    let result = crashing.replay(&Selection::All).await;
    assert!(
        matches!(result, Err(DlqError::Interrupted { done: 0, .. })),
        "{result:?}"
    );

    let dlq_name = broker.topology.dead_letter_queue();
    assert!(
        wait_until(WAIT, || async { broker.depth(&dlq_name).await == 3 }).await,
        "the broker hands every unacked message back to the DLQ"
    );
    let in_work: HashSet<String> = ids_in(&broker, &work).await.into_iter().collect();
    assert!(
        in_work.contains(&ids[0]),
        "the confirmed copy is in the work queue"
    );
    let in_dlq: Vec<String> = dlq_of(&broker)
        .list(10)
        .await
        .unwrap()
        .messages
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(
        in_dlq, ids,
        "and every message is still in the DLQ, in order"
    );

    let report = dlq_of(&broker).replay(&Selection::All).await.unwrap();
    assert_eq!((report.replayed, report.failed), (3, 0));
    let in_work: HashSet<String> = ids_in(&broker, &work).await.into_iter().collect();
    assert_eq!(
        in_work,
        ids.iter().cloned().collect(),
        "replaying again finishes the job"
    );
    assert_eq!(broker.depth(&dlq_name).await, 0);
}

#[tokio::test]
async fn replaying_all_while_the_cause_persists_ends_and_counts_the_replays() {
    let broker = TestBroker::new(test_config()).await;
    let handler = until_fixed(&Arc::new(AtomicBool::new(false)));
    let running = start_consumer(&amqp_url(), &broker.topology, consumer_config(3), handler);
    for _ in 0..3 {
        let msg = reservation_message(Uuid::new_v4());
        broker
            .publisher
            .publish_message(&broker.topology, &msg)
            .await
            .unwrap();
    }
    let dlq_name = broker.topology.dead_letter_queue();
    assert!(wait_until(WAIT, || async { broker.depth(&dlq_name).await == 3 }).await);

    // the consumer dead-letters each replayed copy again at once; the pass must still end
    let report = dlq_of(&broker).replay(&Selection::All).await.unwrap();
    assert_eq!(report.replayed, 3, "{report:?}");
    let dlq = dlq_of(&broker);
    assert!(
        wait_until(WAIT, || async {
            let listed = dlq.list(10).await.unwrap();
            listed.messages.len() == 3 && listed.messages.iter().all(|m| m.replay_count == 1)
        })
        .await
    );
    running.stop().await;
    let listed = dlq.list(10).await.unwrap();
    assert!(listed
        .messages
        .iter()
        .all(|m| m.attempts == 1 && m.last_replayed_at.is_some()));
}

#[tokio::test]
async fn a_missing_queue_or_an_unreachable_broker_is_a_clear_error() {
    let never_declared = sync_queue::queue::Topology::new(test_config());
    let missing = DeadLetterQueue::new(amqp_url(), never_declared)
        .list(10)
        .await;
    let err = missing.unwrap_err();
    assert!(matches!(err, DlqError::Missing { .. }) && err.is_unavailable());
    assert!(err.to_string().contains("does not exist"), "{err}");

    let (proxy, url) = broker_proxy().await;
    proxy.set_reachable(false);
    let down = DeadLetterQueue::new(url, sync_queue::queue::Topology::new(test_config()));
    let err = down.replay(&Selection::All).await.unwrap_err();
    assert!(
        matches!(err, DlqError::Broker(_)) && err.is_unavailable(),
        "{err}"
    );
}
