//! The QloApps integration state: configs, mappings, sync runs and the per-item sync log.

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    text_enum, ConfigId, PropertyId, QloHotelId, QloOrderId, QloRoomTypeId, ReservationId,
    RoomTypeId,
};
use crate::crypto::{api_key_context, CryptoError, KeyRing};

/// A `qloapps_config` row. Not `Serialize`: the api shows a view without the ciphertext.
#[derive(Clone, PartialEq, sqlx::FromRow)]
pub struct QloappsConfig {
    pub id: ConfigId,
    pub property_id: PropertyId,
    pub name: String,
    pub base_url: String,
    pub api_key_encrypted: Option<String>,
    pub api_key_last4: Option<String>,
    pub qloapps_hotel_id: QloHotelId,
    pub language_id: i32,
    pub sync_enabled: bool,
    /// A stay change QloApps refuses is pushed as cancel-and-recreate (docs/pushes.md).
    pub recreate_refused_extensions: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for QloappsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QloappsConfig")
            .field("id", &self.id)
            .field("property_id", &self.property_id)
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key_set", &self.api_key_encrypted.is_some())
            .field("qloapps_hotel_id", &self.qloapps_hotel_id)
            .field("language_id", &self.language_id)
            .field("sync_enabled", &self.sync_enabled)
            .field(
                "recreate_refused_extensions",
                &self.recreate_refused_extensions,
            )
            .finish_non_exhaustive()
    }
}

/// Why a config does not sync now; `None` from [`QloappsConfig::not_syncing`] when it does.
/// The SQL form of the same rule is `db::qloapps_config::SYNCING`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotSyncing {
    #[error("sync is disabled for this config")]
    SyncDisabled,
    #[error("the property's channel manager is '{0}'")]
    ChannelManager(super::ChannelManager),
}

impl QloappsConfig {
    /// A config syncs when it is enabled and its property's active channel manager is QloApps.
    pub fn not_syncing(&self, property: &super::Property) -> Option<NotSyncing> {
        if !self.sync_enabled {
            Some(NotSyncing::SyncDisabled)
        } else if property.active_channel_manager != super::ChannelManager::Qloapps {
            Some(NotSyncing::ChannelManager(property.active_channel_manager))
        } else {
            None
        }
    }

    /// The plain API key, or `None` when none is stored.
    pub fn decrypt_api_key(&self, keys: &KeyRing) -> Result<Option<SecretString>, CryptoError> {
        self.api_key_encrypted
            .as_deref()
            .map(|stored| keys.decrypt(stored, &api_key_context(self.id.0)))
            .transpose()
    }
}

/// What is stored for a new API key: the ciphertext and the last 4 characters shown back.
pub fn seal_api_key(
    keys: &KeyRing,
    config_id: ConfigId,
    api_key: &str,
) -> Result<(String, String), CryptoError> {
    let encrypted = keys.encrypt(api_key, &api_key_context(config_id.0))?;
    let chars: Vec<char> = api_key.chars().collect();
    let last4: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    Ok((encrypted, last4))
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomTypeMapping {
    pub id: Uuid,
    pub config_id: ConfigId,
    pub property_id: PropertyId,
    pub local_room_type_id: RoomTypeId,
    pub qloapps_room_type_id: QloRoomTypeId,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReservationMapping {
    pub id: Uuid,
    pub config_id: ConfigId,
    pub property_id: PropertyId,
    pub local_reservation_id: ReservationId,
    pub qloapps_booking_id: QloOrderId,
    /// Room line of a pulled multi-line order; "" for pushed reservations.
    pub qloapps_line_key: String,
    pub last_pushed_hash: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// While the reservation moves to a new QloApps order (a refused stay change pushed as
    /// cancel-and-recreate, docs/pushes.md), the order it leaves; null otherwise.
    pub replacing_order_id: Option<QloOrderId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

text_enum!(
    SyncDirection {
        /// QloApps to PMS (pulls)
        Inbound => "inbound",
        /// PMS to QloApps (pushes)
        Outbound => "outbound",
    }
);

text_enum!(
    SyncStatus {
        Running => "running",
        Completed => "completed",
        Failed => "failed",
    }
);

text_enum!(
    /// What happened to one item in the sync log.
    SyncOutcome {
        Created => "created",
        Updated => "updated",
        Cancelled => "cancelled",
        Skipped => "skipped",
        Failed => "failed",
        /// the other side's newer change won; both versions are in `details`
        Conflict => "conflict",
    }
);

/// One sync run (`qloapps_sync_state`).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    pub id: Uuid,
    pub config_id: ConfigId,
    /// e.g. "full", "incremental"
    pub sync_type: String,
    pub direction: SyncDirection,
    pub operation: String,
    pub status: SyncStatus,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub items_processed: i32,
    pub items_created: i32,
    pub items_updated: i32,
    pub items_skipped: i32,
    pub items_failed: i32,
    pub duration_ms: Option<i32>,
    pub success: Option<bool>,
    pub error_message: Option<String>,
    pub last_sync_error: Option<String>,
    pub last_successful_sync: Option<DateTime<Utc>>,
    /// Raw QloApps `date_upd` of the newest order seen (shop-local time).
    pub watermark: Option<String>,
}

/// One item of the per-item sync log (`qloapps_sync_log`).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncLogEntry {
    pub id: i64,
    pub config_id: ConfigId,
    pub sync_state_id: Option<Uuid>,
    pub direction: SyncDirection,
    pub operation: String,
    pub entity_type: String,
    pub local_entity_id: Option<Uuid>,
    pub qloapps_entity_id: Option<i64>,
    pub success: bool,
    pub outcome: SyncOutcome,
    pub message: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

text_enum!(
    /// How a reservation stands with one QloApps config.
    SyncStanding {
        /// QloApps has the reservation as the PMS last pushed it
        InSync => "in_sync",
        /// QloApps refused the last push (`reason` says why); the two sides differ
        OutOfSync => "out_of_sync",
        /// not pushed yet, or a push is on its way
        Pending => "pending",
    }
);

/// A reservation's standing with one of its property's QloApps configs.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReservationSync {
    pub config_id: ConfigId,
    pub status: SyncStanding,
    pub qloapps_order_id: Option<QloOrderId>,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// QloApps' reason for refusing, first, when out of sync
    pub reason: Option<String>,
    /// when QloApps first refused, while out of sync
    pub since: Option<DateTime<Utc>>,
}

/// A reservation QloApps refused to take as the PMS holds it (`qloapps_out_of_sync`).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutOfSyncReservation {
    pub config_id: ConfigId,
    pub reservation_id: ReservationId,
    pub qloapps_order_id: Option<QloOrderId>,
    pub reason: String,
    pub attempts: i32,
    pub first_failed_at: DateTime<Utc>,
    pub last_failed_at: DateTime<Utc>,
}

/// An order a pull could not apply, kept until a pull applies it or an operator discards it
/// (`qloapps_pull_failures`).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullFailure {
    pub config_id: ConfigId,
    pub qloapps_order_id: QloOrderId,
    /// why the last attempt failed
    pub reason: String,
    pub attempts: i32,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// the first pull after this retries it (sooner after a room-type mapping change)
    pub next_retry_at: DateTime<Utc>,
    /// the pull run that last failed it
    pub last_run_id: Option<Uuid>,
    /// set when an operator discarded it: no longer retried, unless it fails again
    pub discarded_at: Option<DateTime<Utc>>,
    pub discard_reason: Option<String>,
}
