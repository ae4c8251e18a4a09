//! `qloapps_customer_mappings`: the QloApps customer (by email) each guest is known as.

use sqlx::PgExecutor;

use crate::domain::{ConfigId, GuestId};

/// The email the push last made sure QloApps has a customer for, if any.
pub async fn known_email(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    guest_id: GuestId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT email FROM qloapps_customer_mappings WHERE config_id = $1 AND guest_id = $2",
    )
    .bind(config_id)
    .bind(guest_id)
    .fetch_optional(db)
    .await
}

/// Records that QloApps has a customer with `email` for this guest (`customer_id` when known).
pub async fn upsert(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    guest_id: GuestId,
    email: &str,
    customer_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qloapps_customer_mappings (config_id, guest_id, email, qloapps_customer_id)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (config_id, guest_id) DO UPDATE
         SET email = EXCLUDED.email, qloapps_customer_id = EXCLUDED.qloapps_customer_id,
             updated_at = now()",
    )
    .bind(config_id)
    .bind(guest_id)
    .bind(email)
    .bind(customer_id)
    .execute(db)
    .await?;
    Ok(())
}
