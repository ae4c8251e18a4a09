//! `POST /api/v1/qloapps/configs/{configId}/reconcile`: compares what QloApps would sell and
//! charge per night with the PMS (rates and availability, per room type and night) and the
//! reservations of a window with QloApps orders (bookings); with `"dryRun": false` it also
//! fixes what differs (the same rate, availability, pull and push services the workers run).
//! A small one (every window at most [`INLINE_MAX_NIGHTS`] nights) runs in the request and
//! answers 200 with the report; a longer one (the defaults: a year of nights, and bookings
//! from a week ago to 500 days ahead) is a background job: 202 with its id and a Location
//! (`GET .../reconcile/jobs/{jobId}`, see `reconcile_jobs`).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sync_core::domain::ConfigId;
use sync_core::reconcile::bookings::BookingScope;
use sync_core::reconcile::jobs::{self, JobKind};
use sync_core::reconcile::{ReconcileReport, ReconcileRequest, ReconcileService};
use sync_core::sync_error::SyncError;
use utoipa::ToSchema;

use super::qloapps_configs::require_config;
use super::reconcile_jobs::{job_location, ReconcileJobAccepted};
use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::extract::{opt_date, ApiJson, ApiPath};
use crate::state::AppState;
use crate::validate::{Problems, MAX_NIGHTS};

pub fn router() -> Router<AppState> {
    Router::new().route("/qloapps/configs/{configId}/reconcile", post(reconcile))
}

/// Nights compared when the body names none: today and the 364 after.
const DEFAULT_NIGHTS: u64 = 365;
/// The bookings window when the body names none: a week ago to 500 days ahead.
const DEFAULT_BOOKINGS_PAST_DAYS: u32 = 7;
const DEFAULT_BOOKINGS_FUTURE_DAYS: u32 = 500;
/// Longest bookings window.
const MAX_BOOKING_NIGHTS: i64 = 731;
/// A reconciliation whose windows are all at most this long runs in the request.
pub const INLINE_MAX_NIGHTS: i64 = 62;

/// What to compare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReconcileScope {
    /// rates, availability and bookings
    #[default]
    All,
    /// rates and availability
    Inventory,
    /// reservations against QloApps orders
    Bookings,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReconcileBody {
    /// true (default): only report; false: fix what differs, then report what was found and done
    pub dry_run: Option<bool>,
    /// first night, YYYY-MM-DD; default today (bookings: 7 days before today)
    #[serde(default, deserialize_with = "opt_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// last night (included), YYYY-MM-DD; default 364 nights after `from` (bookings: 500 days
    /// after today); at most 366 nights (731 when `scope` is `bookings`)
    #[serde(default, deserialize_with = "opt_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// all (default), inventory (rates and availability) or bookings
    pub scope: Option<ReconcileScope>,
    /// true: always run as a background job (202), even when it is small
    pub background: Option<bool>,
}

/// The report (200), or the job that runs it (202).
#[derive(Debug)]
pub enum Reconciled {
    Report(Box<ReconcileReport>),
    Job(ConfigId, ReconcileJobAccepted),
}

impl IntoResponse for Reconciled {
    fn into_response(self) -> Response {
        match self {
            Reconciled::Report(report) => Json(*report).into_response(),
            Reconciled::Job(config_id, accepted) => {
                let location = job_location(config_id, accepted.job_id);
                (
                    StatusCode::ACCEPTED,
                    [(header::LOCATION, location)],
                    Json(accepted),
                )
                    .into_response()
            }
        }
    }
}

