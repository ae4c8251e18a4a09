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
    /// "ok", or "unavailable" when a dependency the api needs does not answer
    pub status: &'static str,
    /// PostgreSQL: "ok" or the failure (without secrets)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// `/ready` only: every component, "ok" or the failure in words: `database`,
    /// `broker_connection`, `broker_channel` and `outbox_relay`. Only `database` makes the api
    /// unready: while RabbitMQ or the relay is down the api still takes writes into the outbox
    /// (docs/queues.md), so it stays in the load balancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<std::collections::BTreeMap<String, String>>,
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "operations", security(()),
    responses((status = 200, body = HealthStatus)))]
pub async fn health() -> Json<HealthStatus> {
    Json(HealthStatus {
        status: "ok",
        database: None,
        checks: None,
    })
}

/// Components that `/ready` reports but that do not make the api unready: it keeps accepting
/// writes into the outbox while the broker or the relay is away.
const INFORMATIONAL: &[&str] = &["broker_connection", "broker_channel", "outbox_relay"];

/// Every component's state and whether the api is ready (see `HealthStatus::checks`).
async fn readiness(state: &AppState) -> (bool, HealthStatus) {
    let database = qlosync_service::readiness::database(&state.pool).await;
    if let Err(problem) = &database {
        tracing::warn!(%problem, "readiness check: database failed");
    }
    let mut checks = vec![("database", database)];
    match &state.relay {
        Some(relay) => {
            let [connection, channel, running] = qlosync_service::readiness::broker(relay);
            checks.push(connection);
            checks.push(channel);
            checks.push(("outbox_relay", running.1.map_err(|_| "stopped".to_owned())));
        }
        None => checks.push((
            "outbox_relay",
            Err("not running (no RABBITMQ_URL)".to_owned()),
        )),
    }
    let (ready, body) = qlosync_service::readiness::summarise("api", &checks, INFORMATIONAL);
    let components = body["checks"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let status = HealthStatus {
        status: if ready { "ok" } else { "unavailable" },
        database: Some(match &checks[0].1 {
            Ok(()) => "ok".to_owned(),
            Err(problem) => problem.clone(),
        }),
        checks: Some(components),
    };
    (ready, status)
}

/// PostgreSQL answers (503 when not); the broker link and the outbox relay are reported in
/// `checks` without making the api unready.
#[utoipa::path(get, path = "/ready", tag = "operations", security(()),
    responses((status = 200, body = HealthStatus), (status = 503, body = HealthStatus)))]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<HealthStatus>) {
    let (ready, body) = readiness(&state).await;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(()),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    // qlosync_ready{process="api"} follows the same checks as /ready
    let _ = readiness(&state).await;
    state.metrics.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        qlosync_service::process_metrics::with_process_metrics(state.metrics.render()),
    )
}
