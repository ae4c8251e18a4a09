use std::time::Duration;

use sync_core::messages::{Message, QueueKind};
use sync_queue::queue::{headers, HandleError};
use uuid::Uuid;

use crate::{handler::*, helpers::*};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_transient_failure_is_retried_max_retries_times_after_the_delay_then_dead_lettered() {
    let broker = TestBroker::new(test_config()).await; // retry delay 100 ms
    let handler = Scripted::new(|_, _| Err(HandleError::Transient("QloApps answered 503".into())));
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

    let dead = broker
        .get(&broker.topology.dead_letter_queue(), WAIT)
        .await
        .expect("dead-lettered");
    running.stop().await;

    let calls = handler.calls_for(msg.envelope().message_id);
    assert_eq!(calls.len(), 4, "one attempt plus maxRetries = 3 retries");
    assert_eq!(
        calls.iter().map(|c| c.attempts).collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
    for pair in calls.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(95),
            "retried after {gap:?}, before the delay"
        );
    }
    let queue = broker.topology.work_queue(QueueKind::Outbound);
    assert_eq!(header_u32(&dead, headers::ATTEMPTS), Some(4));
    assert_eq!(
        header_str(&dead, headers::ERROR).as_deref(),
        Some("QloApps answered 503")
    );
    assert_eq!(
        header_str(&dead, headers::ORIGINAL_QUEUE),
        Some(queue.clone())
    );
    assert_eq!(
        header_str(&dead, headers::DEAD_LETTER_REASON).as_deref(),
        Some("retries_exhausted")
    );
    let first = header_str(&dead, headers::FIRST_FAILURE_AT).expect("first failure time");
    let last = header_str(&dead, headers::LAST_FAILURE_AT).expect("last failure time");
    assert!(first < last, "{first} / {last}");
    assert!(
        header_str(&dead, "x-first-death-reason").is_none(),
        "delay-queue x-death leaked"
    );
    assert_eq!(dead.delivery.data, serde_json::to_vec(&msg).unwrap());
    assert_eq!(broker.depth(&queue).await, 0);
    assert_eq!(
        broker
            .depth(&broker.topology.retry_queue(QueueKind::Outbound))
            .await,
        0
    );
}

#[tokio::test]
async fn permanent_failures_bad_json_and_unknown_event_types_are_dead_lettered_at_once() {
    let broker = TestBroker::new(test_config()).await;
    let doomed = reservation_message(Uuid::new_v4());
    let doomed_id = doomed.envelope().message_id;
    let handler = Scripted::new(move |m, _| match m.envelope().message_id == doomed_id {
        true => Err(HandleError::Permanent("room type not mapped".into())),
        false => Ok(()),
    });
    let running = start_consumer(
        &amqp_url(),
        &broker.topology,
        consumer_config(3),
        handler.clone(),
    );
    let queue = broker.topology.work_queue(QueueKind::Outbound);
    broker
        .publisher
        .publish_message(&broker.topology, &doomed)
        .await
        .unwrap();
    broker
        .publish_raw(&queue, b"{not json", props_for(&doomed, 0))
        .await;
    let unknown =
        serde_json::json!({"eventType": "reservation.explode", "configId": Uuid::new_v4()});
    broker
        .publish_raw(
            &queue,
            unknown.to_string().as_bytes(),
            props_for(&doomed, 0),
        )
        .await;
    let fine = reservation_message(Uuid::new_v4());
    broker
        .publisher
        .publish_message(&broker.topology, &fine)
        .await
        .unwrap();

    let fine_id = fine.envelope().message_id;
    assert!(
        wait_until(WAIT, || async { handler.finished_for(fine_id) == 1 }).await,
        "stopped consuming"
    );
    let dlq = broker.topology.dead_letter_queue();
    assert!(wait_until(WAIT, || async { broker.depth(&dlq).await == 3 }).await);
    running.stop().await;

    let dead = broker.drain(&dlq).await;
    let reasons: Vec<_> = dead
        .iter()
        .map(|m| header_str(m, headers::DEAD_LETTER_REASON).unwrap())
        .collect();
    assert_eq!(reasons, ["permanent", "invalid_message", "invalid_message"]);
    assert_eq!(
        header_str(&dead[0], headers::ERROR).as_deref(),
        Some("room type not mapped")
    );
    assert!(header_str(&dead[1], headers::ERROR)
        .unwrap()
        .contains("not JSON"));
    assert!(header_str(&dead[2], headers::ERROR)
        .unwrap()
        .contains("reservation.explode"));
    assert!(dead
        .iter()
        .all(|m| header_u32(m, headers::ATTEMPTS) == Some(1)));
    assert_eq!(
        handler.calls_for(doomed_id).len(),
        1,
        "a permanent failure is not retried"
    );
}

