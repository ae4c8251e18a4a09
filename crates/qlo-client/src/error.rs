//! What can go wrong talking to QloApps. No variant ever holds the API key: it travels only in
//! the `Authorization` header, never in a URL, and messages are built from status codes,
//! QloApps' own error texts and short body excerpts.

use std::time::Duration;

use crate::config::ConfigError;
use crate::models::QloMessage;

/// A failed QloApps call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// 401: no key, a malformed, unknown or inactive key (QloApps codes 16–21).
    #[error("QloApps rejected the API key: {message}")]
    Unauthorized { message: String },

    /// The key may not use this resource or method (401 code 26, 403, 405).
    #[error("QloApps does not allow {method} {resource} for this key: {message}")]
    Forbidden {
        resource: String,
        method: String,
        message: String,
    },

    /// 404: the object does not exist (QloApps sends an empty body).
    #[error("QloApps has no {resource}{}", .id.as_ref().map(|id| format!(" {id}")).unwrap_or_default())]
    NotFound {
        resource: String,
        id: Option<String>,
    },

    /// 400 with QloApps' own messages (bad filter, missing field, invalid booking...).
    #[error("QloApps refused the {resource} request: {}", join(.messages))]
    Validation {
        resource: String,
        messages: Vec<QloMessage>,
    },

    /// POST / PUT `bookings`: "Requested room(s) not available." QloApps never overbooks here.
    #[error("QloApps has no rooms available for the request: {message}")]
    RoomsUnavailable { message: String },

    /// 429, with the server's `Retry-After` when it sent one.
    #[error("QloApps is rate limiting (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },

    /// A 5xx (or 408) that is not a PHP warning: an HTML error page, "webservice disabled", ...
    #[error("QloApps is unavailable (HTTP {status}): {detail}")]
    Unavailable {
        status: u16,
        detail: String,
        /// The server's `Retry-After`, if it sent one (503s may).
        retry_after: Option<Duration>,
    },

    /// A 500 whose errors are all PHP warnings / notices (`[PHP Warning #2] ...`). The server is
    /// alive and may well have applied a write: stock 1.6.1 on PHP 8 answers this after every
    /// successful booking POST / PUT.
    #[error("QloApps answered HTTP {status} with PHP errors: {}", join(.messages))]
    PhpError {
        status: u16,
        messages: Vec<QloMessage>,
    },

    /// The circuit breaker is open: no request was made.
    #[error("circuit open for QloApps; next attempt allowed in {retry_in:?}")]
    CircuitOpen { retry_in: Duration },

    /// No complete answer within the configured timeout.
    #[error("QloApps did not answer within {after:?}")]
    Timeout { after: Duration },

    /// The connection failed. `connect` is true when it failed before the request was sent
    /// (refused, DNS, TLS), so the request certainly had no effect.
    #[error("network error talking to QloApps: {message}")]
    Network { message: String, connect: bool },

    /// A success answer whose body did not have the expected shape.
    #[error("unexpected {resource} answer from QloApps: {message}")]
    Decode { resource: String, message: String },

    /// Any other 4xx.
    #[error("QloApps answered HTTP {status} to {resource}: {detail}")]
    Rejected {
        resource: String,
        status: u16,
        detail: String,
    },

    /// A write's outcome stayed unknown and reading back did not show it applied.
    #[error("could not confirm {operation}: {detail}")]
    Unconfirmed { operation: String, detail: String },

    /// Building a request body failed.
    #[error("could not encode the {resource} request: {message}")]
    Encode { resource: String, message: String },
}

fn join(messages: &[QloMessage]) -> String {
    if messages.is_empty() {
        return "(no message)".to_owned();
    }
    messages
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// True when trying again later may succeed (network, timeout, 408/429/5xx, open circuit).
    /// Permanent errors (auth, validation, not found, decode) need a change first.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. }
                | Error::Unavailable { .. }
                | Error::PhpError { .. }
                | Error::CircuitOpen { .. }
                | Error::Timeout { .. }
                | Error::Network { .. }
                | Error::Unconfirmed { .. }
        )
    }

    /// True when a write may or may not have been applied: the request left, and no
    /// answer says what happened (timeout, dropped connection, 5xx), or reading back could
    /// not confirm it. Before writing again, look the effect up (e.g. an order by source).
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Error::Timeout { .. }
            | Error::Unavailable { .. }
            | Error::PhpError { .. }
            | Error::Unconfirmed { .. } => true,
            Error::Network { connect, .. } => !connect,
            _ => false,
        }
    }

    /// True when the request certainly did not reach QloApps' code (refused connection, 408,
    /// 429, open circuit), so even a non-idempotent request may be sent again.
    pub(crate) fn is_not_processed(&self) -> bool {
        match self {
            Error::RateLimited { .. } => true,
            Error::Network { connect, .. } => *connect,
            Error::Unavailable { status, .. } => *status == 408,
            _ => false,
        }
    }

    /// True when the breaker should count this as a failure of QloApps. A PHP-warning 500
    /// proves a live server, and 4xx answers are the caller's problem.
    pub(crate) fn counts_as_failure(&self) -> bool {
        matches!(
            self,
            Error::Unavailable { .. }
                | Error::Timeout { .. }
                | Error::Network { .. }
                | Error::RateLimited { .. }
        )
    }

    /// The `Retry-After` the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after } | Error::Unavailable { retry_after, .. } => {
                *retry_after
            }
            Error::CircuitOpen { retry_in } => Some(*retry_in),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_classification() {
        assert!(Error::Timeout {
            after: Duration::from_secs(1)
        }
        .is_transient());
        assert!(Error::Unavailable {
            status: 503,
            detail: String::new(),
            retry_after: None
        }
        .is_transient());
        assert!(Error::RateLimited { retry_after: None }.is_transient());
        assert!(Error::CircuitOpen {
            retry_in: Duration::ZERO
        }
        .is_transient());
        assert!(!Error::Unauthorized {
            message: String::new()
        }
        .is_transient());
        assert!(!Error::NotFound {
            resource: "orders".into(),
            id: None
        }
        .is_transient());
        assert!(!Error::RoomsUnavailable {
            message: String::new()
        }
        .is_transient());
        assert!(!Error::Validation {
            resource: "x".into(),
            messages: vec![]
        }
        .is_transient());
        assert!(!Error::Decode {
            resource: "x".into(),
            message: String::new()
        }
        .is_transient());
        let refused = Error::Network {
            message: "refused".into(),
            connect: true,
        };
        assert!(
            refused.is_transient() && !refused.is_outcome_unknown() && refused.is_not_processed()
        );
        let reset = Error::Network {
            message: "reset".into(),
            connect: false,
        };
        assert!(reset.is_outcome_unknown() && !reset.is_not_processed());
    }

    #[test]
    fn messages_say_what_failed() {
        let e = Error::NotFound {
            resource: "orders".into(),
            id: Some("7".into()),
        };
        assert_eq!(e.to_string(), "QloApps has no orders 7");
        let e = Error::Validation {
            resource: "bookings".into(),
            messages: vec![QloMessage {
                code: 404,
                message: "Please provide valid currency.".into(),
            }],
        };
        assert!(e
            .to_string()
            .contains("[404] Please provide valid currency."));
    }
}
