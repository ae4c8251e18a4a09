//! `/api/v1` routes, one module per resource.

use axum::http::{Request, Uri};
use axum::Router;
use tracing::Span;

use crate::error::ApiError;
use crate::state::AppState;

pub mod activity;
pub mod booking_events;
pub mod channel_managers;
pub mod connection_test;
pub mod dlq;
pub mod dlq_selection;
pub mod guests;
pub mod health;
pub mod inventory;
pub mod out_of_sync;
pub mod properties;
pub mod pull_failures;
pub mod qloapps_configs;
pub mod qloapps_room_types;
pub mod queue_depths;
pub mod reconcile;
pub mod reconcile_jobs;
pub mod reservations;
pub mod reservations_input;
pub mod room_type_mappings;
pub mod room_types;
pub mod session;
pub mod sync;

/// Every `/api/v1` route (relative to `/api/v1`); `startup::app` adds authentication.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(properties::router())
        .merge(room_types::router())
        .merge(guests::router())
        .merge(reservations::router())
        .merge(inventory::router())
        .merge(qloapps_configs::router())
        .merge(room_type_mappings::router())
        .merge(sync::router())
        .merge(out_of_sync::router())
        .merge(pull_failures::router())
        .merge(booking_events::router())
        .merge(reconcile::router())
        .merge(reconcile_jobs::router())
        .merge(channel_managers::router())
        .merge(dlq::router())
        .merge(queue_depths::router())
        .merge(session::router())
        .merge(activity::router())
        .merge(qloapps_room_types::router())
        .route(
            "/openapi.json",
            axum::routing::get(crate::openapi::openapi_json),
        )
}

pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound {
        entity: "route",
        id: uri.path().to_owned(),
    }
}

/// One span per request, carrying the request id (never headers: they hold the token).
pub fn request_span<B>(request: &Request<B>) -> Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id,
        // filled by crate::trace_context::propagate
        trace_id = tracing::field::Empty,
    )
}
