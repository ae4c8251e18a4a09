use sqlx::PgExecutor;

use crate::domain::property::{NewProperty, PropertyPatch};
use crate::domain::{ChannelManager, Property, PropertyId};

const COLUMNS: &str =
    "id, name, timezone, currency, active_channel_manager, created_at, updated_at";

pub async fn insert_property(
    db: impl PgExecutor<'_>,
    new: &NewProperty,
) -> Result<Property, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO properties (id, name, timezone, currency) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    ))
    .bind(PropertyId::generate())
    .bind(&new.name)
    .bind(&new.timezone)
    .bind(&new.currency)
    .fetch_one(db)
    .await
}

pub async fn get_property(
    db: impl PgExecutor<'_>,
    id: PropertyId,
) -> Result<Option<Property>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM properties WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn list_properties(db: impl PgExecutor<'_>) -> Result<Vec<Property>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM properties ORDER BY name, id"
    ))
    .fetch_all(db)
    .await
}

pub async fn update_property(
    db: impl PgExecutor<'_>,
    id: PropertyId,
    patch: &PropertyPatch,
) -> Result<Option<Property>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE properties SET name = COALESCE($2, name), timezone = COALESCE($3, timezone),
                currency = COALESCE($4, currency), updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&patch.name)
    .bind(&patch.timezone)
    .bind(&patch.currency)
    .fetch_optional(db)
    .await
}

pub async fn set_channel_manager(
    db: impl PgExecutor<'_>,
    id: PropertyId,
    manager: ChannelManager,
) -> Result<Option<Property>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE properties SET active_channel_manager = $2, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(manager)
    .fetch_optional(db)
    .await
}

/// The property, locked for the rest of the transaction (a switch of its channel manager).
pub async fn lock_property(
    db: impl PgExecutor<'_>,
    id: PropertyId,
) -> Result<Option<Property>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM properties WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Whether PostgreSQL knows the time zone name (its tz database is the reference for a
/// property's zone).
pub async fn timezone_exists(db: impl PgExecutor<'_>, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
        .bind(name)
        .fetch_one(db)
        .await
}
