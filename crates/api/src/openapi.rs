//! The OpenAPI document of every endpoint and error body, served at `/api/v1/openapi.json`.

use std::sync::OnceLock;

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail, FieldError};
use crate::routes::{
    booking_events, channel_managers, connection_test, dlq, guests, health, inventory, out_of_sync,
    properties, pull_failures, qloapps_configs, reconcile, reservations, room_type_mappings,
    room_types, sync,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "qlosync API", description = "PMS resources, QloApps settings and sync operations. \
        Every /api/v1 route needs `Authorization: Bearer <token>`. Errors have the body \
        {\"error\": {\"code\", \"message\", \"fields\": [{\"field\", \"problem\"}]}}."),
    paths(
        health::health, health::ready, health::metrics,
        properties::create_property, properties::list_properties, properties::get_property, properties::update_property,
        room_types::create_room_type, room_types::list_room_types, room_types::get_room_type,
        room_types::update_room_type, room_types::delete_room_type,
        guests::create_guest, guests::list_guests, guests::get_guest, guests::update_guest,
        reservations::create_reservation, reservations::list_reservations, reservations::get_reservation,
        reservations::update_reservation, reservations::cancel_reservation,
        inventory::set_availability, inventory::get_availability, inventory::set_rates, inventory::get_rates,
        qloapps_configs::create_config, qloapps_configs::list_configs, qloapps_configs::get_config,
        qloapps_configs::update_config, qloapps_configs::delete_config,
        room_type_mappings::create_mapping, room_type_mappings::list_mappings, room_type_mappings::get_mapping,
        room_type_mappings::update_mapping, room_type_mappings::delete_mapping,
        sync::request_sync, sync::list_sync_state, sync::list_sync_log, sync::list_reservation_mappings,
        out_of_sync::list_out_of_sync,
        pull_failures::list_pull_failures, pull_failures::discard_pull_failure,
        booking_events::notify_booking,
        reconcile::reconcile,
        channel_managers::get_status, connection_test::test_connection, channel_managers::switch,
        dlq::list_dead_letters, dlq::replay_dead_letters, dlq::discard_dead_letters,
        openapi_json,
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldError)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "pms", description = "properties, room types, guests, reservations, availability, rates"),
        (name = "qloapps", description = "QloApps configs, mappings, sync requests, sync state and log, pull failures"),
        (name = "settings", description = "the settings page: channel-manager status, test, switch"),
        (name = "operations", description = "health, readiness, metrics (no token)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("one of API_TOKENS"))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    Json(DOC.get_or_init(ApiDoc::openapi).clone())
}
