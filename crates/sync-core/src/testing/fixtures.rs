//! Test fixtures shared with other crates' tests (feature `test-support`): a PMS property whose
//! QloApps config points at a (simulated) shop, with its room types mapped.

use sqlx::PgPool;
use uuid::Uuid;

use crate::crypto::KeyRing;
use crate::db;
use crate::domain::property::NewProperty;
use crate::domain::qloapps::seal_api_key;
use crate::domain::room_type::NewRoomType;
use crate::domain::{ConfigId, PropertyId, RoomTypeId};

/// What [`mapped_property`] created.
#[derive(Debug, Clone)]
pub struct MappedProperty {
    pub property: PropertyId,
    pub config: ConfigId,
    /// PMS room types mapped to QloApps room types 1, 2, ... in that order.
    pub room_types: Vec<RoomTypeId>,
}

/// A property (USD, UTC) with `room_types` PMS room types mapped to QloApps room types
/// `1..=room_types` of `hotel_id`, and an enabled config for `base_url` whose API key is sealed
/// with `keys`. Panics on failure: it is test set-up.
pub async fn mapped_property(
    pool: &PgPool,
    keys: &KeyRing,
    base_url: &str,
    api_key: &str,
    hotel_id: i32,
    room_types: i32,
) -> MappedProperty {
    let property = db::properties::insert_property(
        pool,
        &NewProperty {
            name: "Hotel Prime".into(),
            timezone: "UTC".into(),
            currency: "USD".into(),
        },
    )
    .await
    .expect("property");
    let config = ConfigId(Uuid::new_v4());
    let new = db::qloapps_config::NewConfig {
        id: config,
        property_id: property.id,
        name: "QloApps".into(),
        base_url: base_url.to_owned(),
        api_key: Some(seal_api_key(keys, config, api_key).expect("sealed key")),
        qloapps_hotel_id: hotel_id,
        language_id: 1,
        sync_enabled: true,
        recreate_refused_extensions: false,
    };
    db::qloapps_config::insert_config(pool, &new)
        .await
        .expect("config");
    let mut mapped = Vec::new();
    for i in 1..=room_types {
        let new = NewRoomType {
            code: format!("RT{i}"),
            name: format!("Room type {i}"),
            description: None,
            total_rooms: 5,
            max_adults: 4,
            max_children: 2,
        };
        let room_type = db::room_types::insert_room_type(pool, property.id, &new)
            .await
            .expect("room type")
            .id;
        let mapping = db::qloapps_room_type_mappings::NewRoomTypeMapping {
            config_id: config,
            property_id: property.id,
            local_room_type_id: room_type,
            qloapps_room_type_id: i,
            is_active: true,
        };
        db::qloapps_room_type_mappings::insert_mapping(pool, &mapping)
            .await
            .expect("room type mapping");
        mapped.push(room_type);
    }
    MappedProperty {
        property: property.id,
        config,
        room_types: mapped,
    }
}
