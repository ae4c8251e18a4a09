//! One delivery: parse, handle, then ack, retry, defer or dead-letter it. The delivery is
//! acked only after the handler returned Ok or the copy it was replaced by is confirmed.

use std::{panic::AssertUnwindSafe, sync::Arc};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use lapin::{
    message::Delivery,
    options::{BasicAckOptions, BasicNackOptions},
    types::FieldTable,
    BasicProperties,
};
use serde::de::DeserializeOwned;
use tracing::{debug, info, warn, Instrument};

use super::{
    headers::{self as h},
    metrics::{record_settled, Outcome},
    ConfirmPublisher, Delivered, HandleError, MessageHandler, QueueError, Topology,
};
use sync_core::messages::QueueKind;

pub(crate) struct DispatchContext<H> {
    pub handler: Arc<H>,
    pub publisher: ConfirmPublisher,
    pub topology: Topology,
    pub kind: QueueKind,
    pub queue: String,
    pub max_retries: u32,
}

/// Where a delivery goes after its attempt.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Ack,
    Retry { error: String },
    Defer { reason: String },
    DeadLetter { reason: &'static str, error: String },
}

/// What the headers say about earlier attempts.
struct History {
    attempts: u32,
    deferrals: u32,
    first_seen_at: DateTime<Utc>,
}

impl History {
    fn read(props: &BasicProperties, now: DateTime<Utc>) -> Self {
        let headers = props.headers().as_ref();
        let published = props
            .timestamp()
            .and_then(|t| DateTime::from_timestamp(i64::try_from(t).ok()?, 0));
        History {
            attempts: h::get_u32(headers, h::ATTEMPTS).unwrap_or(0),
            deferrals: h::get_u32(headers, h::DEFERRALS).unwrap_or(0),
            first_seen_at: h::get_time(headers, h::FIRST_SEEN_AT)
                .or(published)
                .unwrap_or(now),
        }
    }
}

pub(crate) async fn process<M, H>(ctx: Arc<DispatchContext<H>>, delivery: Delivery)
where
    M: DeserializeOwned + Send + Sync + 'static,
    H: MessageHandler<M>,
{
    let now = Utc::now();
    let started = std::time::Instant::now();
    let history = History::read(&delivery.properties, now);
    let (event_type, decision) = decide::<M, H>(&ctx, &delivery, &history, now).await;
    let (outcome, dead_letter_reason) = match &decision {
        Decision::Ack => (Outcome::Ok, None),
        Decision::Retry { .. } => (Outcome::Retried, None),
        Decision::Defer { .. } => (Outcome::Deferred, None),
        Decision::DeadLetter { reason, .. } => (Outcome::DeadLettered, Some(*reason)),
    };
    match apply(&ctx, &delivery, &history, decision, now).await {
        Ok(()) => record_settled(
            &ctx.queue,
            &event_type,
            outcome,
            dead_letter_reason,
            started.elapsed(),
        ),
        Err(e) => {
            // nothing was lost: the delivery is still unacked and goes back to the queue
            warn!(queue = %ctx.queue, error = %e, "could not settle a delivery; requeueing it");
            let requeue = BasicNackOptions {
                requeue: true,
                ..BasicNackOptions::default()
            };
            let _ = delivery.acker.nack(requeue).await;
        }
    }
}

/// Parses and handles the delivery; returns the `event_type` label and the decision.
async fn decide<M, H>(
    ctx: &DispatchContext<H>,
    delivery: &Delivery,
    history: &History,
    now: DateTime<Utc>,
) -> (String, Decision)
where
    M: DeserializeOwned + Send + Sync + 'static,
    H: MessageHandler<M>,
{
    let invalid = |error: String| {
        let reason = "invalid_message";
        ("invalid".to_owned(), Decision::DeadLetter { reason, error })
    };
    let value: serde_json::Value = match serde_json::from_slice(&delivery.data) {
        Ok(v) => v,
        Err(e) => return invalid(format!("body is not JSON: {e}")),
    };
    let event_type = value
        .get("eventType")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let message = match M::deserialize(value) {
        Ok(m) => m,
        Err(e) => {
            return invalid(format!(
                "unknown or malformed message ({event_type:?}): {e}"
            ))
        }
    };
    let props = &delivery.properties;
    let delivered = Delivered {
        message,
        queue: ctx.queue.clone(),
        event_type: event_type.clone(),
        message_id: props.message_id().as_ref().map(|s| s.to_string()),
        correlation_id: props.correlation_id().as_ref().map(|s| s.to_string()),
        traceparent: h::get_str(props.headers().as_ref(), qlosync_trace_context::HEADER),
        attempts: history.attempts,
        deferrals: history.deferrals,
        first_seen_at: history.first_seen_at,
        redelivered: delivery.redelivered,
    };
    let label = event_type.unwrap_or_else(|| "none".to_owned());
    let span = tracing::info_span!(
        "message",
        queue = %ctx.queue,
        event_type = %label,
        message_id = delivered.message_id.as_deref().unwrap_or(""),
        attempt = history.attempts + 1,
        trace_id = tracing::field::Empty,
    );
    // handled as a span of the trace the message was written in (a new trace without one):
    // its QloApps calls send a traceparent under it; exported over OTLP (when it is on) as a
    // child of the span that wrote the message
    let remote = delivered
        .traceparent
        .as_deref()
        .and_then(qlosync_trace_context::TraceContext::parse);
    let trace = qlosync_trace_context::enter(&span, remote);
    span.record("trace_id", trace.trace_id());
    let handled = AssertUnwindSafe(ctx.handler.handle(&delivered)).catch_unwind();
    let result = qlosync_trace_context::scope(trace, handled)
        .instrument(span)
        .await
        .unwrap_or_else(|_| Err(HandleError::Transient("the handler panicked".to_owned())));
    (label, judge(ctx, history, result, now))
}

