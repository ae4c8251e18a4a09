//! What a dead-lettered message says about itself: read from the headers the consumer wrote
//! (`x-qlosync-*`) or, for a message the broker dead-lettered (expired, pushed out of a full
//! queue), from RabbitMQ's `x-death` bookkeeping.

use chrono::{DateTime, Utc};
use lapin::{
    types::{AMQPValue, FieldTable},
    BasicProperties,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{REPLAYED_AT, REPLAY_COUNT};
use crate::queue::headers as h;

/// Characters of the body shown in a listing.
const PREVIEW_CHARS: usize = 200;

/// One message in the dead-letter queue, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterInfo {
    /// What replay and discard select by: the `message_id` property or, for a message that
    /// has none, `body-<fnv1a-64 of the body>` (stable across listings and processes).
    pub id: String,
    /// The AMQP `message_id` property (qlosync's `messageId`), when set.
    pub message_id: Option<String>,
    pub correlation_id: Option<String>,
    /// `eventType` of the JSON body, else the `type` property.
    pub event_type: Option<String>,
    /// `configId` of the JSON body, else the `x-qlosync-config-id` header.
    pub config_id: Option<String>,
    /// Why it was dead-lettered: `permanent`, `retries_exhausted`, `invalid_message`,
    /// `deferred_too_long` (by a worker), `expired`, `maxlen`, `rejected` (by the broker) or
    /// `unknown`.
    pub reason: String,
    /// The last error the handler reported, or what the broker did with it.
    pub error: Option<String>,
    /// Failed attempts before it was dead-lettered.
    pub attempts: u32,
    /// Times it was deferred because its config's circuit was open.
    pub deferrals: u32,
    /// The work queue it failed in; a replay publishes it there.
    pub original_queue: Option<String>,
    pub first_failure_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Times it was replayed from the dead-letter queue before.
    pub replay_count: u32,
    pub last_replayed_at: Option<DateTime<Utc>>,
    pub size_bytes: usize,
    /// The first 200 characters of the body (invalid UTF-8 replaced).
    pub body_preview: String,
}

/// The newest entry of RabbitMQ's `x-death` header: the death that put it in the DLQ.
struct BrokerDeath {
    queue: Option<String>,
    reason: Option<String>,
    first_at: Option<DateTime<Utc>>,
    last_at: Option<DateTime<Utc>>,
}