#[tokio::test]
async fn a_deferred_message_keeps_its_retries_and_does_not_block_other_configs() {
    let broker = TestBroker::new(test_config()).await; // defer delay 200 ms
    let (down, up) = (Uuid::new_v4(), Uuid::new_v4());
    // config `down`: circuit open for 3 tries, then transient failures until the DLQ
    let handler = Scripted::new(
        move |m, before| match (m.envelope().config_id == down, before) {
            (false, _) => Ok(()),
            (true, 0..=2) => Err(HandleError::Deferred {
                reason: "circuit open".into(),
            }),
            (true, _) => Err(HandleError::Transient("timeout".into())),
        },
    );
    let running = start_consumer(
        &amqp_url(),
        &broker.topology,
        consumer_config(2),
        handler.clone(),
    );
    let blocked = reservation_message(down);
    broker
        .publisher
        .publish_message(&broker.topology, &blocked)
        .await
        .unwrap();
    let other = reservation_message(up);
    broker
        .publisher
        .publish_message(&broker.topology, &other)
        .await
        .unwrap();

    let other_id = other.envelope().message_id;
    assert!(wait_until(WAIT, || async { handler.finished_for(other_id) == 1 }).await);
    let dead = broker
        .get(&broker.topology.dead_letter_queue(), WAIT)
        .await
        .expect("dead-lettered");
    running.stop().await;

    let blocked_calls = handler.calls_for(blocked.envelope().message_id);
    let other_call = &handler.calls_for(other_id)[0];
    assert!(
        other_call.at < blocked_calls[1].at,
        "the other config waited for the deferral"
    );
    let seen: Vec<_> = blocked_calls
        .iter()
        .map(|c| (c.deferrals, c.attempts))
        .collect();
    // three deferrals use no retries; then 1 attempt + maxRetries (2)
    assert_eq!(seen, vec![(0, 0), (1, 0), (2, 0), (3, 0), (3, 1), (3, 2)]);
    assert_eq!(header_u32(&dead, headers::ATTEMPTS), Some(3));
    assert_eq!(header_u32(&dead, headers::DEFERRALS), Some(3));
}

#[tokio::test]
async fn a_deferred_message_older_than_the_ttl_is_dead_lettered() {
    let broker = TestBroker::new(test_config()).await;
    let handler = Scripted::new(|_, _| {
        Err(HandleError::Deferred {
            reason: "circuit open".into(),
        })
    });
    let running = start_consumer(
        &amqp_url(),
        &broker.topology,
        consumer_config(3),
        handler.clone(),
    );
    let msg = reservation_message(Uuid::new_v4());
    let day_and_a_bit = 24 * 3600 + 60;
    let queue = broker.topology.work_queue(QueueKind::Outbound);
    let body = serde_json::to_vec(&msg).unwrap();
    broker
        .publish_raw(&queue, &body, props_for(&msg, day_and_a_bit))
        .await;

    let dead = broker
        .get(&broker.topology.dead_letter_queue(), WAIT)
        .await
        .expect("dead-lettered");
    running.stop().await;
    assert_eq!(
        header_str(&dead, headers::DEAD_LETTER_REASON).as_deref(),
        Some("deferred_too_long")
    );
    assert_eq!(
        header_str(&dead, headers::ERROR).as_deref(),
        Some("circuit open")
    );
    assert_eq!(handler.calls().len(), 1);
}
