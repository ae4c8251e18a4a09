//! The OpenAPI document of every endpoint and error body, served at `/api/v1/openapi.json`.

use std::sync::OnceLock;

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail, FieldError};
use crate::idempotency::openapi::IdempotencyKeys;
use crate::routes::{
    activity, booking_events, channel_managers, connection_test, dlq, guests, health, inventory,
    out_of_sync, properties, pull_failures, qloapps_configs, qloapps_room_types, queue_depths,
    reconcile, reconcile_jobs, reservations, room_type_mappings, room_types, session, sync,
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
        reconcile::reconcile, reconcile_jobs::get_job,
        channel_managers::get_status, connection_test::test_connection, channel_managers::switch,
        dlq::list_dead_letters, dlq::replay_dead_letters, dlq::discard_dead_letters,
        dlq::preview_dead_letters, queue_depths::get_queue_depths,
        session::get_session,
        activity::get_activity,
        qloapps_room_types::list_qloapps_room_types,
        openapi_json,
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldError)),
    modifiers(&BearerAuth, &CommonResponses, &IdempotencyKeys),
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

/// The answers any `/api/v1` operation can give besides its own: 401 (no or a wrong token),
/// 403 for writes (a read-only token), 422 for an id in the path that is no UUID, and for a
/// JSON body 400 (malformed), 413 (too large), 415 (not `application/json`).
struct CommonResponses;

/// A response with an `ErrorBody` and this description.
pub(crate) fn error_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build()
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = error_response;
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let operations = [
                (&mut item.get, false),
                (&mut item.put, true),
                (&mut item.post, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (operation, writes) in operations {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let has_body = operation.request_body.is_some();
                let has_path_id =
                    operation.parameters.iter().flatten().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path)
                    });
                let responses = &mut operation.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                };
                add("401", "missing or invalid bearer token");
                if writes {
                    add("403", "the token is read-only (API_READONLY_TOKENS)");
                }
                if has_path_id {
                    add(
                        "422",
                        "an id in the path is not a UUID (the field names it)",
                    );
                }
                if has_body {
                    add("400", "malformed JSON");
                    add("413", "the body is larger than API_BODY_LIMIT_BYTES");
                    add("415", "Content-Type is not application/json");
                }
            }
        }
    }
}

/// The document as pretty JSON (`api openapi`, what `npm run gen:api` reads).
pub fn document_json() -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(&ApiDoc::openapi())?)
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    Json(DOC.get_or_init(ApiDoc::openapi).clone())
}