impl DeadLetterInfo {
    pub(crate) fn read(properties: &BasicProperties, body: &[u8]) -> Self {
        let headers = properties.headers().as_ref();
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let body_str = |key: &str| {
            json.as_ref()
                .and_then(|j| j.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let message_id = properties.message_id().as_ref().map(|s| s.to_string());
        let death = broker_death(headers);
        let reason = h::get_str(headers, h::DEAD_LETTER_REASON)
            .or_else(|| death.reason.clone())
            .or_else(|| h::get_str(headers, "x-first-death-reason"))
            .unwrap_or_else(|| "unknown".to_owned());
        let original_queue = h::get_str(headers, h::ORIGINAL_QUEUE)
            .or_else(|| death.queue.clone())
            .or_else(|| h::get_str(headers, "x-first-death-queue"));
        let error = h::get_str(headers, h::ERROR).or_else(|| {
            let queue = original_queue.as_deref()?;
            death.reason.as_deref().map(|r| broker_error(r, queue))
        });
        DeadLetterInfo {
            id: message_id.clone().unwrap_or_else(|| body_id(body)),
            message_id,
            correlation_id: properties.correlation_id().as_ref().map(|s| s.to_string()),
            event_type: body_str("eventType")
                .or_else(|| properties.kind().as_ref().map(|s| s.to_string())),
            config_id: body_str("configId").or_else(|| h::get_str(headers, h::CONFIG_ID)),
            reason,
            error,
            attempts: h::get_u32(headers, h::ATTEMPTS).unwrap_or(0),
            deferrals: h::get_u32(headers, h::DEFERRALS).unwrap_or(0),
            original_queue,
            first_failure_at: h::get_time(headers, h::FIRST_FAILURE_AT).or(death.first_at),
            last_failure_at: h::get_time(headers, h::LAST_FAILURE_AT).or(death.last_at),
            replay_count: h::get_u32(headers, REPLAY_COUNT).unwrap_or(0),
            last_replayed_at: h::get_time(headers, REPLAYED_AT),
            size_bytes: body.len(),
            body_preview: preview(body),
        }
    }
}

fn broker_error(reason: &str, queue: &str) -> String {
    match reason {
        "expired" => format!("expired in {queue} before a worker took it (message TTL)"),
        "maxlen" => format!("pushed out of {queue}: the queue was full (max length)"),
        other => format!("dead-lettered by RabbitMQ from {queue}: {other}"),
    }
}

/// `body-` and the FNV-1a 64-bit hash of the body, in hex: a stable id for messages without
/// a `message_id` (raw publishes). Not a security measure; collisions only merge identical
/// looking poison messages in a selection.
pub(crate) fn body_id(body: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("body-{hash:016x}")
}

fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

fn broker_death(headers: Option<&FieldTable>) -> BrokerDeath {
    let entries: Vec<&FieldTable> = match h::get(headers, "x-death") {
        Some(AMQPValue::FieldArray(array)) => array
            .as_slice()
            .iter()
            .filter_map(|v| match v {
                AMQPValue::FieldTable(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    // RabbitMQ keeps one entry per (queue, reason), the most recent first
    let newest = entries.first();
    let times: Vec<DateTime<Utc>> = entries.iter().filter_map(|t| death_time(t)).collect();
    BrokerDeath {
        queue: newest.and_then(|t| h::get_str(Some(t), "queue")),
        reason: newest.and_then(|t| h::get_str(Some(t), "reason")),
        first_at: times.iter().min().copied(),
        last_at: times.iter().max().copied(),
    }
}

fn death_time(entry: &FieldTable) -> Option<DateTime<Utc>> {
    match h::get(Some(entry), "time")? {
        AMQPValue::Timestamp(secs) => DateTime::from_timestamp(i64::try_from(*secs).ok()?, 0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use lapin::types::{FieldArray, ShortString};

    use super::*;

    #[test]
    fn a_worker_dead_letter_is_read_from_the_qlosync_headers() {
        let mut headers = FieldTable::default();
        h::set_str(&mut headers, h::DEAD_LETTER_REASON, "permanent");
        h::set_str(&mut headers, h::ERROR, "room type 7 is not mapped");
        h::set_str(&mut headers, h::ORIGINAL_QUEUE, "qloapps.outbound");
        h::set_u32(&mut headers, h::ATTEMPTS, 1);
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        h::set_time(&mut headers, h::FIRST_FAILURE_AT, at);
        h::set_time(&mut headers, h::LAST_FAILURE_AT, at);
        let props = BasicProperties::default()
            .with_message_id("m-1".into())
            .with_headers(headers);
        let body = br#"{"eventType":"reservation.create","configId":"c-1"}"#;
        let info = DeadLetterInfo::read(&props, body);
        assert_eq!(info.id, "m-1");
        assert_eq!(info.reason, "permanent");
        assert_eq!(info.error.as_deref(), Some("room type 7 is not mapped"));
        assert_eq!(info.event_type.as_deref(), Some("reservation.create"));
        assert_eq!(info.config_id.as_deref(), Some("c-1"));
        assert_eq!(info.original_queue.as_deref(), Some("qloapps.outbound"));
        assert_eq!((info.attempts, info.replay_count), (1, 0));
        assert_eq!(info.first_failure_at, Some(at));
        assert_eq!(info.size_bytes, body.len());
    }

    #[test]
    fn a_broker_dead_letter_is_read_from_x_death() {
        let mut death = FieldTable::default();
        h::set_str(&mut death, "queue", "qloapps.inbound");
        h::set_str(&mut death, "reason", "expired");
        death.insert(
            ShortString::from("time"),
            AMQPValue::Timestamp(1_800_000_000),
        );
        let mut headers = FieldTable::default();
        headers.insert(
            ShortString::from("x-death"),
            AMQPValue::FieldArray(FieldArray::from(vec![AMQPValue::FieldTable(death)])),
        );
        let props = BasicProperties::default().with_headers(headers);
        let info = DeadLetterInfo::read(&props, b"not json");
        assert_eq!(info.reason, "expired");
        assert_eq!(info.original_queue.as_deref(), Some("qloapps.inbound"));
        assert!(info.error.unwrap().contains("expired in qloapps.inbound"));
        assert_eq!(info.id, body_id(b"not json"));
        assert!(info.last_failure_at.is_some());
        assert_eq!(info.event_type, None);
    }

    #[test]
    fn body_ids_are_stable_and_previews_are_cut_on_a_char_boundary() {
        assert_eq!(body_id(b""), "body-cbf29ce484222325");
        assert_ne!(body_id(b"a"), body_id(b"b"));
        let long = "é".repeat(300);
        let p = preview(long.as_bytes());
        assert_eq!(p.chars().count(), PREVIEW_CHARS + 1);
        assert!(p.ends_with('…'));
    }
}
