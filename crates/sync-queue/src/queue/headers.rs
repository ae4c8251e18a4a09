//! Message headers qlosync sets. A message dead-lettered by the consumer carries
//! [`DEAD_LETTER_REASON`], [`ERROR`], [`ATTEMPTS`], [`ORIGINAL_QUEUE`], [`FIRST_FAILURE_AT`]
//! and [`LAST_FAILURE_AT`]; one dead-lettered by the broker (expired, or pushed out of a full
//! queue) carries RabbitMQ's own `x-death`, `x-first-death-reason` and `x-first-death-queue`.

use chrono::{DateTime, Utc};
use lapin::types::{AMQPValue, FieldTable, ShortString};

/// Failed attempts so far (absent on a first delivery).
pub const ATTEMPTS: &str = "x-qlosync-attempts";
/// Times the message was deferred because its config's circuit was open.
pub const DEFERRALS: &str = "x-qlosync-deferrals";
/// When a consumer first received the message (RFC 3339); with the `timestamp` property, the
/// age a deferral is limited by.
pub const FIRST_SEEN_AT: &str = "x-qlosync-first-seen-at";
pub const FIRST_FAILURE_AT: &str = "x-qlosync-first-failure-at";
pub const LAST_FAILURE_AT: &str = "x-qlosync-last-failure-at";
/// The last error, as the handler reported it.
pub const ERROR: &str = "x-qlosync-error";
/// The work queue the message was consumed from.
pub const ORIGINAL_QUEUE: &str = "x-qlosync-original-queue";
/// `permanent`, `retries_exhausted`, `invalid_message` or `deferred_too_long`.
pub const DEAD_LETTER_REASON: &str = "x-qlosync-dead-letter-reason";
/// The QloApps config the message is about (set by the publisher).
pub const CONFIG_ID: &str = "x-qlosync-config-id";

/// Longest error text kept in a header; headers share a frame with the message properties.
const MAX_ERROR_LEN: usize = 2_000;

pub fn get<'a>(headers: Option<&'a FieldTable>, name: &str) -> Option<&'a AMQPValue> {
    headers.and_then(|h| h.inner().get(name))
}

/// An integer header of any AMQP integer type.
pub fn get_u32(headers: Option<&FieldTable>, name: &str) -> Option<u32> {
    let n: i64 = match get(headers, name)? {
        AMQPValue::ShortShortInt(v) => (*v).into(),
        AMQPValue::ShortShortUInt(v) => (*v).into(),
        AMQPValue::ShortInt(v) => (*v).into(),
        AMQPValue::ShortUInt(v) => (*v).into(),
        AMQPValue::LongInt(v) => (*v).into(),
        AMQPValue::LongUInt(v) => (*v).into(),
        AMQPValue::LongLongInt(v) => *v,
        _ => return None,
    };
    u32::try_from(n).ok()
}

pub fn get_str(headers: Option<&FieldTable>, name: &str) -> Option<String> {
    match get(headers, name)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

pub fn get_time(headers: Option<&FieldTable>, name: &str) -> Option<DateTime<Utc>> {
    let raw = get_str(headers, name)?;
    DateTime::parse_from_rfc3339(&raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn set_u32(headers: &mut FieldTable, name: &str, value: u32) {
    headers.insert(
        ShortString::from(name),
        AMQPValue::LongLongInt(value.into()),
    );
}

pub fn set_str(headers: &mut FieldTable, name: &str, value: &str) {
    headers.insert(ShortString::from(name), AMQPValue::LongString(value.into()));
}

pub fn set_time(headers: &mut FieldTable, name: &str, value: DateTime<Utc>) {
    set_str(headers, name, &value.to_rfc3339());
}

/// Stores `error`, cut at [`MAX_ERROR_LEN`] bytes on a character boundary.
pub fn set_error(headers: &mut FieldTable, error: &str) {
    let mut end = error.len().min(MAX_ERROR_LEN);
    while !error.is_char_boundary(end) {
        end -= 1;
    }
    set_str(headers, ERROR, &error[..end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_errors_are_cut_on_a_char_boundary() {
        let mut h = FieldTable::default();
        set_u32(&mut h, ATTEMPTS, 3);
        let now = Utc::now();
        set_time(&mut h, FIRST_FAILURE_AT, now);
        set_error(&mut h, &"é".repeat(MAX_ERROR_LEN));
        assert_eq!(get_u32(Some(&h), ATTEMPTS), Some(3));
        assert_eq!(get_time(Some(&h), FIRST_FAILURE_AT), Some(now));
        let err = get_str(Some(&h), ERROR).unwrap();
        assert!(err.len() <= MAX_ERROR_LEN && err.chars().all(|c| c == 'é'));
        assert_eq!(get_u32(None, ATTEMPTS), None);
    }
}
