//! When each config's next pull is due (docs/architecture.md, "Pull: QloApps bookings reaching the PMS"), as plain data: no clock,
//! no randomness of its own, so every rule is tested directly.
//!
//! - A config seen for the first time waits a stable offset in `[0, interval)` derived from
//!   its id, so configs (and restarted schedulers) do not all fire at once.
//! - After a success, or when another process's pull held the lock, the next run is one
//!   interval later, ±10 % jitter.
//! - After `n` consecutive failures it is `backoff(n)`: 1 → 2 → 4 → 8 → 15 min (README
//!   "Sync not running"), reset by the next success.

use std::collections::HashMap;
use std::time::Duration;

use sync_core::domain::ConfigId;
use tokio::time::Instant;

/// Exponential backoff after failed runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Wait after the first failure (`QLOAPPS_SYNC_BACKOFF_BASE_MS`, default 1 min).
    pub base: Duration,
    /// The longest wait (`QLOAPPS_SYNC_BACKOFF_MAX_MS`, default 15 min).
    pub max: Duration,
}

impl BackoffPolicy {
    /// The wait after `failures` consecutive failed runs (1 or more): `base · 2^(failures-1)`,
    /// capped at `max`.
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.base
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

/// The scheduler's clockwork.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// `QLOAPPS_SYNC_INTERVAL_MS` (default 300000).
    pub interval: Duration,
    pub backoff: BackoffPolicy,
    /// How often the loop looks for due configs (`QLOAPPS_SYNC_TICK_MS`, default 1000).
    pub tick: Duration,
}

/// A config's first wait: a stable point in `[0, interval)` from its id.
pub fn first_offset(config: ConfigId, interval: Duration) -> Duration {
    let (hi, lo) = config.0.as_u64_pair();
    let millis = u64::try_from(interval.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    Duration::from_millis((hi ^ lo) % millis)
}

/// `interval` ±10 %: `unit` is a random draw in `[0, 1)`.
pub fn jittered(interval: Duration, unit: f64) -> Duration {
    interval.mul_f64(0.9 + 0.2 * unit.clamp(0.0, 1.0))
}

/// How a scheduled run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunResult {
    Succeeded,
    Failed,
    /// Another process's pull of the config held the lock.
    Busy,
    /// The config stopped syncing meanwhile (disabled, deleted, channel manager switched).
    NotSyncing,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    next_due: Instant,
    failures: u32,
    running: bool,
}

/// Every config's next due time and failure count.
#[derive(Debug, Clone)]
pub struct Schedule {
    timing: Timing,
    entries: HashMap<ConfigId, Entry>,
}

impl Schedule {
    pub fn new(timing: Timing) -> Self {
        Schedule {
            timing,
            entries: HashMap::new(),
        }
    }

    /// The configs of `configs` due at `now` and not running, at most `limit`, marked running.
    /// New configs get their first offset; configs no longer listed are forgotten.
    pub fn take_due(&mut self, configs: &[ConfigId], now: Instant, limit: usize) -> Vec<ConfigId> {
        self.entries
            .retain(|id, e| e.running || configs.contains(id));
        let interval = self.timing.interval;
        let mut due = Vec::new();
        for config in configs {
            let entry = self.entries.entry(*config).or_insert_with(|| Entry {
                next_due: now + first_offset(*config, interval),
                failures: 0,
                running: false,
            });
            if !entry.running && entry.next_due <= now && due.len() < limit {
                entry.running = true;
                due.push(*config);
            }
        }
        due
    }

