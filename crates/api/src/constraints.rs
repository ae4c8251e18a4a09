//! Maps constraint violations to client errors (docs/architecture.md, "Conventions": unique-constraint violations mapped
//! to 409/422 by a small on_constraint helper). Handlers validate first; this covers races
//! and anything validation missed, so the database stays the last word.

use sync_core::db::violated_constraint;

use crate::error::ApiError;

/// Unique constraints: the same thing exists already.
const CONFLICTS: &[(&str, &str)] = &[
    (
        "room_types_property_code_key",
        "a room type with this code already exists in the property",
    ),
    (
        "qloapps_config_property_hotel_key",
        "the property already has a config for this QloApps hotel at this URL",
    ),
    (
        "qloapps_room_type_mappings_local_key",
        "this room type is already mapped in this config",
    ),
    (
        "qloapps_room_type_mappings_remote_key",
        "this QloApps room type is already mapped in this config",
    ),
    (
        "qloapps_reservation_mappings_local_key",
        "this reservation is already mapped in this config",
    ),
    (
        "qloapps_reservation_mappings_remote_key",
        "this QloApps booking line is already mapped in this config",
    ),
];

/// Foreign keys and checks violated by an insert or update: a bad field.
const FIELDS: &[(&str, &str, &str)] = &[
    (
        "reservations_room_type_fkey",
        "roomTypeId",
        "no such room type in this property",
    ),
    (
        "reservations_guest_fkey",
        "guestId",
        "no such guest in this property",
    ),
    (
        "reservations_check_out_after_check_in",
        "checkOut",
        "must be after checkIn",
    ),
    (
        "qloapps_room_type_mappings_room_type_fkey",
        "localRoomTypeId",
        "no such room type in the config's property",
    ),
    (
        "qloapps_config_property_id_fkey",
        "propertyId",
        "no such property",
    ),
];

pub fn map_violation(error: &sqlx::Error) -> Option<ApiError> {
    let name = violated_constraint(error)?;
    if let Some((_, message)) = CONFLICTS.iter().find(|(c, _)| *c == name) {
        return Some(ApiError::Conflict((*message).to_owned()));
    }
    FIELDS
        .iter()
        .find(|(c, _, _)| *c == name)
        .map(|(_, field, problem)| ApiError::field(*field, *problem))
}

/// Whether the error is a foreign-key violation: on a delete, the row is still in use.
pub fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "23503")
}