fn judge<H>(
    ctx: &DispatchContext<H>,
    history: &History,
    result: Result<(), HandleError>,
    now: DateTime<Utc>,
) -> Decision {
    match result {
        Ok(()) => Decision::Ack,
        Err(HandleError::Permanent(error)) => Decision::DeadLetter {
            reason: "permanent",
            error,
        },
        Err(HandleError::Transient(error)) if history.attempts >= ctx.max_retries => {
            Decision::DeadLetter {
                reason: "retries_exhausted",
                error,
            }
        }
        Err(HandleError::Transient(error)) => Decision::Retry { error },
        Err(HandleError::Deferred { reason }) => {
            let age = (now - history.first_seen_at).to_std().unwrap_or_default();
            if age >= ctx.topology.config().message_ttl {
                Decision::DeadLetter {
                    reason: "deferred_too_long",
                    error: reason,
                }
            } else {
                Decision::Defer { reason }
            }
        }
    }
}

async fn apply<H>(
    ctx: &DispatchContext<H>,
    delivery: &Delivery,
    history: &History,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<(), QueueError> {
    let mut headers = carried_headers(delivery.properties.headers().as_ref());
    h::set_time(&mut headers, h::FIRST_SEEN_AT, history.first_seen_at);
    h::set_u32(&mut headers, h::ATTEMPTS, history.attempts);
    let queue = &ctx.queue;
    let target = match &decision {
        Decision::Ack => None,
        Decision::Retry { error } => {
            let attempts = history.attempts + 1;
            info!(%queue, attempts, %error, "transient failure; retrying after the retry delay");
            record_failure(&mut headers, error, attempts, now);
            Some(ctx.topology.retry_queue(ctx.kind))
        }
        Decision::Defer { reason } => {
            debug!(%queue, %reason, "deferred; trying again after the defer delay");
            h::set_u32(&mut headers, h::DEFERRALS, history.deferrals + 1);
            h::set_error(&mut headers, reason);
            Some(ctx.topology.defer_queue(ctx.kind))
        }
        Decision::DeadLetter { reason, error } => {
            // a deferral is not an attempt; anything else just failed once more
            let attempts = history.attempts + u32::from(*reason != "deferred_too_long");
            warn!(%queue, reason, attempts, %error, "dead-lettering message");
            record_failure(&mut headers, error, attempts, now);
            h::set_str(&mut headers, h::DEAD_LETTER_REASON, reason);
            h::set_str(&mut headers, h::ORIGINAL_QUEUE, queue);
            Some(ctx.topology.dead_letter_queue())
        }
    };
    if let Some(target) = target {
        let props = delivery
            .properties
            .clone()
            .with_delivery_mode(2)
            .with_headers(headers);
        ctx.publisher
            .publish_to_queue(&target, &delivery.data, props)
            .await?;
    }
    delivery.acker.ack(BasicAckOptions::default()).await?;
    Ok(())
}

fn record_failure(headers: &mut FieldTable, error: &str, attempts: u32, now: DateTime<Utc>) {
    if h::get(Some(headers), h::FIRST_FAILURE_AT).is_none() {
        h::set_time(headers, h::FIRST_FAILURE_AT, now);
    }
    h::set_time(headers, h::LAST_FAILURE_AT, now);
    h::set_u32(headers, h::ATTEMPTS, attempts);
    h::set_error(headers, error);
}

/// The headers a republished copy keeps: all but the broker's dead-letter bookkeeping, which
/// would otherwise report the delay queue's TTL expiry as the message's fate.
fn carried_headers(headers: Option<&FieldTable>) -> FieldTable {
    let mut kept = FieldTable::default();
    for (name, value) in headers.map(|h| h.inner().iter()).into_iter().flatten() {
        let n = name.as_str();
        if n == "x-death" || n.starts_with("x-first-death-") || n.starts_with("x-last-death-") {
            continue;
        }
        kept.insert(name.clone(), value.clone());
    }
    kept
}
