use std::time::Duration;

use rand::Rng;

/// Capped exponential backoff with jitter, for reconnect loops.
///
/// Each [`Backoff::next_delay`] doubles the base delay up to `max` and returns a value drawn
/// from the upper half of it ("equal jitter"), so processes that lost the broker together do
/// not all reconnect in the same instant.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    current: Duration,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        let min = min.max(Duration::from_millis(1));
        let max = max.max(min);
        Backoff {
            min,
            max,
            current: min,
        }
    }

    /// The delay to wait now; the next call returns a longer one, up to `max`.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.current;
        self.current = (self.current * 2).min(self.max);
        let half = base / 2;
        let jitter_ms = rand::thread_rng().gen_range(0..=half.as_millis().max(1) as u64);
        half + Duration::from_millis(jitter_ms)
    }

    /// Back to the shortest delay, after a success.
    pub fn reset(&mut self) {
        self.current = self.min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap_and_reset() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(800));
        let delays: Vec<_> = (0..6).map(|_| b.next_delay()).collect();
        assert!(delays[0] <= Duration::from_millis(101));
        for d in &delays {
            assert!(*d <= Duration::from_millis(801), "{d:?} over the cap");
        }
        assert!(
            delays[5] >= Duration::from_millis(400),
            "{delays:?} never reached the cap"
        );
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(101));
    }
}
