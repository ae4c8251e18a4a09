//! Reservations QloApps refused to take as the PMS holds them (`qloapps_out_of_sync`, written by
//! the outbound worker): what an operator works through, oldest first (README, runbook
//! "Reservation out of sync").

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sync_core::db::qloapps_out_of_sync;
use sync_core::domain::{ConfigId, OutOfSyncReservation};
use utoipa::IntoParams;

use super::qloapps_configs::require_config;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::validate::{Paged, Problems};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/qloapps/configs/{configId}/out-of-sync",
        get(list_out_of_sync),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OutOfSyncQuery {
    /// 1-200, default 50
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// default 0
    #[param(minimum = 0, maximum = 10_000_000)]
    pub offset: Option<i64>,
}

/// The config's out-of-sync reservations with QloApps' reason, oldest refusal first. A
/// reservation leaves the list when a later push of it goes through.
#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}/out-of-sync", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path), OutOfSyncQuery),
    responses((status = 200, body = Paged<OutOfSyncReservation>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_out_of_sync(
    State(state): State<AppState>,
    ApiPath(config_id): ApiPath<ConfigId>,
    ApiQuery(query): ApiQuery<OutOfSyncQuery>,
) -> Result<Json<Paged<OutOfSyncReservation>>, ApiError> {
    let mut p = Problems::new();
    let page = p.page(query.limit, query.offset);
    p.finish()?;
    require_config(&state.pool, config_id).await?;
    let (items, total) = qloapps_out_of_sync::list(&state.pool, config_id, page).await?;
    Ok(Json(Paged {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}
