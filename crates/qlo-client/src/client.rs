//! [`QloClient`]: construction and the helpers the operations in `ops/` share.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::broadcast;

use crate::circuit_breaker::{
    BreakerState, BreakerTransition, CircuitBreaker, InMemoryCircuitBreaker,
};
use crate::config::{ClientConfig, ConfigError, Endpoint};
use crate::error::Error;
use crate::models::orders::ShopConfiguration;
use crate::rate_limit::{Gcra, RateLimiter};
use crate::retry;
use crate::transport::{HttpExec, Request, ReqwestExec, Response, Transport};

/// A QloApps webservice client for one shop. Cheap to clone; clones share the limiter, the
/// breaker and the connection pool.
#[derive(Clone)]
pub struct QloClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: ClientConfig,
    pub transport: Transport,
    /// Order state ids and time zone as last read: pushes use this copy; pulls read them afresh
    /// every time (`PS_TIMEZONE` can change) and refresh it.
    pub shop: std::sync::RwLock<Option<ShopConfiguration>>,
}

impl std::fmt::Debug for QloClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QloClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Builds a [`QloClient`] with other limiter / breaker implementations (e.g. shared ones).
pub struct QloClientBuilder {
    config: ClientConfig,
    limiter: Option<Arc<dyn RateLimiter>>,
    breaker: Option<Arc<dyn CircuitBreaker>>,
    http: Option<Arc<dyn HttpExec>>,
}

impl QloClientBuilder {
    /// Uses this rate limiter instead of an in-memory [`Gcra`].
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Uses this breaker instead of an [`InMemoryCircuitBreaker`].
    pub fn circuit_breaker(mut self, breaker: Arc<dyn CircuitBreaker>) -> Self {
        self.breaker = Some(breaker);
        self
    }

    #[cfg(test)]
    pub(crate) fn http(mut self, http: Arc<dyn HttpExec>) -> Self {
        self.http = Some(http);
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<QloClient, ConfigError> {
        let config = self.config;
        config.validate()?;
        let endpoint = Endpoint::parse(&config.base_url)?;
        let http: Arc<dyn HttpExec> = match self.http {
            Some(http) => http,
            None => Arc::new(ReqwestExec::new(config.api_key.clone())?),
        };
        let limiter = self
            .limiter
            .unwrap_or_else(|| Arc::new(Gcra::new(config.rate_limit)));
        let breaker = self
            .breaker
            .unwrap_or_else(|| Arc::new(InMemoryCircuitBreaker::new(config.breaker)));
        let transport = Transport {
            endpoint,
            language_id: config.language_id,
            timeout: config.timeout,
            retry: config.retry,
            limiter,
            breaker,
            http,
        };
        Ok(QloClient {
            inner: Arc::new(Inner {
                config,
                transport,
                shop: std::sync::RwLock::new(None),
            }),
        })
    }
}

impl QloClient {
    /// A client with the in-memory rate limiter and circuit breaker.
    pub fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        Self::builder(config).build()
    }

    /// A builder, to plug in shared limiter / breaker implementations.
    pub fn builder(config: ClientConfig) -> QloClientBuilder {
        QloClientBuilder {
            config,
            limiter: None,
            breaker: None,
            http: None,
        }
    }

    /// The configuration (the key stays redacted in `Debug`).
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The circuit breaker guarding this client.
    pub fn circuit_breaker(&self) -> &Arc<dyn CircuitBreaker> {
        &self.inner.transport.breaker
    }

    /// The rate limiter this client draws tokens from.
    pub fn rate_limiter(&self) -> &Arc<dyn RateLimiter> {
        &self.inner.transport.limiter
    }

    /// The breaker's current state.
    pub async fn circuit_state(&self) -> BreakerState {
        self.inner.transport.breaker.state().await
    }

    /// Breaker transitions, when the breaker publishes them (the in-memory one does).
    pub fn breaker_transitions(&self) -> Option<broadcast::Receiver<BreakerTransition>> {
        self.inner.transport.breaker.subscribe()
    }

    pub(crate) async fn send(&self, request: &Request) -> Result<Response, Error> {
        self.inner.transport.send(request).await
    }

    /// Runs a write whose outcome may be unknown (timeout, dropped connection, 5xx) without
    /// ever repeating it blindly: after an unknown outcome, `verify` reads QloApps back and its
    /// `Some` is adopted as the result; only when the effect is absent is the write sent again.
    pub(crate) async fn write_confirmed<T, W, WF, V, VF>(
        &self,
        operation: &str,
        mut write: W,
        mut verify: V,
    ) -> Result<T, Error>
    where
        W: FnMut() -> WF,
        WF: Future<Output = Result<T, Error>>,
        V: FnMut() -> VF,
        VF: Future<Output = Result<Option<T>, Error>>,
    {
        let config = self.inner.config.retry;
        let mut retry = 0;
        loop {
            let err = match write().await {
                Ok(done) => return Ok(done),
                Err(err) if err.is_outcome_unknown() => err,
                Err(err) => return Err(err),
            };
            // A PHP-warning 500 comes after PHP finished; anything else (timeout, dropped
            // connection, gateway 5xx) may leave the request still running on the server, so
            // give it time before looking.
            let finished = matches!(err, Error::PhpError { .. });
            if !finished {
                tokio::time::sleep(retry::backoff(&config, retry)).await;
            }
            tracing::info!(operation, error = %err, "write outcome unknown; reading QloApps back");
            if let Some(found) = verify().await? {
                tracing::info!(operation, "write found applied after an unknown outcome");
                return Ok(found);
            }
            if retry >= config.max_retries {
                return Err(Error::Unconfirmed {
                    operation: operation.to_owned(),
                    detail: format!("{err}; the change was not found when read back"),
                });
            }
            tracing::warn!(
                operation,
                retry = retry + 1,
                "write not applied; sending it again"
            );
            if finished {
                tokio::time::sleep(retry::backoff(&config, retry)).await;
            }
            retry += 1;
        }
    }
}

/// `[a|b|c]`: the OR filter of QloApps (the transport percent-encodes it).
pub(crate) fn any_of<T: ToString>(values: &[T]) -> String {
    let joined = values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("|");
    format!("[{joined}]")
}

/// `[f1,f2]`: a `display` list.
pub(crate) fn display(fields: &[&str]) -> String {
    format!("[{}]", fields.join(","))
}

/// Ids per batched read: a page of 100 fits one call; bigger lists are split so URLs stay short.
pub(crate) const BATCH: usize = 200;

/// Rejects a value QloApps' filter syntax cannot carry (`[`, `]`, `|`, `,` would change the
/// filter's meaning; `%` would turn it into a LIKE).
pub(crate) fn filter_value<'a>(
    resource: &str,
    what: &str,
    value: &'a str,
) -> Result<&'a str, Error> {
    let bad = value.is_empty()
        || value.chars().count() > 255
        || value
            .chars()
            .any(|c| matches!(c, '[' | ']' | '|' | ',' | '%') || c.is_control());
    if bad {
        return Err(Error::Encode {
            resource: resource.to_owned(),
            message: format!(
                "{what} must be 1 to 255 characters without [ ] | , % or control characters"
            ),
        });
    }
    Ok(value)
}
