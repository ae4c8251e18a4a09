//! The circuit breaker's state machine, on plain values, behind both breakers: the in-process
//! one ([`crate::InMemoryCircuitBreaker`]) and the one every process shares through PostgreSQL
//! (`sync_core::shared::breaker`). CLOSED → OPEN after `failure_threshold` consecutive failures;
//! OPEN fails fast until `open_until`; then HALF_OPEN lets `half_open_probes` calls through; a
//! probe's success closes, its failure re-opens. Every transition bumps `generation`; an
//! outcome reported under an older generation is ignored (a slow success must not close a
//! circuit opened since). A probe whose caller never reports back frees its slot after one
//! cool-down.

use std::time::Duration;

use crate::circuit_breaker::{BreakerPermit, BreakerState, BreakerTransition, CallOutcome};
use crate::{BreakerConfig, Error};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Closed,
    Open,
    HalfOpen,
}

impl Mode {
    /// The stored name: "CLOSED", "OPEN", "HALF_OPEN".
    pub fn name(self) -> &'static str {
        match self {
            Mode::Closed => "CLOSED",
            Mode::Open => "OPEN",
            Mode::HalfOpen => "HALF_OPEN",
        }
    }

    /// The mode of a stored name; anything unknown is CLOSED.
    pub fn from_name(s: &str) -> Mode {
        match s {
            "OPEN" => Mode::Open,
            "HALF_OPEN" => Mode::HalfOpen,
            _ => Mode::Closed,
        }
    }
}

/// One breaker's whole state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub mode: Mode,
    pub failures: u32,
    pub opened_at: Option<DateTime<Utc>>,
    pub open_until: Option<DateTime<Utc>>,
    pub probes: u32,
    pub probe_started_at: Option<DateTime<Utc>>,
    pub generation: u64,
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            mode: Mode::Closed,
            failures: 0,
            opened_at: None,
            open_until: None,
            probes: 0,
            probe_started_at: None,
            generation: 0,
        }
    }
}

fn elapsed(from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    (to - from).to_std().unwrap_or_default()
}

impl Machine {
    /// The state operators see; an expired OPEN period already counts as HALF_OPEN.
    pub fn public(&self, now: DateTime<Utc>) -> BreakerState {
        match (self.mode, self.open_until) {
            (Mode::Closed, _) => BreakerState::Closed,
            (Mode::Open, Some(until)) if now < until => BreakerState::Open { until },
            (Mode::Open, _) | (Mode::HalfOpen, _) => BreakerState::HalfOpen,
        }
    }

    fn stored(&self) -> BreakerState {
        match (self.mode, self.open_until) {
            (Mode::Open, Some(until)) => BreakerState::Open { until },
            (Mode::HalfOpen, _) | (Mode::Open, None) => BreakerState::HalfOpen,
            (Mode::Closed, _) => BreakerState::Closed,
        }
    }

    fn go(
        &mut self,
        to: Mode,
        now: DateTime<Utc>,
        cool_down: Duration,
        out: &mut Vec<BreakerTransition>,
    ) {
        let from = self.stored();
        self.mode = to;
        self.probes = 0;
        self.probe_started_at = None;
        match to {
            Mode::Open => {
                self.opened_at = Some(now);
                self.open_until =
                    Some(now + chrono::Duration::from_std(cool_down).unwrap_or_default());
            }
            Mode::Closed => {
                self.failures = 0;
                self.opened_at = None;
                self.open_until = None;
            }
            Mode::HalfOpen => {}
        }
        self.generation += 1;
        out.push(BreakerTransition {
            from,
            to: self.stored(),
            at: now,
        });
    }

