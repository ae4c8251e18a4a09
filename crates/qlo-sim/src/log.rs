//! The request log: one entry per webservice request, plus exact counts per
//! (resource, method), for call-budget and rate-limit assertions.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Entries kept; counts stay exact beyond it.
const MAX_ENTRIES: usize = 500_000;

/// One webservice request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedRequest {
    /// When the request arrived.
    pub at: DateTime<Utc>,
    pub method: String,
    /// Resource name; `""` for the resource list (`GET /api/`).
    pub resource: String,
    pub id: Option<String>,
    /// Status answered; 0 when the connection was dropped without an answer.
    pub status: u16,
    /// Time from arrival to answer (or drop).
    pub elapsed: Duration,
    /// The injected fault that shaped the answer, if any (e.g. `"rate_limited"`).
    pub fault: Option<String>,
    /// The W3C `traceparent` header the client sent, if any (qlosync sends one per call).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
}

/// Request counts keyed by (resource, method).
pub type RequestCounts = BTreeMap<(String, String), u64>;

/// The shared log; cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    inner: Arc<Mutex<LogInner>>,
}

#[derive(Debug, Default)]
struct LogInner {
    entries: VecDeque<LoggedRequest>,
    counts: RequestCounts,
}

impl RequestLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, LogInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn record(&self, entry: LoggedRequest) {
        let mut inner = self.lock();
        *inner
            .counts
            .entry((entry.resource.clone(), entry.method.clone()))
            .or_default() += 1;
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry);
    }

    /// Entries in arrival order of their answers.
    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.lock().entries.iter().cloned().collect()
    }

    pub fn counts(&self) -> RequestCounts {
        self.lock().counts.clone()
    }

    /// Requests for a resource and method (method upper case).
    pub fn count(&self, resource: &str, method: &str) -> u64 {
        self.lock()
            .counts
            .get(&(resource.to_owned(), method.to_ascii_uppercase()))
            .copied()
            .unwrap_or(0)
    }

    /// All requests since the last clear.
    pub fn total(&self) -> u64 {
        self.lock().counts.values().sum()
    }

    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.counts.clear();
    }
}