    /// Records a finished run and returns the wait until the config's next one.
    pub fn finish(
        &mut self,
        config: ConfigId,
        result: RunResult,
        now: Instant,
        unit: f64,
    ) -> Duration {
        let timing = self.timing;
        let entry = self.entries.entry(config).or_insert(Entry {
            next_due: now,
            failures: 0,
            running: false,
        });
        entry.running = false;
        let wait = match result {
            RunResult::Failed => {
                entry.failures += 1;
                timing.backoff.delay(entry.failures)
            }
            RunResult::Succeeded => {
                entry.failures = 0;
                jittered(timing.interval, unit)
            }
            RunResult::Busy | RunResult::NotSyncing => jittered(timing.interval, unit),
        };
        entry.next_due = now + wait;
        wait
    }

    /// Consecutive failed runs of a config.
    pub fn failures(&self, config: ConfigId) -> u32 {
        self.entries.get(&config).map_or(0, |e| e.failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    const MIN: Duration = Duration::from_secs(60);

    fn timing() -> Timing {
        Timing {
            interval: 5 * MIN,
            backoff: BackoffPolicy {
                base: MIN,
                max: 15 * MIN,
            },
            tick: Duration::from_secs(1),
        }
    }

    #[test]
    fn backoff_doubles_from_one_minute_up_to_fifteen() {
        let policy = timing().backoff;
        let waits: Vec<u64> = (1..=7).map(|n| policy.delay(n).as_secs() / 60).collect();
        assert_eq!(waits, [1, 2, 4, 8, 15, 15, 15]);
        assert_eq!(policy.delay(u32::MAX), 15 * MIN);
    }

    #[test]
    fn failures_back_off_and_a_success_resets_to_the_interval() {
        let mut s = Schedule::new(timing());
        let c = ConfigId(Uuid::new_v4());
        let t = Instant::now();
        s.take_due(&[c], t, 1);
        let waits: Vec<Duration> = (0..5)
            .map(|_| s.finish(c, RunResult::Failed, t, 0.5))
            .collect();
        assert_eq!(waits, [MIN, 2 * MIN, 4 * MIN, 8 * MIN, 15 * MIN]);
        assert_eq!(s.failures(c), 5);
        assert_eq!(s.finish(c, RunResult::Succeeded, t, 0.5), 5 * MIN);
        assert_eq!(s.failures(c), 0);
        assert_eq!(
            s.finish(c, RunResult::Failed, t, 0.5),
            MIN,
            "the sequence starts over"
        );
        assert_eq!(
            s.finish(c, RunResult::Busy, t, 0.5),
            5 * MIN,
            "a busy lock is no failure"
        );
        assert_eq!(s.failures(c), 1);
    }

    #[test]
    fn first_runs_are_spread_over_the_interval_and_due_configs_capped() {
        let configs: Vec<ConfigId> = (0..50).map(|_| ConfigId(Uuid::new_v4())).collect();
        let offsets: Vec<Duration> = configs.iter().map(|c| first_offset(*c, 5 * MIN)).collect();
        assert!(offsets.iter().all(|o| *o < 5 * MIN));
        assert_eq!(
            first_offset(configs[0], 5 * MIN),
            offsets[0],
            "stable across restarts"
        );
        let early = offsets.iter().filter(|o| **o < MIN).count();
        assert!(early < 30, "{early} of 50 in the first minute: not spread");

        let mut s = Schedule::new(timing());
        let t = Instant::now();
        assert!(s.take_due(&configs, t, 50).len() < 50, "not all at once");
        let due = s.take_due(&configs, t + 5 * MIN, 4);
        assert_eq!(due.len(), 4, "bounded by the free slots");
        let more = s.take_due(&configs, t + 5 * MIN, 100);
        assert!(
            more.iter().all(|c| !due.contains(c)),
            "a running config is not started twice"
        );
        assert_eq!(
            due.len() + more.len() + s.take_due(&configs, t + 5 * MIN, 100).len(),
            50
        );
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        assert_eq!(jittered(100 * MIN, 0.0), 90 * MIN);
        assert_eq!(jittered(100 * MIN, 0.5), 100 * MIN);
        assert!(jittered(100 * MIN, 0.999_999) <= 110 * MIN);
    }
}
