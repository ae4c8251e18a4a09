//! W3C Trace Context level 1 (the `traceparent` header, version 00) as qlosync
//! carries it: the api takes the request's `traceparent` (or starts a trace), every message a
//! change writes keeps it in its envelope (the outbox row's payload) and the relay sends it as
//! the AMQP header `traceparent`; the worker handles the message inside that trace and each
//! QloApps call sends a `traceparent` of its own under it. One trace id thus names the API
//! request, the message, the worker's span and the QloApps calls of one change.
//!
//! The current context is a tokio task-local: [`scope`] sets it for a future, [`current`]
//! reads it (`None` outside any scope).

use std::fmt;
use std::future::Future;

#[cfg(feature = "otel")]
mod otel;
#[cfg(feature = "otel")]
pub use otel::enter;

/// The HTTP and AMQP header name.
pub const HEADER: &str = "traceparent";

/// One position in a trace: the trace id, the id of the span that is the parent of whatever
/// is sent next, and the flags (bit 0: sampled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: [u8; 16],
    span_id: [u8; 8],
    flags: u8,
}

tokio::task_local! {
    static CURRENT: TraceContext;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != N * 2
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

impl TraceContext {
    /// A new trace (sampled), for a request that brought none.
    pub fn new_root() -> TraceContext {
        TraceContext {
            trace_id: nonzero(rand::random()),
            span_id: nonzero(rand::random()),
            flags: 1,
        }
    }

    /// Parses a `traceparent` header; `None` for anything the spec says to ignore (another
    /// version's layout, upper-case hex, an all-zero id).
    pub fn parse(header: &str) -> Option<TraceContext> {
        let mut parts = header.trim().split('-');
        let (version, trace, span, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != "00" || parts.next().is_some() {
            return None;
        }
        let trace_id: [u8; 16] = unhex(trace)?;
        let span_id: [u8; 8] = unhex(span)?;
        let [flags]: [u8; 1] = unhex(flags)?;
        if trace_id == [0; 16] || span_id == [0; 8] {
            return None;
        }
        Some(TraceContext {
            trace_id,
            span_id,
            flags,
        })
    }

    /// The same trace, a new span (what a hop sends on as its own `traceparent`).
    pub fn child(&self) -> TraceContext {
        TraceContext {
            span_id: nonzero(rand::random()),
            ..*self
        }
    }

    /// A context from its parts (an exported span's ids, `enter`);
    /// `None` for an all-zero id.
    pub fn from_parts(trace_id: [u8; 16], span_id: [u8; 8], flags: u8) -> Option<TraceContext> {
        if trace_id == [0; 16] || span_id == [0; 8] {
            return None;
        }
        Some(TraceContext {
            trace_id,
            span_id,
            flags,
        })
    }

    /// The trace id's 16 bytes.
    pub fn trace_id_bytes(&self) -> [u8; 16] {
        self.trace_id
    }

    /// The span id's 8 bytes.
    pub fn span_id_bytes(&self) -> [u8; 8] {
        self.span_id
    }

    /// The flags (bit 0: sampled).
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// The trace id, 32 lower-case hex digits.
    pub fn trace_id(&self) -> String {
        hex(&self.trace_id)
    }

    /// The span id, 16 lower-case hex digits.
    pub fn span_id(&self) -> String {
        hex(&self.span_id)
    }
}

impl fmt::Display for TraceContext {
    /// The `traceparent` header value: `00-<trace id>-<span id>-<flags>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "00-{}-{}-{:02x}",
            hex(&self.trace_id),
            hex(&self.span_id),
            self.flags
        )
    }
}

/// An id is never all zeros (the spec's "invalid"); a random one practically never is.
fn nonzero<const N: usize>(mut id: [u8; N]) -> [u8; N] {
    if id == [0; N] {
        id[N - 1] = 1;
    }
    id
}

/// The context of the running task, if it runs inside [`scope`].
pub fn current() -> Option<TraceContext> {
    CURRENT.try_with(|c| *c).ok()
}

/// Runs `future` with `context` as the current one.
pub async fn scope<F: Future>(context: TraceContext, future: F) -> F::Output {
    CURRENT.scope(context, future).await
}

/// A new span under the current context, as a `traceparent` value to send on; `None` outside
/// any trace.
pub fn next_header() -> Option<String> {
    current().map(|c| c.child().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn the_spec_example_round_trips_and_bad_values_are_ignored() {
        let ctx = TraceContext::parse(SAMPLE).expect("parses");
        assert_eq!(ctx.to_string(), SAMPLE);
        assert_eq!(ctx.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        for bad in [
            "",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
        ] {
            assert!(TraceContext::parse(bad).is_none(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_child_keeps_the_trace_and_the_scope_is_the_tasks() {
        let root = TraceContext::parse(SAMPLE).expect("parses");
        assert!(current().is_none());
        let header = scope(root, async { next_header() })
            .await
            .expect("in scope");
        let child = TraceContext::parse(&header).expect("a valid header");
        assert_eq!(child.trace_id(), root.trace_id());
        assert_ne!(child.span_id(), root.span_id());
        assert!(TraceContext::new_root().to_string().starts_with("00-"));
        let rebuilt =
            TraceContext::from_parts(root.trace_id_bytes(), root.span_id_bytes(), root.flags());
        assert_eq!(rebuilt, Some(root));
        assert!(TraceContext::from_parts([0; 16], root.span_id_bytes(), 1).is_none());
    }
}
