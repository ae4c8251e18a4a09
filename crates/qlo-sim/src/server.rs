//! The accept loop and the `SimServer` handle.
//!
//! A hand-written hyper loop (rather than `axum::serve`) lets a handler close its own TCP
//! connection without answering: the connection task drops the connection when the
//! handler reports `Outcome::Drop`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::body::Body;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

use crate::auth::Settings;
use crate::config::{KeyConfig, SimConfig};
use crate::dispatch::{self, Ctx, Outcome};
use crate::faults::FaultInjector;
use crate::log::{LoggedRequest, RequestCounts, RequestLog};
use crate::state::{Shop, SimState};

/// A running simulator. Dropping it stops the server too.
pub struct SimServer {
    addr: SocketAddr,
    api_key: String,
    ctx: Ctx,
    shutdown: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl SimServer {
    /// Builds the demo shop and starts serving on `config.listen`.
    pub async fn start(config: SimConfig) -> anyhow::Result<SimServer> {
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding the simulator to {}", config.listen))?;
        Self::start_on(listener, config).await
    }

    /// Starts on an already bound listener (the address in `config.listen` is ignored).
    pub async fn start_on(listener: TcpListener, config: SimConfig) -> anyhow::Result<SimServer> {
        let addr = listener.local_addr().context("reading the bound address")?;
        let shop = Shop::demo(&config)?;
        let mut keys = vec![KeyConfig {
            key: config.api_key.clone(),
            resources: config.api_key_resources.clone(),
        }];
        keys.extend(config.extra_keys.iter().cloned());
        let ctx = Ctx {
            state: SimState::new(shop),
            faults: FaultInjector::default(),
            log: RequestLog::default(),
            settings: Arc::new(Settings::new(keys, config.stock_php8, config.latency)),
        };
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(accept_loop(listener, ctx.clone(), shutdown.clone()));
        tracing::info!(%addr, "qlo-sim listening");
        Ok(SimServer {
            addr,
            api_key: config.api_key,
            ctx,
            shutdown,
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/api`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// `http://127.0.0.1:PORT/webservice/dispatcher.php`.
    pub fn dispatcher_url(&self) -> String {
        format!("http://{}/webservice/dispatcher.php", self.addr)
    }

    /// `http://127.0.0.1:PORT/__sim`, the admin API.
    pub fn admin_url(&self) -> String {
        format!("http://{}/__sim", self.addr)
    }

    /// The main key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The shop: read it or change it directly.
    pub fn state(&self) -> &SimState {
        &self.ctx.state
    }

    /// Fault injection.
    pub fn faults(&self) -> &FaultInjector {
        &self.ctx.faults
    }

    /// Stock QloApps 1.6.1 on PHP 8: booking POST/PUT write then answer 500, and
    /// `GET bookings/{id}` answers 500.
    pub fn set_stock_php8(&self, on: bool) {
        self.ctx.settings.set_stock_php8(on);
    }

    /// Latency added to every webservice request.
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.ctx.settings.set_latency(latency);
    }

    /// Adds (or replaces) a key, optionally restricted to some resources.
    pub fn add_key(&self, key: KeyConfig) {
        self.ctx.settings.put_key(key);
    }

    /// Every logged webservice request (admin calls are not logged).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.ctx.log.entries()
    }

    /// Counts by (resource, method).
    pub fn request_counts(&self) -> RequestCounts {
        self.ctx.log.counts()
    }

    /// Requests for one resource and method.
    pub fn request_count(&self, resource: &str, method: &str) -> u64 {
        self.ctx.log.count(resource, method)
    }

    /// The log handle (shared).
    pub fn request_log_handle(&self) -> &RequestLog {
        &self.ctx.log
    }

    pub fn clear_request_log(&self) {
        self.ctx.log.clear();
    }

    /// Stops accepting, closes open connections, waits for the loop to end.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            // The loop ends by itself once cancelled; a join error only means it panicked.
            let _ = task.await;
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn accept_loop(listener: TcpListener, ctx: Ctx, shutdown: CancellationToken) {
    let admin = crate::admin::router(ctx.clone());
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, _) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let ctx = ctx.clone();
        let admin = admin.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            serve_connection(stream, ctx, admin, shutdown).await;
        });
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    ctx: Ctx,
    admin: axum::Router,
    shutdown: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    // A handler that wants the connection gone sends on this channel; the connection future
    // is then dropped, which closes the socket without writing a response.
    let (drop_tx, drop_rx) = oneshot::channel::<()>();
    let drop_tx = Arc::new(std::sync::Mutex::new(Some(drop_tx)));
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let ctx = ctx.clone();
        let admin = admin.clone();
        let drop_tx = drop_tx.clone();
        async move {
            let req = req.map(Body::new);
            if req.uri().path().starts_with("/__sim") {
                let resp = admin.oneshot(req).await.unwrap_or_else(|e| match e {});
                return Ok::<Response<Body>, Infallible>(resp);
            }
            match dispatch::handle(&ctx, req).await {
                Outcome::Respond(resp) => Ok(resp),
                Outcome::Drop => {
                    if let Some(tx) = drop_tx.lock().unwrap_or_else(|e| e.into_inner()).take() {
                        let _ = tx.send(());
                    }
                    // Never answer: the connection is dropped while this future is pending.
                    std::future::pending::<()>().await;
                    Ok(Response::new(Body::empty()))
                }
            }
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = conn => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = drop_rx => tracing::debug!("dropping a connection on purpose"),
        _ = shutdown.cancelled() => {}
    }
}
