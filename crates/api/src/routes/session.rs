//! `GET /session`: what the caller's token may do, so the console can hide what it cannot.

use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Role;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/session", get(get_session))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// `admin` (one of API_TOKENS) or `readOnly` (one of API_READONLY_TOKENS: GET only)
    pub role: Role,
    /// whether this token may send anything but GET
    pub can_write: bool,
}

/// The role of the bearer token of this request.
#[utoipa::path(get, path = "/api/v1/session", tag = "settings",
    responses((status = 200, body = SessionView)))]
pub async fn get_session(Extension(role): Extension<Role>) -> Json<SessionView> {
    Json(SessionView {
        role,
        can_write: role == Role::Admin,
    })
}
