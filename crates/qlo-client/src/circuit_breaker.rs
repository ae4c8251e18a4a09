//! Circuit breaker: CLOSED → OPEN after N consecutive failures; OPEN fails fast for the
//! cool-down; HALF_OPEN lets a limited number of probes through; a probe's success closes,
//! its failure re-opens (docs/architecture.md, "Resilience"). A trait, so a shared PostgreSQL-backed breaker can
//! replace the in-memory one.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, Mutex};
use tokio::time::Instant;

use crate::breaker_machine::Machine;
use crate::config::BreakerConfig;
use crate::error::Error;

/// Permission to make one call; hand it back with [`CircuitBreaker::record`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerPermit {
    /// True for a HALF_OPEN probe.
    pub probe: bool,
    /// The breaker's state generation when the permit was issued; results of calls started
    /// before a transition are ignored (a slow success must not close a circuit opened since).
    pub generation: u64,
}

/// How a call went, from the breaker's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CallOutcome {
    /// QloApps answered (including 4xx and PHP-warning 500s: the server is alive).
    Success,
    /// Network error, timeout, 408, 429 or a real 5xx.
    Failure,
}

/// The breaker's state as operators see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BreakerState {
    Closed,
    /// Failing fast until `until` (wall clock, for persistence and display).
    Open {
        until: DateTime<Utc>,
    },
    HalfOpen,
}

