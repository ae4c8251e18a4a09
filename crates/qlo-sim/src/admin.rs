//! The admin API under `/__sim/` (JSON), so other processes (demo, benchmarks, end-to-end
//! tests) can drive the simulator: faults, request log, state summary, seeding, switches.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::dispatch::Ctx;
use crate::faults::Fault;
use crate::state::{OrderEdit, SeedSpec};
use crate::values::{datetime, parse_datetime};

/// The admin routes.
pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route(
            "/__sim/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/__sim/faults/{id}", delete(remove_fault))
        .route("/__sim/requests", get(requests).delete(clear_requests))
        .route("/__sim/requests/counts", get(counts))
        .route("/__sim/state", get(summary))
        .route("/__sim/seed", post(seed))
        .route("/__sim/hotels", post(add_hotels))
        .route("/__sim/stock-php8", post(stock_php8))
        .route("/__sim/timezone", post(timezone))
        .route("/__sim/latency", post(latency))
        .route("/__sim/clock", post(clock))
        .route("/__sim/orders/{id}/edit", post(edit_order))
        .with_state(ctx)
}

async fn list_faults(State(ctx): State<Ctx>) -> Json<Value> {
    Json(json!(ctx.faults.list()))
}

async fn add_fault(State(ctx): State<Ctx>, Json(fault): Json<Fault>) -> (StatusCode, Json<Value>) {
    let id = ctx.faults.add(fault);
    (StatusCode::CREATED, Json(json!({ "id": id })))
}

async fn clear_faults(State(ctx): State<Ctx>) -> StatusCode {
    ctx.faults.clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(State(ctx): State<Ctx>, Path(id): Path<u64>) -> StatusCode {
    if ctx.faults.remove(id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn requests(State(ctx): State<Ctx>) -> Json<Value> {
    Json(json!(ctx.log.entries()))
}

async fn clear_requests(State(ctx): State<Ctx>) -> StatusCode {
    ctx.log.clear();
    StatusCode::NO_CONTENT
}

#[derive(Serialize)]
struct CountRow {
    resource: String,
    method: String,
    count: u64,
}

async fn counts(State(ctx): State<Ctx>) -> Json<Value> {
    let rows: Vec<CountRow> = ctx
        .log
        .counts()
        .into_iter()
        .map(|((resource, method), count)| CountRow {
            resource,
            method,
            count,
        })
        .collect();
    Json(json!({ "total": ctx.log.total(), "counts": rows }))
}

async fn summary(State(ctx): State<Ctx>) -> Json<Value> {
    let settings = &ctx.settings;
    let body = ctx.state.read(|shop| {
        json!({
            "hotels": shop.hotels.len(),
            "room_types": shop.room_types.len(),
            "rooms": shop.rooms.len(),
            "customers": shop.customers.len(),
            "orders": shop.orders.order_count(),
            "room_bookings": shop.orders.line_count(),
            "order_histories": shop.orders.histories().count(),
            "feature_prices": shop.feature_prices.len(),
            "last_order_id": shop.orders.orders().next_back().map(|o| o.id),
            "max_date_upd": shop.orders.orders_by_date_upd().iter().next_back().map(|(d, _)| datetime(*d)),
            "timezone": shop.timezone().name(),
            "now": datetime(shop.now()),
            "stock_php8": settings.stock_php8(),
            "latency_ms": settings.latency().as_millis(),
            "faults": ctx.faults.list().len(),
        })
    });
    Json(body)
}

async fn seed(State(ctx): State<Ctx>, Json(spec): Json<SeedSpec>) -> Json<Value> {
    let started = std::time::Instant::now();
    let report = ctx.state.write(|shop| shop.seed_bookings(&spec));
    Json(json!({
        "created": report.created,
        "first_id": report.first_id,
        "last_id": report.last_id,
        "elapsed_ms": started.elapsed().as_millis(),
    }))
}

#[derive(Deserialize)]
struct HotelsBody {
    count: u32,
    #[serde(default)]
    auto_services_per_night: Option<rust_decimal::Decimal>,
}

async fn add_hotels(State(ctx): State<Ctx>, Json(body): Json<HotelsBody>) -> Json<Value> {
    let ids: Vec<u32> = ctx.state.write(|shop| {
        let extra = body
            .auto_services_per_night
            .unwrap_or_else(|| rust_decimal::Decimal::from(250));
        (0..body.count)
            .map(|_| shop.add_demo_hotel(extra))
            .collect()
    });
    Json(json!({ "ids": ids }))
}

#[derive(Deserialize)]
struct Switch {
    enabled: bool,
}

async fn stock_php8(State(ctx): State<Ctx>, Json(body): Json<Switch>) -> Json<Value> {
    ctx.settings.set_stock_php8(body.enabled);
    Json(json!({ "stock_php8": body.enabled }))
}

#[derive(Deserialize)]
struct TimezoneBody {
    timezone: String,
}

async fn timezone(
    State(ctx): State<Ctx>,
    Json(body): Json<TimezoneBody>,
) -> (StatusCode, Json<Value>) {
    match ctx.state.write(|shop| shop.set_timezone(&body.timezone)) {
        Ok(()) => (StatusCode::OK, Json(json!({ "timezone": body.timezone }))),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))),
    }
}

#[derive(Deserialize)]
struct LatencyBody {
    ms: u64,
}

async fn latency(State(ctx): State<Ctx>, Json(body): Json<LatencyBody>) -> Json<Value> {
    ctx.settings
        .set_latency(std::time::Duration::from_millis(body.ms));
    Json(json!({ "latency_ms": body.ms }))
}

#[derive(Deserialize)]
struct ClockBody {
    /// Shop-local "YYYY-MM-DD HH:MM:SS" to freeze at; null goes back to the system clock.
    #[serde(default)]
    frozen: Option<String>,
    /// An instant ("YYYY-MM-DD HH:MM:SS" UTC) to freeze at instead: with `PS_TIMEZONE`
    /// changes and DST the shop-local time follows it.
    #[serde(default)]
    frozen_utc: Option<String>,
    #[serde(default)]
    advance_secs: Option<i64>,
}

async fn clock(State(ctx): State<Ctx>, Json(body): Json<ClockBody>) -> (StatusCode, Json<Value>) {
    let frozen = match body.frozen.as_deref().map(parse_datetime) {
        Some(None) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "frozen must be \"YYYY-MM-DD HH:MM:SS\""})),
            )
        }
        Some(Some(at)) => Some(at),
        None => None,
    };
    let frozen_utc = body
        .frozen_utc
        .as_deref()
        .and_then(parse_datetime)
        .map(|at| at.and_utc());
    let now = ctx.state.write(|shop| {
        match frozen_utc {
            Some(at) => shop.freeze_clock_at(Some(at)),
            None => shop.freeze_clock(frozen),
        }
        if let Some(secs) = body.advance_secs {
            shop.advance_clock(chrono::Duration::seconds(secs));
        }
        datetime(shop.now())
    });
    (StatusCode::OK, Json(json!({ "now": now })))
}

/// A back-office edit of any order (`OrderEdit`): 200 with the order's new `date_upd`.
async fn edit_order(
    State(ctx): State<Ctx>,
    Path(id): Path<u32>,
    Json(edit): Json<OrderEdit>,
) -> (StatusCode, Json<Value>) {
    let done = ctx.state.write(|shop| {
        shop.edit_order(id, &edit)?;
        Ok::<_, String>(datetime(shop.now()))
    });
    match done {
        Ok(date_upd) => (
            StatusCode::OK,
            Json(json!({ "id": id, "date_upd": date_upd })),
        ),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))),
    }
}
