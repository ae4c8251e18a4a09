//! One webservice request from arrival to answer: faults, key checks, routing, the stock
//! PHP 8 quirks, and the request log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use chrono::Utc;
use http::{Method, Request, Response, StatusCode};
use serde_json::json;

use crate::auth::{self, Settings};
use crate::faults::{FaultInjector, FaultKind};
use crate::log::{LoggedRequest, RequestLog};
use crate::render::{self, Reply, WsError};
use crate::request::WsRequest;
use crate::routes;
use crate::state::SimState;

/// Largest request body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct Ctx {
    pub state: SimState,
    pub faults: FaultInjector,
    pub log: RequestLog,
    pub settings: Arc<Settings>,
}

/// What the connection does with a request.
pub enum Outcome {
    Respond(Response<Body>),
    /// Close the TCP connection without answering.
    Drop,
}

/// Serves one webservice request.
pub async fn handle(ctx: &Ctx, req: Request<Body>) -> Outcome {
    let started = Instant::now();
    let at = Utc::now();
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return Outcome::Drop,
    };
    let Some(ws) = WsRequest::parse(
        &parts.method,
        parts.uri.path(),
        parts.uri.query(),
        &parts.headers,
        body,
    ) else {
        let mut resp = Response::new(Body::from("Not Found"));
        *resp.status_mut() = StatusCode::NOT_FOUND;
        return Outcome::Respond(resp);
    };
    let method = ws.method.as_str().to_owned();
    let triggered = ctx.faults.trigger(&ws.resource, &method);
    let latency = ctx.settings.latency() + triggered.latency;
    // Logged when answered, or with status 0 if the client gives up first (this future is
    // then dropped mid-sleep), so timed-out attempts are counted too.
    let pending = PendingEntry {
        log: &ctx.log,
        entry: std::sync::Mutex::new(Some(LoggedRequest {
            at,
            method: method.clone(),
            resource: ws.resource.clone(),
            id: ws.id.clone(),
            status: 0,
            elapsed: Duration::ZERO,
            fault: triggered.fault.as_ref().map(fault_label),
            traceparent: parts
                .headers
                .get("traceparent")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })),
        started,
    };
    let log = |status: u16| pending.finish(status);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    // Faults that act before the request reaches the shop.
    match &triggered.fault {
        Some(FaultKind::Status { status, body }) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reply = match body {
                Some(b) => Reply::with_status(status, b.clone()),
                None => Reply::empty(status),
            };
            log(status.as_u16());
            return Outcome::Respond(render::to_response(reply, ws.format));
        }
        Some(FaultKind::RateLimited { retry_after_secs }) => {
            let reply = Reply::with_status(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"errors":[{"code":429,"message":"Too Many Requests"}]}),
            )
            .header("Retry-After", retry_after_secs.to_string());
            log(429);
            return Outcome::Respond(render::to_response(reply, ws.format));
        }
        Some(FaultKind::Timeout {
            ms,
            after_write: false,
        }) => {
            log(0);
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            return Outcome::Drop;
        }
        Some(FaultKind::DropConnection { after_write: false }) => {
            log(0);
            return Outcome::Drop;
        }
        _ => {}
    }

    let mut reply = serve(ctx, &ws);

    match &triggered.fault {
        Some(FaultKind::ErrorAfterWrite) => reply = crate::php8::booking_write_500(),
        Some(FaultKind::DropConnection { after_write: true }) => {
            log(0);
            return Outcome::Drop;
        }
        Some(FaultKind::Timeout {
            ms,
            after_write: true,
        }) => {
            log(0);
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            return Outcome::Respond(render::to_response(reply, ws.format));
        }
        _ => {}
    }
    log(reply.status.as_u16());
    Outcome::Respond(render::to_response(reply, ws.format))
}

/// A request's log entry, recorded exactly once: when answered, or when dropped unanswered.
struct PendingEntry<'a> {
    log: &'a RequestLog,
    entry: std::sync::Mutex<Option<LoggedRequest>>,
    started: Instant,
}

impl PendingEntry<'_> {
    fn finish(&self, status: u16) {
        let taken = self.entry.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(mut entry) = taken {
            entry.status = status;
            entry.elapsed = self.started.elapsed();
            self.log.record(entry);
        }
    }
}

impl Drop for PendingEntry<'_> {
    fn drop(&mut self) {
        self.finish(0);
    }
}

fn fault_label(kind: &FaultKind) -> String {
    match kind {
        FaultKind::Latency { .. } => "latency",
        FaultKind::Status { .. } => "status",
        FaultKind::RateLimited { .. } => "rate_limited",
        FaultKind::Timeout { .. } => "timeout",
        FaultKind::DropConnection { .. } => "drop_connection",
        FaultKind::ErrorAfterWrite => "error_after_write",
    }
    .to_owned()
}

/// Key checks, resource checks, the handler, then the stock PHP 8 quirks.
fn serve(ctx: &Ctx, ws: &WsRequest) -> Reply {
    let allowed = match auth::authenticate(&ctx.settings, ws.key.as_deref()) {
        Ok(a) => a,
        Err(reply) => return reply,
    };
    if ctx.state.read(|s| s.config("PS_WEBSERVICE") != Some("1")) {
        return WsError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            22,
            "The QloApps webservice is disabled. Please activate it in the QloApps Back Office",
        )
        .into();
    }
    if ws.resource.is_empty() {
        return routes::resource_list(ctx, ws, allowed.as_deref());
    }
    if !crate::resources::is_known(&ws.resource) {
        return WsError::bad_request(27, crate::resources::unknown_resource_message(&ws.resource))
            .into();
    }
    if let Err(e) = auth::check_resource(&allowed, &ws.resource) {
        return e.into();
    }
    let reply = routes::route(ctx, ws);
    if ctx.settings.stock_php8() && ws.resource == "bookings" {
        let wrote =
            matches!(ws.method, Method::POST | Method::PUT) && reply.status == StatusCode::OK;
        let read = ws.method == Method::GET
            && ws.id.is_some()
            && reply.status == StatusCode::OK
            && ws.param("schema").is_none();
        if wrote {
            return crate::php8::booking_write_500();
        }
        if read {
            return crate::php8::booking_get_500();
        }
    }
    reply
}
