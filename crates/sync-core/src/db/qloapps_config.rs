use sqlx::PgExecutor;

use crate::domain::{ConfigId, PropertyId, QloappsConfig};

const COLUMNS: &str =
    "id, property_id, name, base_url, api_key_encrypted, api_key_last4, qloapps_hotel_id, \
     language_id, sync_enabled, recreate_refused_extensions, created_at, updated_at";

/// A config to insert. The id is chosen by the caller because the API key ciphertext is bound
/// to it (`crypto::api_key_context`).
#[derive(Debug, Clone)]
pub struct NewConfig {
    pub id: ConfigId,
    pub property_id: PropertyId,
    pub name: String,
    pub base_url: String,
    /// (ciphertext, last 4 characters), from `domain::qloapps::seal_api_key`
    pub api_key: Option<(String, String)>,
    pub qloapps_hotel_id: i32,
    pub language_id: i32,
    pub sync_enabled: bool,
    pub recreate_refused_extensions: bool,
}

/// Fields to change; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct ConfigPatch {
    pub name: Option<String>,
    pub base_url: Option<String>,
    /// `Some(None)` removes the key; `Some(Some(..))` replaces it.
    pub api_key: Option<Option<(String, String)>>,
    pub qloapps_hotel_id: Option<i32>,
    pub language_id: Option<i32>,
    pub sync_enabled: Option<bool>,
    pub recreate_refused_extensions: Option<bool>,
}

pub async fn insert_config(
    db: impl PgExecutor<'_>,
    new: &NewConfig,
) -> Result<QloappsConfig, sqlx::Error> {
    let (encrypted, last4) = new.api_key.clone().unzip();
    sqlx::query_as(&format!(
        "INSERT INTO qloapps_config (id, property_id, name, base_url, api_key_encrypted, api_key_last4,
                                     qloapps_hotel_id, language_id, sync_enabled, recreate_refused_extensions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
    ))
    .bind(new.id)
    .bind(new.property_id)
    .bind(&new.name)
    .bind(&new.base_url)
    .bind(encrypted)
    .bind(last4)
    .bind(new.qloapps_hotel_id)
    .bind(new.language_id)
    .bind(new.sync_enabled)
    .bind(new.recreate_refused_extensions)
    .fetch_one(db)
    .await
}

pub async fn get_config(
    db: impl PgExecutor<'_>,
    id: ConfigId,
) -> Result<Option<QloappsConfig>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_config WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// All configs, or those of one property, oldest first.
pub async fn list_configs(
    db: impl PgExecutor<'_>,
    property_id: Option<PropertyId>,
) -> Result<Vec<QloappsConfig>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_config WHERE ($1::uuid IS NULL OR property_id = $1) ORDER BY created_at, id"
    ))
    .bind(property_id)
    .fetch_all(db)
    .await
}

pub async fn update_config(
    db: impl PgExecutor<'_>,
    id: ConfigId,
    patch: &ConfigPatch,
) -> Result<Option<QloappsConfig>, sqlx::Error> {
    let (encrypted, last4) = patch.api_key.clone().flatten().unzip();
    sqlx::query_as(&format!(
        "UPDATE qloapps_config SET name = COALESCE($2, name), base_url = COALESCE($3, base_url),
                api_key_encrypted = CASE WHEN $4 THEN $5 ELSE api_key_encrypted END,
                api_key_last4 = CASE WHEN $4 THEN $6 ELSE api_key_last4 END,
                qloapps_hotel_id = COALESCE($7, qloapps_hotel_id), language_id = COALESCE($8, language_id),
                sync_enabled = COALESCE($9, sync_enabled),
                recreate_refused_extensions = COALESCE($10, recreate_refused_extensions), updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&patch.name)
    .bind(&patch.base_url)
    .bind(patch.api_key.is_some())
    .bind(encrypted)
    .bind(last4)
    .bind(patch.qloapps_hotel_id)
    .bind(patch.language_id)
    .bind(patch.sync_enabled)
    .bind(patch.recreate_refused_extensions)
    .fetch_optional(db)
    .await
}

/// Deletes a config with its mappings, sync state and sync log.
pub async fn delete_config(db: impl PgExecutor<'_>, id: ConfigId) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("DELETE FROM qloapps_config WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The configs that sync (`c`, with their property `p`): enabled, of a property whose active
/// channel manager is QloApps. The Rust form of the rule is `QloappsConfig::not_syncing`.
pub const SYNCING: &str = "qloapps_config c JOIN properties p ON p.id = c.property_id \
     AND p.active_channel_manager = 'qloapps' AND c.sync_enabled";

/// Every config that syncs, oldest first (the scheduler pulls these).
pub async fn syncing_configs(db: impl PgExecutor<'_>) -> Result<Vec<ConfigId>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT c.id FROM {SYNCING} ORDER BY c.created_at, c.id"
    ))
    .fetch_all(db)
    .await
}

/// The configs a PMS change of `property_id` must reach: those of the property that sync.
/// Locks the property row (shared) so a concurrent channel-manager switch waits for the
/// change's transaction.
pub async fn sync_targets(
    db: impl PgExecutor<'_>,
    property_id: PropertyId,
) -> Result<Vec<ConfigId>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT c.id FROM {SYNCING} WHERE c.property_id = $1
         ORDER BY c.created_at, c.id FOR SHARE OF p"
    ))
    .bind(property_id)
    .fetch_all(db)
    .await
}
