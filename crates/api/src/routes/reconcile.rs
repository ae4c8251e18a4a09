//! `POST /api/v1/qloapps/configs/{configId}/reconcile`: compares what QloApps would sell and
//! charge per night with the PMS and reports the drift per room type and night; with
//! `"dryRun": false` it also fixes it (the same rate and availability services the outbound
//! worker runs, reading QloApps first). Runs in the request: a year of one hotel takes about
//! 25 s on a real QloApps (mostly `hotel_ari`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{Days, NaiveDate, Utc};
use serde::Deserialize;
use sync_core::config::process_env;
use sync_core::domain::ConfigId;
use sync_core::qlo_clients::{ClientSettings, QloClients};
use sync_core::reconcile::{ReconcileReport, ReconcileRequest, ReconcileService};
use sync_core::sync_error::SyncError;
use utoipa::ToSchema;

use super::qloapps_configs::require_config;
use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::extract::{opt_date, ApiJson, ApiPath};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new().route("/qloapps/configs/{configId}/reconcile", post(reconcile))
}

/// Nights compared when the body names none: today and the 364 after.
const DEFAULT_NIGHTS: u64 = 365;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReconcileBody {
    /// true (default): only report; false: fix the drift, then report what was found and done
    pub dry_run: Option<bool>,
    /// first night, YYYY-MM-DD; default today
    #[serde(default, deserialize_with = "opt_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// last night (included), YYYY-MM-DD; default 364 nights after `from`; at most 366 nights
    #[serde(default, deserialize_with = "opt_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

/// Compares QloApps with the PMS for every mapped room type of the config, night by night
/// (availability: rooms QloApps would sell vs the PMS limit; rates: QloApps' room price
/// excluding tax and auto-added services vs the PMS rate), and fixes the drift unless
/// `dryRun`. 409 when fixing a config whose sync is disabled or that cannot reach QloApps
/// (no key); 502 when QloApps fails, 503 while its circuit is open.
#[utoipa::path(post, path = "/api/v1/qloapps/configs/{configId}/reconcile", tag = "qloapps",
    request_body = ReconcileBody, params(("configId" = uuid::Uuid, Path)),
    responses((status = 200, body = ReconcileReport), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn reconcile(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiJson(body): ApiJson<ReconcileBody>,
) -> Result<Json<ReconcileReport>, Failure> {
    let from = body.from.unwrap_or_else(|| Utc::now().date_naive());
    let to = body.to.unwrap_or_else(|| {
        from.checked_add_days(Days::new(DEFAULT_NIGHTS - 1))
            .unwrap_or(from)
    });
    let mut p = Problems::new();
    p.night_range(("from", from), ("to", to));
    p.finish()?;
    require_config(&state.pool, config_id).await?;
    let settings = ClientSettings::from_env(&process_env)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("QLOAPPS_* settings")))?;
    let resilience = sync_core::shared_resilience::factory(state.pool.clone());
    let clients = Arc::new(QloClients::new(
        state.keys.clone(),
        settings,
        Some(resilience),
    ));
    let request = ReconcileRequest {
        from,
        to,
        dry_run: body.dry_run.unwrap_or(true),
    };
    let report = ReconcileService::new(state.pool.clone(), clients)
        .reconcile(config_id, request)
        .await
        .map_err(Failure::from)?;
    Ok(Json(report))
}

/// An api error, or QloApps failing (502 / 503 with the same error body).
#[derive(Debug)]
pub enum Failure {
    Api(ApiError),
    Upstream {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Self {
        let upstream = |status, code, message| Failure::Upstream {
            status,
            code,
            message,
        };
        match e {
            SyncError::ConfigNotFound(id) => ApiError::not_found("QloApps config", id).into(),
            SyncError::SyncDisabled(_) => ApiError::Conflict(
                "sync is disabled for this config: enable it to fix drift, or ask for a dry run"
                    .to_owned(),
            )
            .into(),
            SyncError::NoApiKey(_) | SyncError::BadConfig { .. } | SyncError::Crypto(_) => {
                ApiError::Conflict(e.to_string()).into()
            }
            SyncError::Db(db) => ApiError::from(db).into(),
            SyncError::Qlo(q @ qlo_client::Error::CircuitOpen { .. }) => upstream(
                StatusCode::SERVICE_UNAVAILABLE,
                "upstream_unavailable",
                q.to_string(),
            ),
            // QloApps' errors never carry the key (qlo_client::Error)
            other => upstream(
                StatusCode::BAD_GATEWAY,
                "upstream_failed",
                other.to_string(),
            ),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Api(e) => e.into_response(),
            Failure::Upstream {
                status,
                code,
                message,
            } => {
                tracing::warn!(%status, %message, "reconciliation failed on QloApps");
                let body = ErrorBody {
                    error: ErrorDetail {
                        code: code.to_owned(),
                        message,
                        fields: Vec::new(),
                    },
                };
                (status, Json(body)).into_response()
            }
        }
    }
}
