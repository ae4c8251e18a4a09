//! The settings page's channel-manager endpoints (README "The console", "Channel manager"): status from
//! the database, test connection through `qlo-client`, and switch.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sync_core::config::process_env;
use sync_core::db::qloapps_sync_state::RunKind;
use sync_core::db::{properties, qloapps_config, qloapps_pull_failures, qloapps_sync_state};
use sync_core::domain::{ChannelManager, ConfigId, PropertyId, QloHotelId, SyncState};
use sync_core::qlo_clients::ClientSettings;
use sync_core::shared::limiter::PgRateLimiter;
use utoipa::{IntoParams, ToSchema};

use super::properties::require_property;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Correlation};
use crate::state::AppState;

pub use super::connection_test::{
    test_connection, TestConnection, TestConnectionResult, TestFailure, TestFailureKind,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/channel-managers", get(get_status))
        .route("/settings/channel-managers/test", post(test_connection))
        .route("/settings/channel-managers/switch", post(switch))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelManagerStatus {
    pub property_id: PropertyId,
    pub active_channel_manager: ChannelManager,
    pub available_channel_managers: Vec<ChannelManager>,
    /// the property's QloApps configs
    pub qloapps: Vec<QloappsStatus>,
    /// set by a switch to 'qloapps': pushes queued for the reservations QloApps may not have
    /// as they stand (changed while the channel manager was off, or never pushed)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catch_up_pushes: Option<usize>,
    /// set by a switch to 'qloapps': one background reconciliation per syncing config of the
    /// bookings changed while the channel manager was off, fixed
    /// (`GET /api/v1/qloapps/configs/{configId}/reconcile/jobs/{jobId}`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catch_up_reconcile_jobs: Option<Vec<super::reconcile_jobs::CatchUpJob>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QloappsStatus {
    pub config_id: ConfigId,
    pub name: String,
    pub base_url: String,
    pub qloapps_hotel_id: QloHotelId,
    pub sync_enabled: bool,
    pub api_key_set: bool,
    pub api_key_last4: Option<String>,
    /// the newest sync run of any kind (a pull, a push, a booking event, a reconciliation)
    pub last_sync: Option<SyncState>,
    /// the newest full or incremental pull: its `status`, `success` and `completedAt` tell
    /// whether pulls still run
    pub last_pull: Option<SyncState>,
    /// the newest push (reservation, rates or availability)
    pub last_push: Option<SyncState>,
    /// the newest rate / availability reconciliation (dry runs included)
    pub last_reconcile: Option<SyncState>,
    /// QloApps orders pulls could not apply, still retried (`GET .../pull-failures`)
    pub pull_failures: i64,
    /// changes written but not yet published to the queue
    pub pending_messages: i64,
    /// when the oldest of the pending messages was written
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// the QloApps circuit breaker shared by the workers: closed (calls go through), open
    /// (calls fail fast until `circuitOpenUntil`) or halfOpen (a probe is allowed)
    pub circuit: CircuitState,
    pub circuit_open_until: Option<DateTime<Utc>>,
    /// consecutive failed QloApps calls the breaker has counted
    pub consecutive_failures: i32,
    /// QloApps calls that may go at once right now: at most the burst (`QLOAPPS_RATE_BURST`, a
    /// tenth of the limit by default), fewer as it is spent, negative while callers wait
    pub rate_limit_available: f64,
    /// the limit's size: calls per `rateLimitPeriodMs` (QLOAPPS_RATE_LIMIT_*)
    pub rate_limit_capacity: u32,
    pub rate_limit_period_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum CircuitState {
    Closed,
    Open,
    HalfOpen,
}

/// The breaker row of `config_id` (closed when the workers never wrote one) and the outbox
/// backlog's oldest row.
struct Health {
    circuit: CircuitState,
    open_until: Option<DateTime<Utc>>,
    failures: i32,
    oldest_pending_at: Option<DateTime<Utc>>,
}

async fn health_of(pool: &sqlx::PgPool, config_id: ConfigId) -> Result<Health, sqlx::Error> {
    let breaker = sync_core::shared::breaker::standing(pool, config_id).await?;
    let oldest = sync_core::db::outbox::oldest_unsent(pool, config_id).await?;
    let (state, open_until, failures) = breaker.unwrap_or(("CLOSED".to_owned(), None, 0));
    let circuit = match state.as_str() {
        "OPEN" => CircuitState::Open,
        "HALF_OPEN" => CircuitState::HalfOpen,
        _ => CircuitState::Closed,
    };
    Ok(Health {
        circuit,
        open_until,
        failures,
        oldest_pending_at: oldest,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    #[param(value_type = uuid::Uuid)]
    pub property_id: PropertyId,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SwitchChannelManager {
    pub property_id: PropertyId,
    pub channel_manager: ChannelManager,
}

/// The property's active channel manager and the state of its QloApps configs.
#[utoipa::path(get, path = "/api/v1/settings/channel-managers", tag = "settings", params(StatusQuery),
    responses((status = 200, body = ChannelManagerStatus), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_status(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> Result<Json<ChannelManagerStatus>, ApiError> {
    Ok(Json(status_of(&state, query.property_id).await?))
}

/// Sets the property's active channel manager. With 'none', PMS changes are no longer queued
/// for QloApps; switching back to 'qloapps' queues a push of every reservation changed since
/// its last sync or never pushed (`catchUpPushes`), and per syncing config a background
/// reconciliation (fixed) of the bookings changed while it was off on either side
/// (`catchUpReconcileJobs`).
#[utoipa::path(post, path = "/api/v1/settings/channel-managers/switch", tag = "settings",
    request_body = SwitchChannelManager,
    responses((status = 200, body = ChannelManagerStatus), (status = 422, body = ErrorBody)))]
pub async fn switch(
    State(state): State<AppState>,
    Correlation(correlation): Correlation,
    ApiJson(body): ApiJson<SwitchChannelManager>,
) -> Result<Json<ChannelManagerStatus>, ApiError> {
    let mut tx = state.pool.begin().await?;
    let before = properties::lock_property(&mut *tx, body.property_id)
        .await?
        .ok_or_else(|| ApiError::field("propertyId", "no such property"))?;
    properties::set_channel_manager(&mut *tx, body.property_id, body.channel_manager).await?;
    let switched_on = body.channel_manager == ChannelManager::Qloapps
        && before.active_channel_manager != ChannelManager::Qloapps;
    let catch_up = if switched_on {
        let queued =
            sync_core::outbox::enqueue_catch_up(&mut tx, body.property_id, Some(&correlation))
                .await?;
        crate::telemetry::record_enqueued("reservation.update", queued);
        Some(queued)
    } else {
        None
    };
    tx.commit().await?;
    tracing::info!(property_id = %body.property_id, channel_manager = %body.channel_manager,
        catch_up_pushes = catch_up.unwrap_or(0), "channel manager switched");
    let jobs = if switched_on {
        Some(super::reconcile_jobs::catch_up_reconcile(&state, body.property_id).await?)
    } else {
        None
    };
    let mut status = status_of(&state, body.property_id).await?;
    status.catch_up_pushes = catch_up;
    status.catch_up_reconcile_jobs = jobs;
    Ok(Json(status))
}

async fn status_of(
    state: &AppState,
    property_id: PropertyId,
) -> Result<ChannelManagerStatus, ApiError> {
    let property = require_property(&state.pool, property_id).await?;
    let limit = ClientSettings::from_env(&process_env)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("QLOAPPS_* settings")))?
        .rate_limit;
    let mut qloapps = Vec::new();
    for config in qloapps_config::list_configs(&state.pool, Some(property_id)).await? {
        let health = health_of(&state.pool, config.id).await?;
        let rate_limit_available = PgRateLimiter::new(state.pool.clone(), config.id.0, limit)
            .available()
            .await?;
        qloapps.push(QloappsStatus {
            oldest_pending_at: health.oldest_pending_at,
            circuit: health.circuit,
            circuit_open_until: health.open_until,
            consecutive_failures: health.failures,
            rate_limit_available,
            rate_limit_capacity: limit.capacity,
            rate_limit_period_ms: u64::try_from(limit.period.as_millis()).unwrap_or(u64::MAX),
            last_sync: qloapps_sync_state::latest_run(&state.pool, config.id).await?,
            last_pull: qloapps_sync_state::latest_run_of(&state.pool, config.id, RunKind::Pull)
                .await?,
            last_push: qloapps_sync_state::latest_run_of(&state.pool, config.id, RunKind::Push)
                .await?,
            last_reconcile: qloapps_sync_state::latest_run_of(
                &state.pool,
                config.id,
                RunKind::Reconcile,
            )
            .await?,
            pull_failures: qloapps_pull_failures::count_open(&state.pool, config.id).await?,
            pending_messages: sync_core::db::outbox::count_unsent(&state.pool, config.id).await?,
            config_id: config.id,
            name: config.name,
            base_url: config.base_url,
            qloapps_hotel_id: config.qloapps_hotel_id,
            sync_enabled: config.sync_enabled,
            api_key_set: config.api_key_encrypted.is_some(),
            api_key_last4: config.api_key_last4,
        });
    }
    Ok(ChannelManagerStatus {
        property_id,
        active_channel_manager: property.active_channel_manager,
        available_channel_managers: ChannelManager::ALL.to_vec(),
        qloapps,
        catch_up_pushes: None,
        catch_up_reconcile_jobs: None,
    })
}
