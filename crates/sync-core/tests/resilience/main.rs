//! The PostgreSQL-shared rate limiter and circuit breaker (`shared::limiter`, `shared::breaker`)
//! against the machine's PostgreSQL: several processes see one budget and one breaker.

// test helpers outside #[test] functions: a failed setup should fail the test loudly
#![allow(clippy::unwrap_used)]

mod breaker;
mod limiter;

use uuid::Uuid;

/// A PMS property and a QloApps config for it; returns the config id.
pub async fn insert_config(pool: &sqlx::PgPool) -> Uuid {
    let (property_id, config_id) = (Uuid::new_v4(), Uuid::new_v4());
    sqlx::query("INSERT INTO properties (id, name) VALUES ($1, 'Test hotel')")
        .bind(property_id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO qloapps_config (id, property_id, name, base_url, qloapps_hotel_id)
         VALUES ($1, $2, 'Test QloApps', 'http://qlo.test/api', 1)",
    )
    .bind(config_id)
    .bind(property_id)
    .execute(pool)
    .await
    .unwrap();
    config_id
}