    /// Grants or refuses a call at `now`; transitions made are appended to `out`.
    pub fn acquire(
        &mut self,
        config: &BreakerConfig,
        now: DateTime<Utc>,
        out: &mut Vec<BreakerTransition>,
    ) -> Result<BreakerPermit, Error> {
        if self.mode == Mode::Open {
            match self.open_until {
                Some(until) if now < until => {
                    return Err(Error::CircuitOpen {
                        retry_in: elapsed(now, until),
                    });
                }
                _ => self.go(Mode::HalfOpen, now, config.cool_down, out),
            }
        }
        if self.mode == Mode::Closed {
            return Ok(BreakerPermit {
                probe: false,
                generation: self.generation,
            });
        }
        let lease_over = self
            .probe_started_at
            .is_none_or(|at| elapsed(at, now) >= config.cool_down);
        if self.probes > 0 && lease_over {
            // the probes' callers never reported back (crashed, cancelled): free their slots
            self.probes = 0;
        }
        if self.probes >= config.half_open_probes.max(1) {
            // a probe is under way; its result decides
            let retry_in = Duration::from_secs(1).min(config.cool_down);
            return Err(Error::CircuitOpen { retry_in });
        }
        if self.probes == 0 {
            self.probe_started_at = Some(now);
        }
        self.probes += 1;
        Ok(BreakerPermit {
            probe: true,
            generation: self.generation,
        })
    }

    /// Applies a call's outcome; returns whether anything changed.
    pub fn record(
        &mut self,
        config: &BreakerConfig,
        permit: &BreakerPermit,
        outcome: CallOutcome,
        now: DateTime<Utc>,
        out: &mut Vec<BreakerTransition>,
    ) -> bool {
        if permit.generation != self.generation {
            return false;
        }
        match (self.mode, outcome) {
            (Mode::Closed, CallOutcome::Success) if self.failures == 0 => return false,
            (Mode::Closed, CallOutcome::Success) => self.failures = 0,
            (Mode::Closed, CallOutcome::Failure) => {
                self.failures += 1;
                if self.failures >= config.failure_threshold.max(1) {
                    self.go(Mode::Open, now, config.cool_down, out);
                }
            }
            (Mode::HalfOpen, CallOutcome::Success) if permit.probe => {
                self.go(Mode::Closed, now, config.cool_down, out);
            }
            (Mode::HalfOpen, CallOutcome::Failure) if permit.probe => {
                self.failures += 1;
                self.go(Mode::Open, now, config.cool_down, out);
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).expect("a valid instant")
    }

    #[test]
    fn opens_after_the_threshold_probes_once_and_closes_on_success() {
        let config = BreakerConfig::default(); // 5 failures, 30 s, 1 probe
        let (mut m, mut out) = (Machine::default(), Vec::new());
        for i in 0..5 {
            let p = m.acquire(&config, at(i), &mut out).unwrap();
            m.record(&config, &p, CallOutcome::Failure, at(i), &mut out);
        }
        assert_eq!(m.mode, Mode::Open);
        let Err(Error::CircuitOpen { retry_in }) = m.acquire(&config, at(10), &mut out) else {
            panic!()
        };
        assert_eq!(retry_in, Duration::from_millis(29_994));
        let probe = m.acquire(&config, at(30_004), &mut out).unwrap();
        assert!(probe.probe);
        assert!(
            m.acquire(&config, at(30_005), &mut out).is_err(),
            "a second probe"
        );
        m.record(&config, &probe, CallOutcome::Success, at(30_100), &mut out);
        assert_eq!(m.mode, Mode::Closed);
        let names: Vec<_> = out.iter().map(|t| (t.from.name(), t.to.name())).collect();
        assert_eq!(
            names,
            [
                ("closed", "open"),
                ("open", "half_open"),
                ("half_open", "closed")
            ]
        );
    }

    #[test]
    fn a_stale_outcome_is_ignored_and_a_lost_probe_frees_its_slot() {
        let config = BreakerConfig {
            failure_threshold: 1,
            ..BreakerConfig::default()
        };
        let (mut m, mut out) = (Machine::default(), Vec::new());
        let slow = m.acquire(&config, at(0), &mut out).unwrap();
        let p = m.acquire(&config, at(0), &mut out).unwrap();
        m.record(&config, &p, CallOutcome::Failure, at(1), &mut out);
        assert!(!m.record(&config, &slow, CallOutcome::Success, at(2), &mut out));
        assert_eq!(m.mode, Mode::Open);
        let _lost = m.acquire(&config, at(30_001), &mut out).unwrap();
        assert!(m.acquire(&config, at(31_000), &mut out).is_err());
        assert!(
            m.acquire(&config, at(60_001), &mut out).unwrap().probe,
            "slot not freed"
        );
    }
}
