//! Serving a router on a listener, for every HTTP listener qlosync runs (the api and the
//! workers' ops servers), with limits against slow and too many clients: a client has
//! `HTTP_HEADER_READ_TIMEOUT_MS` to send a request's headers (the first one, and each next one
//! on a kept-alive connection) or its connection is closed; at most `HTTP_MAX_CONNECTIONS`
//! connections are served at once, further ones wait in the listen backlog until one closes.
//! HTTP/1.1 only (no one speaks cleartext HTTP/2 to these listeners).
//!
//! The body of a request whose handler does not read it (a GET with a body) is read and
//! dropped after the answer, up to [`UNREAD_BODY_LIMIT`] bytes, so the connection stays usable
//! and the client reads the answer instead of a connection reset.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::Router;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

use sync_core::config::{parse_or, ConfigError};

/// The most of an unread request body that is drained so its connection can be kept.
pub const UNREAD_BODY_LIMIT: usize = 1024 * 1024;

/// Limits of one listener (`HTTP_HEADER_READ_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a client has to send a request's headers.
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

impl ServerLimits {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = ServerLimits::default();
        let timeout_ms: u64 = parse_or(
            env,
            "HTTP_HEADER_READ_TIMEOUT_MS",
            u64::try_from(defaults.header_read_timeout.as_millis()).unwrap_or(10_000),
        )?;
        if timeout_ms == 0 {
            return Err(ConfigError::new(
                "HTTP_HEADER_READ_TIMEOUT_MS",
                "must be at least 1",
            ));
        }
        let max_connections: usize =
            parse_or(env, "HTTP_MAX_CONNECTIONS", defaults.max_connections)?;
        if max_connections == 0 {
            return Err(ConfigError::new(
                "HTTP_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        Ok(ServerLimits {
            header_read_timeout: Duration::from_millis(timeout_ms),
            max_connections,
        })
    }
}

/// Serves `router` on `listener` until `shutdown` is cancelled, then stops accepting, closes
/// idle connections and lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let connections = TaskTracker::new();
    loop {
        let permit = tokio::select! {
            () = shutdown.cancelled() => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // out of file descriptors and the like: wait rather than spin
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let _permit = permit;
            serve_connection(stream, router, limits, shutdown).await;
        });
    }
    connections.close();
    connections.wait().await;
    Ok(())
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    router: Router,
    limits: ServerLimits,
    shutdown: CancellationToken,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let router = router.clone();
        async move {
            let (parts, incoming) = request.into_parts();
            let shared = SharedBody(Arc::new(std::sync::Mutex::new(Some(incoming))));
            let left = shared.0.clone();
            let request = Request::from_parts(parts, Body::new(shared));
            let response = router.oneshot(request).await;
            drain(&left, limits.header_read_timeout).await;
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection closed with an error");
            }
        }
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

type Shared = Arc<std::sync::Mutex<Option<Incoming>>>;

/// The request body as the handler sees it: it reads through to the connection's, which stays
/// here for [`drain`] when the handler leaves it unread.
struct SharedBody(Shared);

impl http_body::Body for SharedBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let mut body = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match body.as_mut() {
            Some(body) => Pin::new(body).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        let body = self.0.lock().unwrap_or_else(|e| e.into_inner());
        body.as_ref().is_none_or(http_body::Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let body = self.0.lock().unwrap_or_else(|e| e.into_inner());
        body.as_ref()
            .map_or_else(|| SizeHint::with_exact(0), http_body::Body::size_hint)
    }
}

/// Reads what the handler left of the body (at most [`UNREAD_BODY_LIMIT`] bytes, for at most
/// `patience`) and drops it. hyper gives up a connection whose request body is unread, and
/// closing a socket with unread bytes makes the kernel send a reset that can destroy the
/// answer before the client reads it (a GET with a body would see "connection reset").
async fn drain(left: &Shared, patience: Duration) {
    let body = left.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(body) = body.filter(|b| !http_body::Body::is_end_stream(b)) else {
        return;
    };
    let limited = http_body_util::Limited::new(body, UNREAD_BODY_LIMIT);
    let _ = tokio::time::timeout(patience, limited.collect()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(pairs: &[(&str, &str)]) -> Result<ServerLimits, ConfigError> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ServerLimits::from_env(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn limits_have_defaults_and_refuse_zero_or_garbage_naming_the_variable() {
        assert_eq!(limits(&[]).expect("defaults"), ServerLimits::default());
        assert_eq!(
            limits(&[
                ("HTTP_HEADER_READ_TIMEOUT_MS", "250"),
                ("HTTP_MAX_CONNECTIONS", "3")
            ])
            .expect("set"),
            ServerLimits {
                header_read_timeout: Duration::from_millis(250),
                max_connections: 3
            }
        );
        for (name, value) in [
            ("HTTP_HEADER_READ_TIMEOUT_MS", "0"),
            ("HTTP_HEADER_READ_TIMEOUT_MS", "soon"),
            ("HTTP_MAX_CONNECTIONS", "0"),
            ("HTTP_MAX_CONNECTIONS", "-1"),
        ] {
            let error = limits(&[(name, value)]).expect_err(value);
            assert!(error.to_string().contains(name), "{name}={value}: {error}");
        }
    }
}
