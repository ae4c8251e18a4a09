//! Building and running the api: `Application::build` binds the listener and prepares the
//! state; `run_until_stopped` serves until the token is cancelled. `app` is the router alone,
//! for tests that call handlers with `oneshot`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, Method};
use axum::Router;
use qlosync_service::http_server::ServerLimits;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use sync_core::qlo_clients::{ClientSettings, QloClients};
use sync_queue::dlq::DeadLetterQueue;
use sync_queue::queue::Topology;
use sync_queue::relay::OutboxRelay;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::ApiTokens;
use crate::config::Settings;
use crate::state::{AppState, HttpPolicy};

pub struct Application {
    listener: TcpListener,
    limits: ServerLimits,
    state: AppState,
    /// Publishes the outbox; absent when `RABBITMQ_URL` is not set.
    relay: Option<OutboxRelay>,
    /// How often the queue depths are sampled for the console's chart.
    sample_every: Duration,
}

impl Application {
    /// Binds `API_LISTEN_ADDR` (port 0 picks a free port) and prepares a lazily connecting
    /// pool, so the process starts even while PostgreSQL is down (`/ready` says so).
    pub async fn build(settings: &Settings) -> anyhow::Result<Application> {
        let pool = sync_core::db::connect_lazy(&settings.database).context("database settings")?;
        let keys = KeyRing::from_settings(&settings.crypto).context("encryption keys")?;
        let http = HttpPolicy {
            cors_allowed_origins: settings.http.cors_allowed_origins.clone(),
            body_limit_bytes: settings.http.body_limit_bytes,
            test_connection_timeout: Duration::from_millis(
                settings.http.test_connection_timeout_ms,
            ),
            console_dir: console_dir(&settings.http.console_dir),
        };
        let tokens =
            ApiTokens::with_readonly(&settings.http.tokens, &settings.http.readonly_tokens);
        let mut state = with_qloapps(build_state(pool, keys, tokens, http), settings.qloapps);
        state.dlq = settings.rabbitmq_url.as_ref().map(|url| {
            let topology = Topology::new(settings.queue.clone());
            Arc::new(DeadLetterQueue::new(url.expose_secret(), topology))
        });
        let listener = TcpListener::bind(settings.http.listen_addr)
            .await
            .with_context(|| format!("binding {}", settings.http.listen_addr))?;
        let relay = settings.rabbitmq_url.as_ref().map(|url| {
            OutboxRelay::new(
                state.pool.clone(),
                url.expose_secret(),
                Topology::new(settings.queue.clone()),
                settings.relay.clone(),
            )
        });
        state.relay = relay.as_ref().map(OutboxRelay::status);
        crate::telemetry::describe();
        sync_core::metrics_catalog::set_build_info(
            qlosync_build_info::VERSION,
            qlosync_build_info::COMMIT,
        );
        let sample_every =
            crate::queue_samples::interval_from_env(&sync_core::config::process_env)?;
        Ok(Application {
            listener,
            limits: settings.http.limits,
            state,
            relay,
            sample_every,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves (and relays the outbox) until `shutdown` is cancelled, then lets in-flight
    /// requests and the relay's current batch finish.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let address = self.listener.local_addr().context("listener address")?;
        tracing::info!(%address, relay = self.relay.is_some(), "api listening");
        qlosync_service::systemd::started(&shutdown);
        // reconciliation jobs of an api that died are not left "running"
        let pool = self.state.pool.clone();
        tokio::spawn(async move {
            match sync_core::db::qloapps_reconcile_jobs::fail_stale(&pool, None).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(
                    jobs = n,
                    "reconciliation jobs whose process died marked failed"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "could not check for stale reconciliation jobs")
                }
            }
        });
        // a relay that stops on an error (the broker refused the queues) stops the api with it
        let relay = self.relay.map(|relay| {
            let stop_all = shutdown.clone();
            let token = shutdown.child_token();
            tokio::spawn(async move {
                let relayed = relay.run(token).await;
                if relayed.is_err() {
                    stop_all.cancel();
                }
                relayed
            })
        });
        // the queue-depth history of the console's chart (crate::queue_samples)
        let sampler = self.state.dlq.clone().map(|dlq| {
            let pool = self.state.pool.clone();
            let every = self.sample_every;
            tokio::spawn(crate::queue_samples::run(
                pool,
                dlq,
                every,
                shutdown.child_token(),
            ))
        });
        let sweeper = tokio::spawn(crate::idempotency::sweep_expired(
            self.state.pool.clone(),
            Duration::from_secs(3600),
            shutdown.child_token(),
        ));
        let serve_shutdown = shutdown.clone();
        let served = qlosync_service::http_server::serve(
            self.listener,
            app(self.state),
            self.limits,
            serve_shutdown,
        )
        .await
        .context("serving the api");
        // the server can also stop on its own (listener error): stop the relay with it
        shutdown.cancel();
        if let Some(relay) = relay {
            relay
                .await
                .context("outbox relay task")?
                .context("outbox relay")?;
        }
        if let Some(sampler) = sampler {
            sampler.await.context("queue depth sampler task")?;
        }
        sweeper.await.context("idempotency key sweeper task")?;
        served
    }
}

