//! Liveness, readiness and metrics: outside `/api/v1`, no token (probes and Prometheus).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    /// "ok", or "unavailable" when a dependency does not answer
    pub status: &'static str,
    /// Per dependency: "ok" or the failure (without secrets)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "operations", security(()),
    responses((status = 200, body = HealthStatus)))]
pub async fn health() -> Json<HealthStatus> {
    Json(HealthStatus {
        status: "ok",
        database: None,
    })
}

/// PostgreSQL answers.
#[utoipa::path(get, path = "/ready", tag = "operations", security(()),
    responses((status = 200, body = HealthStatus), (status = 503, body = HealthStatus)))]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<HealthStatus>) {
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        sqlx::query("SELECT 1").execute(&state.pool),
    )
    .await;
    match check {
        Ok(Ok(_)) => (
            StatusCode::OK,
            Json(HealthStatus {
                status: "ok",
                database: Some("ok".into()),
            }),
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(HealthStatus {
                    status: "unavailable",
                    database: Some("not reachable".into()),
                }),
            )
        }
        Err(_) => {
            let body = HealthStatus {
                status: "unavailable",
                database: Some("timed out after 3 s".into()),
            };
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(()),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    state.metrics.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
