//! What every handler shares.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use sync_core::qlo_clients::QloClients;

use crate::auth::ApiTokens;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub keys: Arc<KeyRing>,
    pub tokens: Arc<ApiTokens>,
    pub metrics: PrometheusHandle,
    pub http: Arc<HttpPolicy>,
    /// The dead-letter queue tools (`/api/v1/dlq`); `None` without `RABBITMQ_URL`.
    pub dlq: Option<Arc<sync_queue::dlq::DeadLetterQueue>>,
    /// The outbox relay's link and loop, for `/ready`; `None` without `RABBITMQ_URL` (or in
    /// tests that run no relay).
    pub relay: Option<sync_queue::queue::BrokerStatus>,
    /// QloApps clients with the process's `QLOAPPS_*` settings (read once, at start) and the
    /// PostgreSQL-shared limiter and breaker.
    pub clients: Arc<QloClients>,
}

/// Request policies the router applies.
#[derive(Debug, Clone)]
pub struct HttpPolicy {
    pub cors_allowed_origins: Vec<HeaderValue>,
    pub body_limit_bytes: usize,
    /// Overall time limit of `POST /settings/channel-managers/test`.
    pub test_connection_timeout: Duration,
    /// The built console (`API_CONSOLE_DIR`) served at `/`; `None` when it is not there.
    pub console_dir: Option<PathBuf>,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        HttpPolicy {
            cors_allowed_origins: Vec::new(),
            body_limit_bytes: 65_536,
            test_connection_timeout: Duration::from_secs(10),
            console_dir: None,
        }
    }
}
