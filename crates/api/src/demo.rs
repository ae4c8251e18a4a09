//! `api demo-setup`: the demo property, its QloApps config (pointing at `qlo-sim` or any
//! QloApps), four room types mapped to the QloApps demo room types 1-4, and a guest. Running it
//! again finds what exists and creates only what is missing.

use anyhow::Context;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use sync_core::db;
use sync_core::domain::property::NewProperty;
use sync_core::domain::qloapps::seal_api_key;
use sync_core::domain::room_type::NewRoomType;
use sync_core::domain::{ConfigId, GuestId, PropertyId, RoomTypeId};

pub const DEMO_PROPERTY: &str = "qlosync demo hotel";
const ROOM_TYPES: [(&str, &str); 4] = [
    ("GENERAL", "General Rooms"),
    ("DELUX", "Delux Rooms"),
    ("EXECUTIVE", "Executive Rooms"),
    ("LUXURY", "Luxury Rooms"),
];

/// Where the demo's QloApps is.
#[derive(Debug, Clone)]
pub struct DemoTarget {
    pub qloapps_url: String,
    pub api_key: String,
    pub hotel_id: i32,
    /// The QloApps shop is new: drop the state that described the old one.
    pub fresh_qloapps: bool,
}

/// What exists after a run (ids only; no secret).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoIds {
    pub property_id: PropertyId,
    pub config_id: ConfigId,
    pub room_type_ids: Vec<RoomTypeId>,
    pub guest_id: GuestId,
}

pub async fn ensure_demo(
    pool: &PgPool,
    keys: &KeyRing,
    target: &DemoTarget,
) -> anyhow::Result<DemoIds> {
    let mut tx = pool.begin().await?;
    // one demo setup at a time, so two concurrent runs cannot both create the property
    db::advisory_lock::lock_xact(&mut tx, db::advisory_lock::LockKey::DemoSetup).await?;
    let property = match db::properties::list_properties(&mut *tx)
        .await?
        .into_iter()
        .find(|p| p.name == DEMO_PROPERTY)
    {
        Some(p) => p,
        None => {
            let new = NewProperty {
                name: DEMO_PROPERTY.into(),
                timezone: "UTC".into(),
                currency: "USD".into(),
            };
            db::properties::insert_property(&mut *tx, &new).await?
        }
    };
    let existing = db::room_types::list_room_types(&mut *tx, property.id).await?;
    let mut room_type_ids = Vec::new();
    for (code, name) in ROOM_TYPES {
        let id = match existing.iter().find(|rt| rt.code == code) {
            Some(rt) => rt.id,
            None => {
                let new = NewRoomType {
                    code: code.into(),
                    name: name.into(),
                    description: None,
                    total_rooms: 5,
                    max_adults: 2,
                    max_children: 2,
                };
                db::room_types::insert_room_type(&mut *tx, property.id, &new)
                    .await?
                    .id
            }
        };
        room_type_ids.push(id);
    }
    let config_id = ensure_config(&mut tx, keys, property.id, target).await?;
    if target.fresh_qloapps {
        sync_core::shop_state::forget(&mut tx, config_id)
            .await
            .context("forgetting the old QloApps shop")?;
    }
    let mappings = db::qloapps_room_type_mappings::list_mappings(&mut *tx, config_id).await?;
    for (i, room_type) in room_type_ids.iter().enumerate() {
        if !mappings.iter().any(|m| m.local_room_type_id == *room_type) {
            let new = db::qloapps_room_type_mappings::NewRoomTypeMapping {
                config_id,
                property_id: property.id,
                local_room_type_id: *room_type,
                qloapps_room_type_id: i32::try_from(i + 1).unwrap_or(1),
                is_active: true,
            };
            db::qloapps_room_type_mappings::insert_mapping(&mut *tx, &new).await?;
        }
    }
    let guest_id = ensure_guest(&mut tx, property.id).await?;
    tx.commit().await?;
    Ok(DemoIds {
        property_id: property.id,
        config_id,
        room_type_ids,
        guest_id,
    })
}

async fn ensure_config(
    tx: &mut sqlx::PgConnection,
    keys: &KeyRing,
    property_id: PropertyId,
    target: &DemoTarget,
) -> anyhow::Result<ConfigId> {
    let configs = db::qloapps_config::list_configs(&mut *tx, Some(property_id)).await?;
    if let Some(config) = configs
        .into_iter()
        .find(|c| c.base_url == target.qloapps_url)
    {
        // the simulator's key or the encryption key may be new (a fresh state directory on a
        // database kept from an earlier run): store the key the demo uses now
        let stored = config.decrypt_api_key(keys).ok().flatten();
        if stored.as_ref().map(ExposeSecret::expose_secret) != Some(target.api_key.as_str()) {
            let sealed = seal_api_key(keys, config.id, &target.api_key)
                .context("encrypting the demo QloApps key")?;
            let patch = db::qloapps_config::ConfigPatch {
                api_key: Some(Some(sealed)),
                sync_enabled: Some(true),
                ..Default::default()
            };
            db::qloapps_config::update_config(&mut *tx, config.id, &patch).await?;
            tracing::info!(config_id = %config.id, "demo config: QloApps key replaced");
        }
        return Ok(config.id);
    }
    let id = ConfigId::generate();
    let sealed =
        seal_api_key(keys, id, &target.api_key).context("encrypting the demo QloApps key")?;
    let new = db::qloapps_config::NewConfig {
        id,
        property_id,
        name: "QloApps demo".into(),
        base_url: target.qloapps_url.clone(),
        api_key: Some(sealed),
        qloapps_hotel_id: target.hotel_id,
        language_id: 1,
        sync_enabled: true,
        recreate_refused_extensions: false,
    };
    Ok(db::qloapps_config::insert_config(&mut *tx, &new).await?.id)
}

/// A fresh simulator numbers its orders from 1 again: mappings to the old shop's orders (and
/// its rules, holds, breaker and limiter state) would collide with the new ones.
async fn ensure_guest(
    tx: &mut sqlx::PgConnection,
    property_id: PropertyId,
) -> anyhow::Result<GuestId> {
    let email = "demo.guest@example.com";
    let found = db::guests::find_by_email(&mut *tx, property_id, email).await?;
    if let Some(id) = found {
        return Ok(id);
    }
    let new = sync_core::domain::guest::NewGuest {
        first_name: "Demo".into(),
        last_name: "Guest".into(),
        email: Some(email.into()),
        phone: Some("+1 555 0100".into()),
        possible_duplicate: false,
    };
    Ok(db::guests::insert_guest(&mut *tx, property_id, &new)
        .await?
        .id)
}
