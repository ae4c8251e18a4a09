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

use crate::http_server::ServerLimits;
use crate::readiness::{self, Heartbeat};
use sync_core::config::{parse_or, ConfigError};
use sync_queue::queue::BrokerStatus;

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
    /// The scheduler's loop and the longest pause between its ticks that is still ready.
    heartbeat: Option<(Heartbeat, Duration)>,
}

/// The bound ops listener; `run` serves it until cancelled.
pub struct OpsServer {
    listener: TcpListener,
    state: OpsState,
    limits: ServerLimits,
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
                heartbeat: None,
            },
            limits: ServerLimits::default(),
        })
    }

    /// `/ready` also answers 503 while `broker` is down (the consumer lost RabbitMQ and is
    /// reconnecting); `/health` stays 200.
    pub fn with_broker(mut self, broker: BrokerStatus) -> Self {
        self.state.broker = Some(broker);
        self
    }

    /// `/ready` also answers 503 while `heartbeat` has not beaten for `max_age` (the
    /// scheduler's loop is stuck or cannot list the configs).
    pub fn with_heartbeat(mut self, heartbeat: Heartbeat, max_age: Duration) -> Self {
        self.state.heartbeat = Some((heartbeat, max_age));
        self
    }

    /// Serve with these limits (`HTTP_HEADER_READ_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS`) instead
    /// of the defaults.
    pub fn with_limits(mut self, limits: ServerLimits) -> OpsServer {
        self.limits = limits;
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
        crate::http_server::serve(self.listener, app, self.limits, cancel).await
    }
}

async fn health(State(state): State<OpsState>) -> Json<Value> {
    Json(json!({"status": "ok", "process": state.process}))
}

/// Every component's state (see `crate::readiness`) and whether they add up to ready.
async fn readiness(state: &OpsState) -> (bool, Value) {
    let mut checks = vec![("database", readiness::database(&state.pool).await)];
    if let Some(broker) = &state.broker {
        checks.extend(readiness::broker(broker));
    }
    if let Some((heartbeat, max_age)) = &state.heartbeat {
        checks.push(("scheduler_tick", heartbeat.check(*max_age)));
    }
    let (ready, mut body) = readiness::summarise(state.process, &checks, &[]);
    // the summary fields of earlier versions, kept for the scripts that read them
    body["database"] = body["checks"]["database"].clone();
    if let Some(broker) = &state.broker {
        body["broker"] = json!(if broker.is_connected() {
            "ok"
        } else {
            "not connected"
        });
    }
    (ready, body)
}

async fn ready(State(state): State<OpsState>) -> (StatusCode, Json<Value>) {
    let (ready, body) = readiness(&state).await;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

async fn metrics(State(state): State<OpsState>) -> impl IntoResponse {
    // qlosync_ready follows the same checks as /ready
    let _ = readiness(&state).await;
    state.metrics.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::process_metrics::with_process_metrics(state.metrics.render()),
    )
}

#[cfg(test)]
mod tests {
    //! The ops listener over real sockets: a GET with a body is answered on a connection that
    //! stays usable, a client that never sends its headers is cut off, and connections past
    //! the limit wait while the others are served.

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;

    const PATIENCE: Duration = Duration::from_secs(20);

    async fn start(limits: ServerLimits) -> (SocketAddr, CancellationToken) {
        // /health and /metrics never touch the database; a lazy pool never connects
        let pool = sqlx::PgPool::connect_lazy("postgres://postgres@127.0.0.1:5432/postgres")
            .expect("lazy pool");
        let server = OpsServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)), "test", pool)
            .await
            .expect("binds")
            .with_limits(limits);
        let addr = server.local_addr().expect("address");
        let cancel = CancellationToken::new();
        tokio::spawn(server.run(cancel.clone()));
        (addr, cancel)
    }

    /// Sends `request` and reads one answer's head (the bodies here are small).
    async fn exchange(stream: &mut TcpStream, request: &[u8]) -> String {
        stream.write_all(request).await.expect("writes");
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        let read = async {
            loop {
                let n = stream.read(&mut chunk).await.expect("reads");
                assert!(n > 0, "closed before an answer");
                buffer.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buffer);
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if body.len() >= length {
                        return head.to_owned();
                    }
                }
            }
        };
        tokio::time::timeout(PATIENCE, read)
            .await
            .expect("answered in time")
    }

    const HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

    #[tokio::test]
    async fn a_get_with_a_body_is_answered_and_silent_clients_are_cut_off() {
        let limits = ServerLimits {
            header_read_timeout: Duration::from_millis(300),
            max_connections: 16,
        };
        let (addr, cancel) = start(limits).await;
        let mut stream = TcpStream::connect(addr).await.expect("connects");
        let body = "x".repeat(48 * 1024);
        let request = format!(
            "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let head = exchange(&mut stream, request.as_bytes()).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let head = exchange(&mut stream, HEALTH).await;
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "the connection is kept: {head}"
        );

        let mut silent = TcpStream::connect(addr).await.expect("connects");
        let mut sink = Vec::new();
        let closed = tokio::time::timeout(PATIENCE, silent.read_to_end(&mut sink)).await;
        assert!(closed.is_ok(), "a client that sends nothing is cut off");
        cancel.cancel();
    }

    #[tokio::test]
    async fn connections_past_the_limit_wait_for_a_free_place() {
        let limits = ServerLimits {
            header_read_timeout: Duration::from_secs(60),
            max_connections: 1,
        };
        let (addr, cancel) = start(limits).await;
        let mut first = TcpStream::connect(addr).await.expect("connects");
        assert!(exchange(&mut first, HEALTH)
            .await
            .starts_with("HTTP/1.1 200"));
        let mut second = TcpStream::connect(addr).await.expect("connects (backlog)");
        second.write_all(HEALTH).await.expect("writes");
        let mut byte = [0u8; 1];
        let early = tokio::time::timeout(Duration::from_millis(500), second.read(&mut byte)).await;
        assert!(
            early.is_err(),
            "the second connection is served past the limit"
        );
        assert!(exchange(&mut first, HEALTH)
            .await
            .starts_with("HTTP/1.1 200"));
        drop(first);
        let late = tokio::time::timeout(PATIENCE, second.read(&mut byte)).await;
        assert!(matches!(late, Ok(Ok(1))), "served once the first closed");
        cancel.cancel();
    }
}
