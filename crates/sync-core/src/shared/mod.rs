//! What every process shares through PostgreSQL for a QloApps config: the rate limit
//! (`limiter`), the circuit breaker (`breaker`), and the factory that gives each client both
//! (`resilience`).

pub mod breaker;
pub mod limiter;
pub mod resilience;
