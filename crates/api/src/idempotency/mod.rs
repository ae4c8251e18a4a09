//! Idempotency keys on every `/api/v1` POST, on Stripe's contract (README "Idempotency keys"):
//! a POST with `Idempotency-Key: <1-255 printable ASCII>` runs once per key and API token;
//! a retry with the same method, path and body gets the first answer again (status and body,
//! byte for byte, with `Idempotent-Replayed: true`), one with another body a 422, one while the
//! first is still running a 409. Keys live 24 hours; a 5xx answer is not kept, so the client
//! may retry. A POST without the header behaves as it always did.

pub mod fingerprint;
pub mod openapi;

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use crate::error::ApiError;
use crate::state::AppState;
use fingerprint::REPLAYED_HEADER;
use sync_core::db::api_idempotency_keys::{
    self as store, Claim, KeyScope, Lifetimes, StoredResponse,
};

/// The middleware: only POSTs that carry the header are touched.
pub async fn guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if request.method() != Method::POST {
        return Ok(next.run(request).await);
    }
    let Some(key) = fingerprint::key_of(request.headers())? else {
        return Ok(next.run(request).await);
    };
    let token_hash = fingerprint::token_hash(request.headers());
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().clone(), |o| o.0.clone());
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, state.http.body_limit_bytes)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let request_hash = fingerprint::request_hash(&parts.method, &uri, &bytes);
    let scope = KeyScope {
        token_hash: &token_hash,
        key: &key,
    };
    match store::claim(&state.pool, scope, &request_hash, Lifetimes::default()).await? {
        Claim::Replay(stored) => Ok(replay(stored)),
        Claim::Mismatch => Err(ApiError::field(
            "Idempotency-Key",
            "was already used with a different request (method, path or body); \
             use a new key for a new request",
        )),
        Claim::InFlight => Err(ApiError::Conflict(
            "a request with this Idempotency-Key is still being processed; retry later".to_owned(),
        )),
        Claim::Claimed => {
            let request = Request::from_parts(parts, Body::from(bytes));
            // run and record in a task of its own: a client that hangs up must not leave the
            // key claimed after the change was committed
            let pool = state.pool.clone();
            let task = tokio::spawn(async move {
                let response = next.run(request).await;
                record(&pool, &token_hash, &key, response).await
            });
            task.await
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("idempotent request task: {e}")))
        }
    }
}

/// Keeps the answer (or releases the key after a 5xx) and returns it unchanged.
async fn record(pool: &PgPool, token_hash: &[u8; 32], key: &str, response: Response) -> Response {
    let scope = KeyScope { token_hash, key };
    let status = response.status();
    if status.is_server_error() {
        if let Err(e) = store::release(pool, scope).await {
            tracing::warn!(error = %e, "could not release an idempotency key after a 5xx");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "could not read the answer of an idempotent request");
            let _ = store::release(pool, scope).await;
            return ApiError::Internal(anyhow::anyhow!("reading the answer: {e}")).into_response();
        }
    };
    let stored = StoredResponse {
        status: status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: bytes.to_vec(),
    };
    if let Err(e) = store::complete(pool, scope, &stored).await {
        // the change is committed; a retry will get a 409 until the claim is abandoned
        tracing::error!(error = %e, "could not record the answer of an idempotent request");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, Bytes::from(stored.body)).into_response();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    if let Some(value) = stored
        .content_type
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

/// Deletes expired keys every `every` until `stop` is cancelled (run by `Application`).
pub async fn sweep_expired(pool: PgPool, every: Duration, stop: CancellationToken) {
    loop {
        match store::delete_expired(&pool, Lifetimes::default().ttl).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "expired idempotency keys deleted"),
            Err(e) => tracing::warn!(error = %e, "could not delete expired idempotency keys"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}
