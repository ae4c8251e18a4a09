//! `/health`, `/ready` and `/metrics` for the processes that have no REST API of their own
//! (the workers and the scheduler), on their own address (`OPS_LISTEN_ADDR`).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{parse_or, ConfigError};
use crate::queue::BrokerStatus;

/// `OPS_LISTEN_ADDR`, with a default per process so they can share a host.
pub fn listen_addr(
    env: &impl Fn(&str) -> Option<String>,
    default_port: u16,
) -> Result<SocketAddr, ConfigError> {
    parse_or(
        env,
        "OPS_LISTEN_ADDR",
        SocketAddr::from(([127, 0, 0, 1], default_port)),
    )
}

#[derive(Clone)]
struct OpsState {
    process: &'static str,
    pool: PgPool,
    metrics: PrometheusHandle,
    /// The consumer's broker link, for the processes that consume a queue.
    broker: Option<BrokerStatus>,
}

/// The bound ops listener; `run` serves it until cancelled.
pub struct OpsServer {
    listener: TcpListener,
    state: OpsState,
}

impl OpsServer {
    pub async fn bind(
        addr: SocketAddr,
        process: &'static str,
        pool: PgPool,
    ) -> std::io::Result<OpsServer> {
        let listener = TcpListener::bind(addr).await?;
        let metrics = crate::telemetry::prometheus_handle();
        Ok(OpsServer {
            listener,
            state: OpsState {
                process,
                pool,
                metrics,
                broker: None,
            },
        })
    }

    /// `/ready` also answers 503 while `broker` is down (the consumer lost RabbitMQ and is
    /// reconnecting); `/health` stays 200.
    pub fn with_broker(mut self, broker: BrokerStatus) -> Self {
        self.state.broker = Some(broker);
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run(self, cancel: CancellationToken) -> std::io::Result<()> {
        let app = Router::new()
            .route("/health", get(health))
            .route("/ready", get(ready))
            .route("/metrics", get(metrics))
            .with_state(self.state);
        axum::serve(self.listener, app)
            .with_graceful_shutdown(async move { cancel.cancelled().await })
            .await
    }
}

async fn health(State(state): State<OpsState>) -> Json<Value> {
    Json(json!({"status": "ok", "process": state.process}))
}

async fn ready(State(state): State<OpsState>) -> (StatusCode, Json<Value>) {
    let check = tokio::time::timeout(
        Duration::from_secs(3),
        sqlx::query("SELECT 1").execute(&state.pool),
    )
    .await;
    let database = match check {
        Ok(Ok(_)) => "ok",
        Ok(Err(_)) => "not reachable",
        Err(_) => "timed out after 3 s",
    };
    let broker = state.broker.as_ref().map(|b| {
        if b.is_connected() {
            "ok"
        } else {
            "not connected"
        }
    });
    let ready = database == "ok" && broker.is_none_or(|b| b == "ok");
    let mut body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "database": database,
    });
    if let Some(broker) = broker {
        body["broker"] = json!(broker);
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

async fn metrics(State(state): State<OpsState>) -> impl IntoResponse {
    state.metrics.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
