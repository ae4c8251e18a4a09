//! What a rate or availability sync of one PMS room type works on, and the lock that
//! serialises such syncs across every process.

use qlo_client::QloClient;
use sqlx::{PgPool, Postgres, Transaction};

use crate::db;
use crate::db::advisory_lock::LockKey;
use crate::domain::{ConfigId, QloappsConfig, RoomType, RoomTypeId};
use crate::qlo_clients::QloClients;
use crate::sync_error::SyncError;

/// A config, a mapped PMS room type and the client to reach its QloApps.
pub struct Target {
    pub config: QloappsConfig,
    pub room_type: RoomType,
    /// The property's currency (what PMS rates are in).
    pub currency: String,
    pub qlo_room_type: u64,
    pub client: QloClient,
}

/// A sync either has something to work on or a reason to do nothing.
pub enum Loaded {
    Ready(Box<Target>),
    /// Nothing to sync; `recordable` when the config still exists (a run can be logged).
    Skip {
        reason: &'static str,
        recordable: bool,
    },
}

pub async fn load(
    pool: &PgPool,
    clients: &QloClients,
    config_id: ConfigId,
    room_type_id: RoomTypeId,
) -> Result<Loaded, SyncError> {
    let skip = |reason, recordable| Ok(Loaded::Skip { reason, recordable });
    let Some(config) = db::qloapps_config::get_config(pool, config_id).await? else {
        return skip("the QloApps config no longer exists", false);
    };
    if !config.sync_enabled {
        return skip("sync is disabled for this config", true);
    }
    let Some(room_type) = db::room_types::get_room_type(pool, room_type_id).await? else {
        return skip("the room type no longer exists", true);
    };
    // An unmapped room type is one the hotel does not sell on QloApps: nothing to push, and
    // not an error (unlike a reservation in it, which could not be honoured).
    let Some(mapping) =
        db::qloapps_room_type_mappings::find_by_room_type(pool, config_id, room_type_id).await?
    else {
        return skip("the room type is not mapped to a QloApps room type", true);
    };
    let currency = db::properties::get_property(pool, room_type.property_id)
        .await?
        .map(|p| p.currency)
        .unwrap_or_default();
    let client = clients.client(&config).await?;
    Ok(Loaded::Ready(Box::new(Target {
        qlo_room_type: mapping.qloapps_room_type_id.get(),
        config,
        room_type,
        currency,
        client,
    })))
}

/// Takes the advisory lock `key` (the room type's rate or availability runs) for the life of
/// the returned transaction (commit or drop it to release; the server releases it if the
/// process dies).
/// Writes go through the pool, not this transaction, so each is committed at once.
pub async fn lock(
    pool: &PgPool,
    key: LockKey,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    db::advisory_lock::lock_xact(&mut tx, key).await?;
    Ok(tx)
}
