//! Retry schedule: exponential backoff with jitter, and `Retry-After` parsing (RFC 9110 §10.2.3).

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

use crate::config::RetryConfig;

/// Whether a request may be sent again after a failure whose outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Reads, and writes whose repetition is harmless (DELETE, full-object PUT).
    Idempotent,
    /// Never sent again blindly: only failures that prove the request was not processed
    /// (refused connection, 408, 429) are retried here; callers verify anything else.
    NonIdempotent,
}

/// The delay before retry number `retry` (0 for the first retry), without jitter.
pub fn base_delay(config: &RetryConfig, retry: u32) -> Duration {
    let factor = config
        .multiplier
        .max(1.0)
        .powi(i32::try_from(retry).unwrap_or(i32::MAX));
    let secs = config.initial_delay.as_secs_f64() * factor;
    let capped = secs.min(config.max_delay.as_secs_f64());
    // Round to whole microseconds so schedules like 500 ms × 2 are exact.
    Duration::from_micros((capped * 1e6).round() as u64)
}

/// The delay before retry number `retry`: the base delay, or with jitter a uniform pick in its
/// upper half (`[d/2, d]`), so clients that failed together spread out but never retry sooner
/// than half the schedule.
pub fn backoff(config: &RetryConfig, retry: u32) -> Duration {
    let base = base_delay(config, retry);
    if !config.jitter || base.is_zero() {
        return base;
    }
    let half = base / 2;
    let extra = rand::thread_rng().gen_range(0..=half.as_micros() as u64);
    half + Duration::from_micros(extra)
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (a past date means "now").
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedule_doubles_from_500ms_and_caps_at_30s() {
        let c = RetryConfig::default();
        let ms: Vec<u128> = (0..8).map(|n| base_delay(&c, n).as_millis()).collect();
        assert_eq!(ms, vec![500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    }

    #[test]
    fn jitter_stays_in_the_upper_half() {
        let c = RetryConfig::default();
        for n in 0..6 {
            let base = base_delay(&c, n);
            for _ in 0..50 {
                let d = backoff(&c, n);
                assert!(d >= base / 2 && d <= base, "{d:?} vs {base:?}");
            }
        }
        let exact = RetryConfig { jitter: false, ..c };
        assert_eq!(backoff(&exact, 2), Duration::from_secs(2));
    }

    #[test]
    fn retry_after_seconds_or_http_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