/// `dir` when it holds a built console (`index.html`), else `None`; says which either way.
pub fn console_dir(dir: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    if absolute.join("index.html").is_file() {
        tracing::info!(dir = %absolute.display(), "serving the console at /");
        Some(absolute)
    } else {
        tracing::warn!(
            dir = %absolute.display(),
            "no console here (no index.html; build it with `npm ci && npm run build` in web/, \
             or set API_CONSOLE_DIR): / answers 404, the API is unaffected"
        );
        None
    }
}

/// The handlers' state, with QloApps clients of the default `QLOAPPS_*` settings
/// ([`with_qloapps`] replaces them).
pub fn build_state(pool: PgPool, keys: KeyRing, tokens: ApiTokens, http: HttpPolicy) -> AppState {
    let keys = Arc::new(keys);
    AppState {
        clients: qlo_clients(&pool, &keys, ClientSettings::default()),
        pool,
        keys,
        tokens: Arc::new(tokens),
        metrics: crate::telemetry::prometheus_handle(),
        http: Arc::new(http),
        dlq: None,
        relay: None,
    }
}

/// `state` with QloApps clients of `settings`.
pub fn with_qloapps(mut state: AppState, settings: ClientSettings) -> AppState {
    state.clients = qlo_clients(&state.pool, &state.keys, settings);
    state
}

fn qlo_clients(pool: &PgPool, keys: &Arc<KeyRing>, settings: ClientSettings) -> Arc<QloClients> {
    let resilience = sync_core::shared::resilience::factory(pool.clone());
    Arc::new(QloClients::new(keys.clone(), settings, Some(resilience)))
}

/// The whole router: `/api/v1` behind the bearer check, `/health`, `/ready`, `/metrics`, and
/// the console at `/` when there is one (any other path is the console's `index.html`, so
/// its client-side routes load on refresh).
pub fn app(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let api = crate::routes::api_router()
        .fallback(crate::routes::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::idempotency::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_bearer,
        ));
    let router = Router::new()
        .nest("/api/v1", api)
        .merge(crate::routes::health::router());
    let router = match &state.http.console_dir {
        Some(dir) => {
            let index = ServeFile::new(dir.join("index.html"));
            router.fallback_service(ServeDir::new(dir).fallback(index))
        }
        None => router.fallback(crate::routes::not_found),
    };
    router
        .layer(DefaultBodyLimit::max(state.http.body_limit_bytes))
        .layer(axum::middleware::from_fn(crate::telemetry::track_requests))
        .layer(axum::middleware::from_fn(crate::trace_context::propagate))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::routes::request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .layer(cors(&state.http))
        .with_state(state)
}

fn cors(policy: &HttpPolicy) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(policy.cors_allowed_origins.clone()))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("x-correlation-id"),
            HeaderName::from_static(qlosync_trace_context::HEADER),
            HeaderName::from_static(crate::idempotency::fingerprint::HEADER),
        ])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static(qlosync_trace_context::HEADER),
            HeaderName::from_static(crate::idempotency::fingerprint::REPLAYED_HEADER),
        ])
        .max_age(Duration::from_secs(600))
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received");
}

/// Applies pending migrations (`api migrate`).
/// Creates the database if it does not exist yet, then applies pending migrations; returns a
/// one-connection pool on it.
pub async fn migrate_database(
    database: &sync_core::config::DatabaseSettings,
) -> anyhow::Result<PgPool> {
    use sqlx::migrate::MigrateDatabase;
    let url = database.url.expose_secret();
    if !sqlx::Postgres::database_exists(url)
        .await
        .context("checking the database exists")?
    {
        sqlx::Postgres::create_database(url)
            .await
            .context("creating the database")?;
        tracing::info!("database created");
    }
    let pool = sync_core::db::connect_lazy(&sync_core::config::DatabaseSettings {
        max_connections: 1,
        ..database.clone()
    })?;
    migrate(&pool).await?;
    Ok(pool)
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    sync_core::db::MIGRATOR
        .run(pool)
        .await
        .context("applying migrations")?;
    Ok(())
}
