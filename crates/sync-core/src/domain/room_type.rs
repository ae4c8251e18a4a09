use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{PropertyId, RoomTypeId};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomType {
    pub id: RoomTypeId,
    pub property_id: PropertyId,
    /// Short code, unique within the property.
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// Physical rooms of this type.
    pub total_rooms: i32,
    pub max_adults: i32,
    pub max_children: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewRoomType {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub total_rooms: i32,
    pub max_adults: i32,
    pub max_children: i32,
}

/// `None` keeps the stored value; `description: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct RoomTypePatch {
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub total_rooms: Option<i32>,
    pub max_adults: Option<i32>,
    pub max_children: Option<i32>,
}
