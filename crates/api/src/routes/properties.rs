//! PMS properties.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sqlx::PgExecutor;
use sync_core::db::properties as db;
use sync_core::domain::property::{NewProperty, PropertyPatch};
use sync_core::domain::{Property, PropertyId};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/properties", get(list_properties).post(create_property))
        .route(
            "/properties/{propertyId}",
            get(get_property).patch(update_property),
        )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateProperty {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// IANA time zone (default "UTC")
    #[schema(min_length = 1, max_length = 64)]
    pub timezone: Option<String>,
    /// ISO 4217 (default "EUR")
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateProperty {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// IANA time zone
    #[schema(min_length = 1, max_length = 64)]
    pub timezone: Option<String>,
    /// ISO 4217
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
}

/// Whether PostgreSQL knows the time zone name (its tz database is the reference here).
async fn timezone_exists(db: impl PgExecutor<'_>, name: &str) -> Result<bool, ApiError> {
    Ok(sync_core::db::properties::timezone_exists(db, name).await?)
}

async fn check_timezone(
    state: &AppState,
    p: &mut Problems,
    timezone: &str,
) -> Result<(), ApiError> {
    let valid = !timezone.is_empty()
        && timezone.len() <= 64
        && timezone_exists(&state.pool, timezone).await?;
    p.check(
        valid,
        "timezone",
        "must be an IANA time zone such as Europe/Paris",
    );
    Ok(())
}

/// Creates a property; its channel manager starts as 'qloapps' (the default).
#[utoipa::path(post, path = "/api/v1/properties", tag = "pms", request_body = CreateProperty,
    responses((status = 201, body = Property), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_property(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateProperty>,
) -> Result<(StatusCode, Json<Property>), ApiError> {
    let mut p = Problems::new();
    let name = p.text("name", &body.name, 200);
    let timezone = body
        .timezone
        .as_deref()
        .map(str::trim)
        .unwrap_or("UTC")
        .to_owned();
    check_timezone(&state, &mut p, &timezone).await?;
    let currency = p.currency("currency", body.currency.as_deref().unwrap_or("EUR"));
    p.finish()?;
    let property = db::insert_property(
        &state.pool,
        &NewProperty {
            name,
            timezone,
            currency,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(property)))
}

#[utoipa::path(get, path = "/api/v1/properties", tag = "pms", responses((status = 200, body = Vec<Property>)))]
pub async fn list_properties(
    State(state): State<AppState>,
) -> Result<Json<Vec<Property>>, ApiError> {
    Ok(Json(db::list_properties(&state.pool).await?))
}

#[utoipa::path(get, path = "/api/v1/properties/{propertyId}", tag = "pms",
    params(("propertyId" = uuid::Uuid, Path)),
    responses((status = 200, body = Property), (status = 404, body = ErrorBody)))]
pub async fn get_property(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<PropertyId>,
) -> Result<Json<Property>, ApiError> {
    let property = db::get_property(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found("property", id))?;
    Ok(Json(property))
}

/// Changes name, time zone or currency. The channel manager changes through
/// `POST /api/v1/settings/channel-managers/switch`.
#[utoipa::path(patch, path = "/api/v1/properties/{propertyId}", tag = "pms", request_body = UpdateProperty,
    params(("propertyId" = uuid::Uuid, Path)),
    responses((status = 200, body = Property), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_property(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<PropertyId>,
    ApiJson(body): ApiJson<UpdateProperty>,
) -> Result<Json<Property>, ApiError> {
    let mut p = Problems::new();
    let name = body.name.as_deref().map(|n| p.text("name", n, 200));
    let timezone = body.timezone.as_deref().map(|t| t.trim().to_owned());
    if let Some(tz) = &timezone {
        check_timezone(&state, &mut p, tz).await?;
    }
    let currency = body.currency.as_deref().map(|c| p.currency("currency", c));
    p.finish()?;
    let patch = PropertyPatch {
        name,
        timezone,
        currency,
    };
    let property = db::update_property(&state.pool, id, &patch)
        .await?
        .ok_or_else(|| ApiError::not_found("property", id))?;
    Ok(Json(property))
}

/// Loads a property or answers 404; for handlers of nested resources.
pub async fn require_property(
    db: impl PgExecutor<'_>,
    id: PropertyId,
) -> Result<Property, ApiError> {
    db::get_property(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("property", id))
}
