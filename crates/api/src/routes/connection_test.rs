//! `POST /api/v1/settings/channel-managers/test`: calls QloApps with the config's decrypted
//! key and reports what works. Failures are answers (200, `ok: false`), not API errors: the
//! request itself succeeded in testing.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use qlo_client::{ClientConfig, ConnectionReport, QloClient};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sync_core::domain::{ConfigId, QloappsConfig};
use sync_core::shared::limiter::PgRateLimiter;
use utoipa::ToSchema;

use super::qloapps_configs::require_config;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TestConnection {
    pub config_id: ConfigId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TestFailureKind {
    /// the config has no API key
    NoApiKey,
    /// the stored key cannot be decrypted with the configured keys
    KeyUnreadable,
    /// the base URL or another setting cannot work
    InvalidConfig,
    /// QloApps rejected the key (unknown, inactive, malformed)
    Unauthorized,
    /// the key may not call the webservice root
    Forbidden,
    /// the key works but lacks resources the sync needs (see missingPermissions)
    MissingPermissions,
    /// no webservice at this URL
    NotFound,
    /// connection refused, DNS or TLS failure
    Unreachable,
    Timeout,
    RateLimited,
    CircuitOpen,
    /// QloApps answered 5xx
    ServerError,
    /// QloApps answered something the client did not understand
    UnexpectedResponse,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestFailure {
    pub kind: TestFailureKind,
    /// safe to show: never contains the key
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestConnectionResult {
    pub config_id: ConfigId,
    pub ok: bool,
    pub failure: Option<TestFailure>,
    /// PSWS-Version header, e.g. "1.6.1.23"
    pub qloapps_version: Option<String>,
    /// required resources the key may not use
    pub missing_permissions: Vec<String>,
    /// resources the key may use
    pub resources: Vec<String>,
    pub latency_ms: u64,
    pub tested_at: DateTime<Utc>,
}

/// Tests the config's URL and key against QloApps (`GET /` of the webservice).
#[utoipa::path(post, path = "/api/v1/settings/channel-managers/test", tag = "settings",
    request_body = TestConnection,
    responses((status = 200, body = TestConnectionResult), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn test_connection(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TestConnection>,
) -> Result<Json<TestConnectionResult>, ApiError> {
    let config = require_config(&state.pool, body.config_id).await?;
    let started = Instant::now();
    let outcome = run_test(&state, &config).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let result = match outcome {
        Ok(report) => from_report(config.id, report),
        Err(failure) => TestConnectionResult {
            config_id: config.id,
            ok: false,
            failure: Some(failure),
            qloapps_version: None,
            missing_permissions: Vec::new(),
            resources: Vec::new(),
            latency_ms,
            tested_at: Utc::now(),
        },
    };
    tracing::info!(config_id = %config.id, ok = result.ok, kind = ?result.failure.as_ref().map(|f| f.kind), "connection tested");
    Ok(Json(result))
}

async fn run_test(
    state: &AppState,
    config: &QloappsConfig,
) -> Result<ConnectionReport, TestFailure> {
    let client = interactive_client(state, config)?;
    let report = client.test_connection().await.map_err(|e| TestFailure {
        kind: kind_of(&e),
        message: e.to_string(),
    })?;
    Ok(report)
}

/// A client for an operator waiting on the answer: the stored key, one attempt, the short
/// test timeout, the config's shared rate limit.
pub(super) fn interactive_client(
    state: &AppState,
    config: &QloappsConfig,
) -> Result<QloClient, TestFailure> {
    let fail = |kind, message: String| TestFailure { kind, message };
    let key = match config.decrypt_api_key(&state.keys) {
        Ok(Some(key)) => key,
        Ok(None) => {
            return Err(fail(
                TestFailureKind::NoApiKey,
                "the config has no API key".into(),
            ))
        }
        Err(e) => {
            tracing::error!(config_id = %config.id, error = %e, "stored QloApps key cannot be decrypted");
            return Err(fail(
                TestFailureKind::KeyUnreadable,
                format!("{e}; enter the key again"),
            ));
        }
    };
    let hotel_id = config.qloapps_hotel_id.as_u32().unwrap_or_default();
    let mut client_config =
        ClientConfig::new(config.base_url.clone(), key.expose_secret(), hotel_id);
    client_config.language_id = u32::try_from(config.language_id).unwrap_or(1);
    client_config.timeout = state.http.test_connection_timeout;
    // an interactive probe: one attempt, the operator sees the real failure at once
    client_config.retry.max_retries = 0;
    // the probe counts against the config's rate limit, shared with the workers
    let rate_limit = state.clients.settings().rate_limit;
    let limiter = PgRateLimiter::new(state.pool.clone(), config.id.0, rate_limit);
    QloClient::builder(client_config)
        .rate_limiter(Arc::new(limiter))
        .build()
        .map_err(|e| fail(TestFailureKind::InvalidConfig, e.to_string()))
}

fn from_report(config_id: ConfigId, report: ConnectionReport) -> TestConnectionResult {
    let failure = (!report.missing.is_empty()).then(|| TestFailure {
        kind: TestFailureKind::MissingPermissions,
        message: format!("the key may not use: {}", report.missing.join(", ")),
    });
    TestConnectionResult {
        config_id,
        ok: failure.is_none(),
        failure,
        qloapps_version: report.version,
        missing_permissions: report.missing,
        resources: report.resources,
        latency_ms: u64::try_from(report.latency.as_millis()).unwrap_or(u64::MAX),
        tested_at: Utc::now(),
    }
}

pub(super) fn kind_of(error: &qlo_client::Error) -> TestFailureKind {
    use qlo_client::Error as E;
    match error {
        E::Config(_) => TestFailureKind::InvalidConfig,
        E::Unauthorized { .. } => TestFailureKind::Unauthorized,
        E::Forbidden { .. } => TestFailureKind::Forbidden,
        E::NotFound { .. } => TestFailureKind::NotFound,
        E::RateLimited { .. } => TestFailureKind::RateLimited,
        E::Unavailable { .. } | E::PhpError { .. } => TestFailureKind::ServerError,
        E::CircuitOpen { .. } => TestFailureKind::CircuitOpen,
        E::Timeout { .. } => TestFailureKind::Timeout,
        E::Network { .. } => TestFailureKind::Unreachable,
        _ => TestFailureKind::UnexpectedResponse,
    }
}
