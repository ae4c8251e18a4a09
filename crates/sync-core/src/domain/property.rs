use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{text_enum, PropertyId};

text_enum!(
    /// `properties.active_channel_manager` (`POST /api/v1/settings/channel-managers/switch`; README "Channel manager switched off and on").
    ChannelManager {
        Qloapps => "qloapps",
        /// no channel manager: PMS changes stay local
        None => "none",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Property {
    pub id: PropertyId,
    pub name: String,
    /// IANA time zone of the hotel, e.g. "Europe/Paris".
    pub timezone: String,
    /// ISO 4217 code; reservations and rates default to it.
    pub currency: String,
    pub active_channel_manager: ChannelManager,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Fields of a new property, already validated.
#[derive(Debug, Clone)]
pub struct NewProperty {
    pub name: String,
    pub timezone: String,
    pub currency: String,
}

/// Fields to change; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct PropertyPatch {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub currency: Option<String>,
}
