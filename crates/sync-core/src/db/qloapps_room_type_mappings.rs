use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::{ConfigId, PropertyId, RoomTypeId, RoomTypeMapping};

const COLUMNS: &str =
    "id, config_id, property_id, local_room_type_id, qloapps_room_type_id, is_active, created_at, updated_at";

#[derive(Debug, Clone)]
pub struct NewRoomTypeMapping {
    pub config_id: ConfigId,
    pub property_id: PropertyId,
    pub local_room_type_id: RoomTypeId,
    pub qloapps_room_type_id: i32,
    pub is_active: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RoomTypeMappingPatch {
    pub local_room_type_id: Option<RoomTypeId>,
    pub qloapps_room_type_id: Option<i32>,
    pub is_active: Option<bool>,
}

pub async fn insert_mapping(
    db: impl PgExecutor<'_>,
    new: &NewRoomTypeMapping,
) -> Result<RoomTypeMapping, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO qloapps_room_type_mappings (id, config_id, property_id, local_room_type_id, qloapps_room_type_id, is_active)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(new.config_id)
    .bind(new.property_id)
    .bind(new.local_room_type_id)
    .bind(new.qloapps_room_type_id)
    .bind(new.is_active)
    .fetch_one(db)
    .await
}

pub async fn get_mapping(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    id: Uuid,
) -> Result<Option<RoomTypeMapping>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_room_type_mappings WHERE config_id = $1 AND id = $2"
    ))
    .bind(config_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn list_mappings(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
) -> Result<Vec<RoomTypeMapping>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_room_type_mappings WHERE config_id = $1 ORDER BY created_at, id"
    ))
    .bind(config_id)
    .fetch_all(db)
    .await
}

/// The active ones of `mappings` as QloApps room type id → PMS room type: how a pulled or
/// reconciled order finds its PMS room type.
pub fn active_by_qloapps_id(
    mappings: impl IntoIterator<Item = RoomTypeMapping>,
) -> std::collections::HashMap<u64, RoomTypeId> {
    mappings
        .into_iter()
        .filter(|m| m.is_active)
        .map(|m| (m.qloapps_room_type_id.get(), m.local_room_type_id))
        .collect()
}

/// The active mapping of a PMS room type in a config, what a push needs.
pub async fn find_by_room_type(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    room_type_id: RoomTypeId,
) -> Result<Option<RoomTypeMapping>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM qloapps_room_type_mappings
         WHERE config_id = $1 AND local_room_type_id = $2 AND is_active"
    ))
    .bind(config_id)
    .bind(room_type_id)
    .fetch_optional(db)
    .await
}

pub async fn update_mapping(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    id: Uuid,
    patch: &RoomTypeMappingPatch,
) -> Result<Option<RoomTypeMapping>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE qloapps_room_type_mappings SET local_room_type_id = COALESCE($3, local_room_type_id),
                qloapps_room_type_id = COALESCE($4, qloapps_room_type_id), is_active = COALESCE($5, is_active),
                updated_at = now()
         WHERE config_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(config_id)
    .bind(id)
    .bind(patch.local_room_type_id)
    .bind(patch.qloapps_room_type_id)
    .bind(patch.is_active)
    .fetch_optional(db)
    .await
}

pub async fn delete_mapping(
    db: impl PgExecutor<'_>,
    config_id: ConfigId,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let result =
        sqlx::query("DELETE FROM qloapps_room_type_mappings WHERE config_id = $1 AND id = $2")
            .bind(config_id)
            .bind(id)
            .execute(db)
            .await?;
    Ok(result.rows_affected() == 1)
}
