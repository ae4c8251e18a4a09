use sqlx::{PgConnection, PgExecutor};

use crate::domain::room_type::{NewRoomType, RoomTypePatch};
use crate::domain::{PropertyId, RoomType, RoomTypeId};

const COLUMNS: &str =
    "id, property_id, code, name, description, total_rooms, max_adults, max_children, created_at, updated_at";

pub async fn insert_room_type(
    db: impl PgExecutor<'_>,
    property_id: PropertyId,
    new: &NewRoomType,
) -> Result<RoomType, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO room_types (id, property_id, code, name, description, total_rooms, max_adults, max_children)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(RoomTypeId::generate())
    .bind(property_id)
    .bind(&new.code)
    .bind(&new.name)
    .bind(&new.description)
    .bind(new.total_rooms)
    .bind(new.max_adults)
    .bind(new.max_children)
    .fetch_one(db)
    .await
}

pub async fn get_room_type(
    db: impl PgExecutor<'_>,
    id: RoomTypeId,
) -> Result<Option<RoomType>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM room_types WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Reads and row-locks a room type until the end of the caller's transaction, so concurrent
/// changes of its availability or rates apply (and enqueue) one after the other.
pub async fn lock_room_type(
    conn: &mut PgConnection,
    id: RoomTypeId,
) -> Result<Option<RoomType>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM room_types WHERE id = $1 FOR NO KEY UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn list_room_types(
    db: impl PgExecutor<'_>,
    property_id: PropertyId,
) -> Result<Vec<RoomType>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM room_types WHERE property_id = $1 ORDER BY code, id"
    ))
    .bind(property_id)
    .fetch_all(db)
    .await
}

pub async fn update_room_type(
    db: impl PgExecutor<'_>,
    id: RoomTypeId,
    patch: &RoomTypePatch,
) -> Result<Option<RoomType>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE room_types SET code = COALESCE($2, code), name = COALESCE($3, name),
                description = CASE WHEN $4 THEN $5 ELSE description END,
                total_rooms = COALESCE($6, total_rooms), max_adults = COALESCE($7, max_adults),
                max_children = COALESCE($8, max_children), updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&patch.code)
    .bind(&patch.name)
    .bind(patch.description.is_some())
    .bind(patch.description.clone().flatten())
    .bind(patch.total_rooms)
    .bind(patch.max_adults)
    .bind(patch.max_children)
    .fetch_optional(db)
    .await
}

/// Deletes the room type with its availability and rates; fails on the foreign keys of
/// reservations and QloApps mappings that still use it.
pub async fn delete_room_type(
    db: impl PgExecutor<'_>,
    id: RoomTypeId,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("DELETE FROM room_types WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}
