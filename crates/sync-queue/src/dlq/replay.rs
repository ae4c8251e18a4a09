//! What a replayed copy looks like and where it goes.

use chrono::{DateTime, Utc};
use lapin::{types::FieldTable, BasicProperties};

use super::{DeadLetterInfo, REPLAYED_AT, REPLAY_COUNT};
use crate::queue::{headers as h, Topology};
use sync_core::messages::QueueKind;

/// Headers a replayed copy does not keep: the retry and failure bookkeeping of its last life
/// (the consumer writes them afresh), and RabbitMQ's dead-letter history. `x-qlosync-first-
/// failure-at` is kept, so a message that fails again shows since when it has been failing.
const RESET_HEADERS: &[&str] = &[
    h::ATTEMPTS,
    h::DEFERRALS,
    h::FIRST_SEEN_AT,
    h::LAST_FAILURE_AT,
    h::ERROR,
    h::DEAD_LETTER_REASON,
    h::ORIGINAL_QUEUE,
    REPLAYED_AT,
    REPLAY_COUNT,
    "x-death",
];

/// The work queue to replay to: the recorded original queue, if it is one of this
/// installation's work queues (a header must not send messages anywhere else).
pub(super) fn target_queue(info: &DeadLetterInfo, topology: &Topology) -> Result<String, String> {
    let Some(queue) = &info.original_queue else {
        return Err("the message records no original queue (neither \
            x-qlosync-original-queue nor x-death); not replayed"
            .to_owned());
    };
    let work_queues = [QueueKind::Outbound, QueueKind::Inbound].map(|k| topology.work_queue(k));
    if work_queues.contains(queue) {
        Ok(queue.clone())
    } else {
        Err(format!(
            "original queue {queue:?} is not a work queue of this installation \
             ({} or {}); not replayed",
            work_queues[0], work_queues[1]
        ))
    }
}

/// The replayed copy's properties: the same message id, correlation id, type and timestamp,
/// fresh retry counters, a new deferral budget (`first-seen-at` = now), and the replay stamp.
pub(super) fn replay_properties(original: &BasicProperties, now: DateTime<Utc>) -> BasicProperties {
    let old = original.headers().as_ref();
    let mut headers = FieldTable::default();
    for (name, value) in old.map(|t| t.inner().iter()).into_iter().flatten() {
        let n = name.as_str();
        let broker = n.starts_with("x-first-death-") || n.starts_with("x-last-death-");
        if !broker && !RESET_HEADERS.contains(&n) {
            headers.insert(name.clone(), value.clone());
        }
    }
    let count = h::get_u32(old, REPLAY_COUNT).unwrap_or(0).saturating_add(1);
    h::set_time(&mut headers, h::FIRST_SEEN_AT, now);
    h::set_time(&mut headers, REPLAYED_AT, now);
    h::set_u32(&mut headers, REPLAY_COUNT, count);
    original.clone().with_delivery_mode(2).with_headers(headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::QueueConfig;

    #[test]
    fn a_replayed_copy_has_fresh_counters_and_keeps_its_identity() {
        let mut headers = FieldTable::default();
        h::set_u32(&mut headers, h::ATTEMPTS, 4);
        h::set_u32(&mut headers, h::DEFERRALS, 2);
        h::set_str(&mut headers, h::DEAD_LETTER_REASON, "retries_exhausted");
        h::set_str(&mut headers, h::CONFIG_ID, "c-1");
        h::set_str(&mut headers, "x-first-death-queue", "q");
        h::set_u32(&mut headers, REPLAY_COUNT, 1);
        let original = BasicProperties::default()
            .with_message_id("m-1".into())
            .with_correlation_id("corr".into())
            .with_type("reservation.create".into())
            .with_headers(headers);
        let now = Utc::now();
        let copy = replay_properties(&original, now);
        let got = copy.headers().as_ref();
        assert_eq!(h::get_u32(got, h::ATTEMPTS), None);
        assert_eq!(h::get_u32(got, h::DEFERRALS), None);
        assert_eq!(h::get_str(got, h::DEAD_LETTER_REASON), None);
        assert_eq!(h::get_str(got, "x-first-death-queue"), None);
        assert_eq!(h::get_str(got, h::CONFIG_ID).as_deref(), Some("c-1"));
        assert_eq!(h::get_u32(got, REPLAY_COUNT), Some(2));
        assert_eq!(h::get_time(got, REPLAYED_AT), Some(now));
        assert_eq!(h::get_time(got, h::FIRST_SEEN_AT), Some(now));
        assert_eq!(copy.message_id(), original.message_id());
        assert_eq!(copy.correlation_id(), original.correlation_id());
        assert_eq!(copy.kind(), original.kind());
        assert_eq!(copy.delivery_mode(), &Some(2));
    }

    #[test]
    fn replay_goes_only_to_a_work_queue_of_this_installation() {
        let topology = Topology::new(QueueConfig {
            prefix: "p.".into(),
            ..QueueConfig::default()
        });
        let info = |queue: Option<&str>| {
            let mut headers = FieldTable::default();
            if let Some(q) = queue {
                h::set_str(&mut headers, h::ORIGINAL_QUEUE, q);
            }
            let props = BasicProperties::default().with_headers(headers);
            DeadLetterInfo::read(&props, b"{}")
        };
        let ok = target_queue(&info(Some("p.qloapps.inbound")), &topology);
        assert_eq!(ok.as_deref(), Ok("p.qloapps.inbound"));
        assert!(target_queue(&info(Some("p.qloapps.dlq")), &topology).is_err());
        assert!(target_queue(&info(Some("other.qloapps.inbound")), &topology).is_err());
        let none = target_queue(&info(None), &topology).unwrap_err();
        assert!(none.contains("no original queue"), "{none}");
    }
}
