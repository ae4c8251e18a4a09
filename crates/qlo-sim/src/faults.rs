//! Injectable faults: latency, error statuses, 429, hangs, dropped connections and
//! "500 after write", each for a resource/method matcher and a number of times.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which requests a fault applies to. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultMatcher {
    /// Resource name (`orders`, `bookings`, `""` for the resource list).
    #[serde(default)]
    pub resource: Option<String>,
    /// HTTP method, upper case.
    #[serde(default)]
    pub method: Option<String>,
}

impl FaultMatcher {
    pub fn matches(&self, resource: &str, method: &str) -> bool {
        self.resource.as_deref().is_none_or(|r| r == resource)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Wait, then answer normally. Latency faults add up with one other fault.
    Latency { ms: u64 },
    /// Answer this status without touching the shop; `body` is a JSON value such as
    /// `{"errors":[{"code":3,"message":".."}]}` (none = empty body).
    Status {
        status: u16,
        #[serde(default)]
        body: Option<Value>,
    },
    /// 429 with `Retry-After: secs`, nothing written.
    RateLimited { retry_after_secs: u64 },
    /// Hang for `ms` (longer than the client waits), then answer. With `after_write` the
    /// request is processed first, so the write happens even though the client gave up.
    Timeout {
        ms: u64,
        #[serde(default)]
        after_write: bool,
    },
    /// Close the TCP connection without any response; with `after_write`, after processing.
    DropConnection {
        #[serde(default)]
        after_write: bool,
    },
    /// Process the request (the write is stored), then answer the PHP-warning 500 of
    /// `real/post_booking_response_STRICTKEY.json`.
    ErrorAfterWrite,
}

/// How often a fault fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTimes {
    /// The next N matching requests.
    Times(u32),
    /// Every matching request until cleared.
    Always,
}

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default, rename = "match")]
    pub matcher: FaultMatcher,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default = "always")]
    pub times: FaultTimes,
}

fn always() -> FaultTimes {
    FaultTimes::Always
}

impl Fault {
    pub fn new(kind: FaultKind) -> Self {
        Self {
            matcher: FaultMatcher::default(),
            kind,
            times: FaultTimes::Always,
        }
    }
    pub fn latency(d: Duration) -> Self {
        Self::new(FaultKind::Latency {
            ms: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
        })
    }
    pub fn status(status: u16) -> Self {
        Self::new(FaultKind::Status { status, body: None })
    }
    /// A status with the JSON error envelope `{"errors":[{"code":code,"message":..}]}`.
    pub fn status_with_error(status: u16, code: u32, message: &str) -> Self {
        Self::new(FaultKind::Status {
            status,
            body: Some(serde_json::json!({"errors":[{"code":code,"message":message}]})),
        })
    }
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(FaultKind::RateLimited { retry_after_secs })
    }
    pub fn timeout(hang: Duration) -> Self {
        Self::new(FaultKind::Timeout {
            ms: u64::try_from(hang.as_millis()).unwrap_or(u64::MAX),
            after_write: false,
        })
    }
    /// Process (write) first, then hang.
    pub fn timeout_after_write(hang: Duration) -> Self {
        Self::new(FaultKind::Timeout {
            ms: u64::try_from(hang.as_millis()).unwrap_or(u64::MAX),
            after_write: true,
        })
    }
    pub fn drop_connection() -> Self {
        Self::new(FaultKind::DropConnection { after_write: false })
    }
    pub fn drop_connection_after_write() -> Self {
        Self::new(FaultKind::DropConnection { after_write: true })
    }
    pub fn error_after_write() -> Self {
        Self::new(FaultKind::ErrorAfterWrite)
    }
    /// Only for this resource.
    pub fn on(mut self, resource: &str) -> Self {
        self.matcher.resource = Some(resource.to_owned());
        self
    }
    /// Only for this HTTP method.
    pub fn method(mut self, method: &str) -> Self {
        self.matcher.method = Some(method.to_ascii_uppercase());
        self
    }
    /// Fire `n` times, then disappear.
    pub fn times(mut self, n: u32) -> Self {
        self.times = FaultTimes::Times(n);
        self
    }
    /// Fire until cleared (the default).
    pub fn always(mut self) -> Self {
        self.times = FaultTimes::Always;
        self
    }
}

/// A fault with its id and how often it fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveFault {
    pub id: u64,
    #[serde(flatten)]
    pub fault: Fault,
    pub fired: u64,
}

/// The faults of one simulator; cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct FaultInjector {
    inner: Arc<Mutex<FaultList>>,
}

#[derive(Debug, Default)]
struct FaultList {
    next_id: u64,
    faults: Vec<ActiveFault>,
}

/// The faults that apply to one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Triggered {
    pub latency: Duration,
    pub fault: Option<FaultKind>,
}

impl FaultInjector {
    fn lock(&self) -> std::sync::MutexGuard<'_, FaultList> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a fault; returns its id.
    pub fn add(&self, fault: Fault) -> u64 {
        let mut list = self.lock();
        list.next_id += 1;
        let id = list.next_id;
        list.faults.push(ActiveFault {
            id,
            fault,
            fired: 0,
        });
        id
    }

    /// Removes one fault; false if it was not there (or already used up).
    pub fn remove(&self, id: u64) -> bool {
        let mut list = self.lock();
        let before = list.faults.len();
        list.faults.retain(|f| f.id != id);
        list.faults.len() != before
    }

    /// Removes every fault.
    pub fn clear(&self) {
        self.lock().faults.clear();
    }

    /// Faults still active.
    pub fn list(&self) -> Vec<ActiveFault> {
        self.lock().faults.clone()
    }

    /// Consumes the faults matching a request: every matching latency, plus the first
    /// matching fault of another kind.
    pub fn trigger(&self, resource: &str, method: &str) -> Triggered {
        let mut list = self.lock();
        let mut out = Triggered::default();
        for active in list.faults.iter_mut() {
            if !active.fault.matcher.matches(resource, method) {
                continue;
            }
            match &active.fault.kind {
                FaultKind::Latency { ms } => out.latency += Duration::from_millis(*ms),
                other if out.fault.is_none() => out.fault = Some(other.clone()),
                _ => continue,
            }
            active.fired += 1;
            if let FaultTimes::Times(n) = &mut active.fault.times {
                *n = n.saturating_sub(1);
            }
        }
        list.faults
            .retain(|f| f.fault.times != FaultTimes::Times(0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_wear_off_and_matchers_filter() {
        let faults = FaultInjector::default();
        faults.add(Fault::status(503).on("orders").method("GET").times(2));
        faults.add(Fault::latency(Duration::from_millis(5)));
        assert_eq!(faults.trigger("customers", "GET").fault, None);
        let t = faults.trigger("orders", "GET");
        assert_eq!(t.latency, Duration::from_millis(5));
        assert!(matches!(
            t.fault,
            Some(FaultKind::Status { status: 503, .. })
        ));
        assert!(faults.trigger("orders", "GET").fault.is_some());
        assert_eq!(faults.trigger("orders", "GET").fault, None);
        assert_eq!(faults.list().len(), 1);
    }

    #[test]
    fn faults_have_a_json_form_for_the_admin_api() {
        let f: Fault = serde_json::from_str(
            r#"{"kind":"rate_limited","retry_after_secs":7,"match":{"resource":"orders"},"times":{"times":1}}"#,
        )
        .expect("valid fault");
        assert_eq!(f, Fault::rate_limited(7).on("orders").times(1));
    }
}