/// Compares QloApps with the PMS for the config: rates and availability of every mapped room
/// type night by night (availability: rooms QloApps would sell vs the PMS limit; rates:
/// QloApps' room price excluding tax and auto-added services vs the PMS rate), and the
/// reservations staying in the window against QloApps orders (missing on either side; dates,
/// room type, rooms, status and guest mismatches), and fixes them unless `dryRun` (README
/// "Reconciling bookings" says which side wins). When every window has at most 62 nights it
/// runs in the request (200 with the report); otherwise, or with `background`, it is queued
/// as a job (202 with its id and a `Location` to poll). 409 when fixing a config whose sync
/// is disabled or that cannot reach QloApps (no key); 502 when QloApps fails, 503 while its
/// circuit is open (a job reports those as its `error`).
#[utoipa::path(post, path = "/api/v1/qloapps/configs/{configId}/reconcile", tag = "qloapps",
    request_body = ReconcileBody, params(("configId" = uuid::Uuid, Path)),
    responses((status = 200, description = "a small reconciliation, run in the request", body = ReconcileReport),
        (status = 202, description = "queued as a background job: poll the Location (GET .../reconcile/jobs/{jobId})",
            body = ReconcileJobAccepted,
            headers(("Location" = String, description = "/api/v1/qloapps/configs/{configId}/reconcile/jobs/{jobId}"))),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn reconcile(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiJson(body): ApiJson<ReconcileBody>,
) -> Result<Reconciled, Failure> {
    let request = request_of(&body)?;
    let config = require_config(&state.pool, config_id).await?;
    if !request.dry_run && !config.sync_enabled {
        return Err(SyncError::SyncDisabled(config_id).into());
    }
    let clients = state.clients.clone();
    if body.background.unwrap_or(false) || !is_small(&request) {
        let job = jobs::start(&state.pool, clients, config_id, JobKind::Request, request)
            .await
            .map_err(ApiError::from)?;
        return Ok(Reconciled::Job(config_id, ReconcileJobAccepted::of(&job)));
    }
    let report = ReconcileService::new(state.pool.clone(), clients)
        .reconcile(config_id, request)
        .await
        .map_err(Failure::from)?;
    Ok(Reconciled::Report(Box::new(report)))
}

/// The request the body asks for, or a 422 naming the field.
fn request_of(body: &ReconcileBody) -> Result<ReconcileRequest, ApiError> {
    let today = Utc::now().date_naive();
    let scope = body.scope.unwrap_or_default();
    let from = body.from.unwrap_or(today);
    let to = body.to.unwrap_or_else(|| {
        from.checked_add_days(Days::new(DEFAULT_NIGHTS - 1))
            .unwrap_or(from)
    });
    let booking_from = body.from.unwrap_or_else(|| {
        today
            .checked_sub_days(Days::new(u64::from(DEFAULT_BOOKINGS_PAST_DAYS)))
            .unwrap_or(today)
    });
    let booking_to = body.to.unwrap_or_else(|| {
        today
            .checked_add_days(Days::new(u64::from(DEFAULT_BOOKINGS_FUTURE_DAYS)))
            .unwrap_or(today)
    });
    let mut p = Problems::new();
    if scope == ReconcileScope::Bookings {
        if booking_to < booking_from {
            p.add("to", "must not be before from");
        } else if (booking_to - booking_from).num_days() + 1 > MAX_BOOKING_NIGHTS {
            p.add(
                "to",
                format!("the range may cover at most {MAX_BOOKING_NIGHTS} nights"),
            );
        }
    } else {
        p.night_range(("from", from), ("to", to));
        // one default and one given bound can cross only in the bookings window
        if booking_to < booking_from && to >= from {
            p.add("to", "must not be before from");
        }
    }
    p.finish()?;
    let inventory = scope != ReconcileScope::Bookings;
    Ok(ReconcileRequest {
        from: if inventory { from } else { booking_from },
        to: if inventory { to } else { booking_to },
        dry_run: body.dry_run.unwrap_or(true),
        inventory,
        bookings: (scope != ReconcileScope::Inventory).then_some(BookingScope::Window {
            from: booking_from,
            to: booking_to,
        }),
    })
}

/// Every window at most [`INLINE_MAX_NIGHTS`] nights.
fn is_small(request: &ReconcileRequest) -> bool {
    let nights = |from: NaiveDate, to: NaiveDate| (to - from).num_days() + 1;
    let inventory = !request.inventory || nights(request.from, request.to) <= INLINE_MAX_NIGHTS;
    let bookings = match request.bookings {
        None => true,
        Some(
            BookingScope::Window { from, to } | BookingScope::ChangedSinceLastSync { from, to },
        ) => nights(from, to) <= INLINE_MAX_NIGHTS,
    };
    inventory && bookings
}

const _: () = assert!(INLINE_MAX_NIGHTS <= MAX_NIGHTS);

/// An api error, or QloApps failing (502 / 503 with the same error body).
#[derive(Debug)]
pub enum Failure {
    Api(ApiError),
    Upstream {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Self {
        let upstream = |status, code, message| Failure::Upstream {
            status,
            code,
            message,
        };
        match e {
            SyncError::ConfigNotFound(id) => ApiError::not_found("QloApps config", id).into(),
            SyncError::SyncDisabled(_) => ApiError::Conflict(
                "sync is disabled for this config: enable it to fix drift, or ask for a dry run"
                    .to_owned(),
            )
            .into(),
            SyncError::NoApiKey(_) | SyncError::BadConfig { .. } | SyncError::Crypto(_) => {
                ApiError::Conflict(e.to_string()).into()
            }
            SyncError::Db(db) => ApiError::from(db).into(),
            SyncError::Qlo(q @ qlo_client::Error::CircuitOpen { .. }) => upstream(
                StatusCode::SERVICE_UNAVAILABLE,
                "upstream_unavailable",
                q.to_string(),
            ),
            // QloApps' errors never carry the key (qlo_client::Error)
            other => upstream(
                StatusCode::BAD_GATEWAY,
                "upstream_failed",
                other.to_string(),
            ),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Api(e) => e.into_response(),
            Failure::Upstream {
                status,
                code,
                message,
            } => {
                tracing::warn!(%status, %message, "reconciliation failed on QloApps");
                let body = ErrorBody {
                    error: ErrorDetail {
                        code: code.to_owned(),
                        message,
                        fields: Vec::new(),
                    },
                };
                (status, Json(body)).into_response()
            }
        }
    }
}