impl BreakerState {
    /// `closed`, `open` or `half_open`.
    pub fn name(&self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open { .. } => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    /// 0 closed, 1 open, 2 half-open (the `qlosync_circuit_state` gauge).
    pub fn gauge(&self) -> f64 {
        match self {
            BreakerState::Closed => 0.0,
            BreakerState::Open { .. } => 1.0,
            BreakerState::HalfOpen => 2.0,
        }
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A state change, for persistence (`circuit_breaker_state`) and metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakerTransition {
    pub from: BreakerState,
    pub to: BreakerState,
    pub at: DateTime<Utc>,
}

/// Guards QloApps calls.
#[async_trait]
pub trait CircuitBreaker: Send + Sync {
    /// Ok(permit) to make a call, Err(Error::CircuitOpen { retry_in }) to fail fast.
    async fn try_acquire(&self) -> Result<BreakerPermit, Error>;
    /// Reports the outcome of the call made under `permit`.
    async fn record(&self, permit: BreakerPermit, outcome: CallOutcome);
    /// The current state.
    async fn state(&self) -> BreakerState;
    /// A feed of transitions, when the implementation offers one.
    fn subscribe(&self) -> Option<broadcast::Receiver<BreakerTransition>> {
        None
    }
}

/// Called synchronously on every transition.
pub type TransitionCallback = Arc<dyn Fn(&BreakerTransition) + Send + Sync>;

/// The in-process breaker. Transitions go to [`CircuitBreaker::subscribe`] receivers, to an
/// optional callback, to the `qlosync_circuit_state` gauge and to the log.
pub struct InMemoryCircuitBreaker {
    config: BreakerConfig,
    inner: Mutex<Inner>,
    /// (tokio instant, wall-clock time) at construction: the machine's clock.
    clock: (Instant, DateTime<Utc>),
    events: broadcast::Sender<BreakerTransition>,
    callback: Option<TransitionCallback>,
}

impl fmt::Debug for InMemoryCircuitBreaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryCircuitBreaker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Inner {
    machine: Machine,
}

impl InMemoryCircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Self {
        let (events, _) = broadcast::channel(64);
        InMemoryCircuitBreaker {
            config,
            inner: Mutex::new(Inner {
                machine: Machine::default(),
            }),
            clock: (Instant::now(), Utc::now()),
            events,
            callback: None,
        }
    }

    /// Adds a callback run on every transition (e.g. to persist the state).
    pub fn with_callback(mut self, callback: TransitionCallback) -> Self {
        self.callback = Some(callback);
        self
    }

    /// Wall-clock time as the machine sees it, advanced by tokio's clock (which tests pause).
    fn now(&self) -> DateTime<Utc> {
        let (start, wall) = self.clock;
        wall + chrono::Duration::from_std(Instant::now() - start).unwrap_or_default()
    }

    fn announce(&self, transitions: Vec<BreakerTransition>) {
        for event in transitions {
            tracing::warn!(from = %event.from, to = %event.to, "QloApps circuit breaker transition");
            metrics::gauge!("qlosync_circuit_state").set(event.to.gauge());
            metrics::counter!("qlosync_circuit_transitions_total", "to" => event.to.name())
                .increment(1);
            if let Some(cb) = &self.callback {
                cb(&event);
            }
            // No receiver is fine: nobody is listening.
            let _ = self.events.send(event);
        }
    }
}

#[async_trait]
impl CircuitBreaker for InMemoryCircuitBreaker {
    async fn try_acquire(&self) -> Result<BreakerPermit, Error> {
        let mut transitions = Vec::new();
        let permit = {
            let mut inner = self.inner.lock().await;
            let now = self.now();
            inner.machine.acquire(&self.config, now, &mut transitions)
        };
        self.announce(transitions);
        permit
    }

    async fn record(&self, permit: BreakerPermit, outcome: CallOutcome) {
        let mut transitions = Vec::new();
        {
            let mut inner = self.inner.lock().await;
            let now = self.now();
            inner
                .machine
                .record(&self.config, &permit, outcome, now, &mut transitions);
        }
        self.announce(transitions);
    }

    async fn state(&self) -> BreakerState {
        let inner = self.inner.lock().await;
        inner.machine.public(self.now())
    }

    fn subscribe(&self) -> Option<broadcast::Receiver<BreakerTransition>> {
        Some(self.events.subscribe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn default_breaker() -> InMemoryCircuitBreaker {
        InMemoryCircuitBreaker::new(BreakerConfig::default())
    }

    async fn fail(b: &InMemoryCircuitBreaker) {
        let p = b.try_acquire().await.unwrap();
        b.record(p, CallOutcome::Failure).await;
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_exactly_five_consecutive_failures() {
        let b = default_breaker();
        for _ in 0..4 {
            fail(&b).await;
            assert_eq!(b.state().await, BreakerState::Closed);
        }
        fail(&b).await;
        assert!(matches!(b.state().await, BreakerState::Open { .. }));
        let err = b.try_acquire().await.unwrap_err();
        match err {
            Error::CircuitOpen { retry_in } => assert_eq!(retry_in, Duration::from_secs(30)),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_resets_the_consecutive_count() {
        let b = default_breaker();
        for _ in 0..4 {
            fail(&b).await;
        }
        let p = b.try_acquire().await.unwrap();
        b.record(p, CallOutcome::Success).await;
        for _ in 0..4 {
            fail(&b).await;
        }
        assert_eq!(b.state().await, BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn one_probe_after_cool_down_then_success_closes() {
        let b = default_breaker();
        let mut events = b.subscribe().unwrap();
        for _ in 0..5 {
            fail(&b).await;
        }
        tokio::time::advance(Duration::from_millis(29_999)).await;
        assert!(
            b.try_acquire().await.is_err(),
            "still open before the cool-down ends"
        );
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(b.state().await, BreakerState::HalfOpen);
        let probe = b.try_acquire().await.unwrap();
        assert!(probe.probe);
        assert!(b.try_acquire().await.is_err(), "only one probe at a time");
        b.record(probe, CallOutcome::Success).await;
        assert_eq!(b.state().await, BreakerState::Closed);
        assert!(b.try_acquire().await.is_ok());

        let names: Vec<(&str, &str)> = std::iter::from_fn(|| events.try_recv().ok())
            .map(|t| (t.from.name(), t.to.name()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("closed", "open"),
                ("open", "half_open"),
                ("half_open", "closed")
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn failed_probe_reopens_for_a_full_cool_down() {
        let b = default_breaker();
        for _ in 0..5 {
            fail(&b).await;
        }
        tokio::time::advance(Duration::from_secs(30)).await;
        let probe = b.try_acquire().await.unwrap();
        b.record(probe, CallOutcome::Failure).await;
        assert!(matches!(b.state().await, BreakerState::Open { .. }));
        tokio::time::advance(Duration::from_secs(29)).await;
        assert!(b.try_acquire().await.is_err());
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(b.try_acquire().await.unwrap().probe);
    }

    #[tokio::test(start_paused = true)]
    async fn late_results_from_before_a_transition_are_ignored() {
        let b = default_breaker();
        let slow = b.try_acquire().await.unwrap();
        for _ in 0..5 {
            fail(&b).await;
        }
        b.record(slow, CallOutcome::Success).await;
        assert!(matches!(b.state().await, BreakerState::Open { .. }));
    }

    #[tokio::test(start_paused = true)]
    async fn callback_sees_every_transition() {
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let b = default_breaker().with_callback(Arc::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        for _ in 0..5 {
            fail(&b).await;
        }
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_abandoned_probe_frees_its_slot_after_a_cool_down() {
        let b = default_breaker();
        for _ in 0..5 {
            fail(&b).await;
        }
        tokio::time::advance(Duration::from_secs(30)).await;
        let _lost = b.try_acquire().await.unwrap();
        assert!(b.try_acquire().await.is_err());
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(b.try_acquire().await.unwrap().probe);
    }
}
