//! The limiter and breaker every process uses for a QloApps config: PostgreSQL-backed, so the
//! rate limit and the circuit state hold across all workers, the scheduler and the api
//! (docs/architecture.md, "Resilience").

use std::sync::Arc;

use sqlx::PgPool;

use crate::qlo_clients::{Resilience, ResilienceFactory};
use crate::shared::breaker::PgCircuitBreaker;
use crate::shared::limiter::PgRateLimiter;

/// A [`ResilienceFactory`] handing each config's client the shared limiter and breaker.
pub fn factory(pool: PgPool) -> ResilienceFactory {
    Arc::new(move |config, settings| Resilience {
        limiter: Some(Arc::new(PgRateLimiter::new(
            pool.clone(),
            config.id.0,
            settings.rate_limit,
        ))),
        breaker: Some(Arc::new(PgCircuitBreaker::new(
            pool.clone(),
            config.id.0,
            settings.breaker,
        ))),
    })
}
