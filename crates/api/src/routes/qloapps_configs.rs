//! QloApps configs (one QloApps hotel a property syncs with). The API key is write-only: it
//! is stored AES-256-GCM encrypted and only "set" and its last 4 characters are shown.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sync_core::db::qloapps_config::{self as db, ConfigPatch, NewConfig};
use sync_core::domain::qloapps::seal_api_key;
use sync_core::domain::{ConfigId, PropertyId, QloHotelId, QloappsConfig};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{nullable, ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::validate::Problems;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/qloapps/configs", get(list_configs).post(create_config))
        .route(
            "/qloapps/configs/{configId}",
            get(get_config).patch(update_config).delete(delete_config),
        )
}

/// A config as shown to clients: never the key, only whether one is set and its last 4.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigView {
    pub id: ConfigId,
    pub property_id: PropertyId,
    pub name: String,
    pub base_url: String,
    pub qloapps_hotel_id: QloHotelId,
    pub language_id: i32,
    pub sync_enabled: bool,
    /// a stay change QloApps refuses (it counts the order's own room as taken) is pushed as
    /// cancel-and-recreate: the booking gets a new QloApps order (docs/pushes.md)
    pub recreate_refused_extensions: bool,
    pub api_key_set: bool,
    /// last 4 characters of the key, to recognise it
    pub api_key_last4: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<QloappsConfig> for ConfigView {
    fn from(c: QloappsConfig) -> Self {
        ConfigView {
            id: c.id,
            property_id: c.property_id,
            name: c.name,
            base_url: c.base_url,
            qloapps_hotel_id: c.qloapps_hotel_id,
            language_id: c.language_id,
            sync_enabled: c.sync_enabled,
            recreate_refused_extensions: c.recreate_refused_extensions,
            api_key_set: c.api_key_encrypted.is_some(),
            api_key_last4: c.api_key_last4,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateConfig {
    pub property_id: PropertyId,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// "https://host/api" or "https://host/webservice/dispatcher.php"
    #[schema(min_length = 1, max_length = 2000)]
    pub base_url: String,
    /// the QloApps webservice key: 32 letters and digits; write-only
    #[schema(pattern = "^[A-Za-z0-9]{32}$")]
    pub api_key: Option<String>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub qloapps_hotel_id: i64,
    /// default 1
    #[schema(minimum = 1, maximum = 2147483647)]
    pub language_id: Option<i64>,
    /// default true
    pub sync_enabled: Option<bool>,
    /// push a refused stay change as cancel-and-recreate (docs/pushes.md); default false
    pub recreate_refused_extensions: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateConfig {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(min_length = 1, max_length = 2000)]
    pub base_url: Option<String>,
    /// a new key replaces the stored one; null removes it
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9]{32}$")]
    pub api_key: Option<Option<String>>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub qloapps_hotel_id: Option<i64>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub language_id: Option<i64>,
    pub sync_enabled: Option<bool>,
    /// push a refused stay change as cancel-and-recreate (docs/pushes.md)
    pub recreate_refused_extensions: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ConfigQuery {
    /// only the configs of this property
    #[param(value_type = Option<uuid::Uuid>)]
    pub property_id: Option<PropertyId>,
}

/// The same rule the client reads the URL with (`qlo_client::check_base_url`), so a config that
/// saves is one the workers can call.
fn check_base_url(p: &mut Problems, value: &str) -> String {
    let value = value.trim().trim_end_matches('/').to_owned();
    match qlo_client::check_base_url(&value) {
        Ok(()) if value.len() <= 2000 => {}
        Ok(()) => p.add("baseUrl", "must be at most 2000 characters"),
        Err(e) => p.add("baseUrl", e.reason),
    }
    value
}

/// QloApps generates 32-character keys of letters and digits. The key is never echoed.
fn check_api_key(p: &mut Problems, value: &str) {
    let ok = value.len() == 32 && value.chars().all(|c| c.is_ascii_alphanumeric());
    p.check(
        ok,
        "apiKey",
        "must be a QloApps webservice key: 32 letters and digits",
    );
}

fn check_positive(p: &mut Problems, field: &str, value: i64) -> i32 {
    p.positive_id(field, value);
    i32::try_from(value).unwrap_or_default()
}

fn sealed(state: &AppState, id: ConfigId, key: &str) -> Result<(String, String), ApiError> {
    seal_api_key(&state.keys, id, key)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("encrypting the API key")))
}

#[utoipa::path(post, path = "/api/v1/qloapps/configs", tag = "qloapps", request_body = CreateConfig,
    responses((status = 201, body = ConfigView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_config(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateConfig>,
) -> Result<(StatusCode, Json<ConfigView>), ApiError> {
    let mut p = Problems::new();
    let name = p.text("name", &body.name, 200);
    let base_url = check_base_url(&mut p, &body.base_url);
    if let Some(key) = &body.api_key {
        check_api_key(&mut p, key);
    }
    let qloapps_hotel_id = check_positive(&mut p, "qloappsHotelId", body.qloapps_hotel_id);
    let language_id = check_positive(&mut p, "languageId", body.language_id.unwrap_or(1));
    if sync_core::db::properties::get_property(&state.pool, body.property_id)
        .await?
        .is_none()
    {
        p.add("propertyId", "no such property");
    }
    p.finish()?;
    let id = ConfigId::generate();
    let api_key = body
        .api_key
        .as_deref()
        .map(|k| sealed(&state, id, k))
        .transpose()?;
    let sync_enabled = body.sync_enabled.unwrap_or(true);
    let new = NewConfig {
        id,
        property_id: body.property_id,
        name,
        base_url,
        api_key,
        qloapps_hotel_id,
        language_id,
        sync_enabled,
        recreate_refused_extensions: body.recreate_refused_extensions.unwrap_or(false),
    };
    let config = db::insert_config(&state.pool, &new).await?;
    tracing::info!(config_id = %config.id, property_id = %config.property_id, "QloApps config created");
    Ok((StatusCode::CREATED, Json(config.into())))
}

#[utoipa::path(get, path = "/api/v1/qloapps/configs", tag = "qloapps", params(ConfigQuery),
    responses((status = 200, body = Vec<ConfigView>), (status = 422, body = ErrorBody)))]
pub async fn list_configs(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ConfigQuery>,
) -> Result<Json<Vec<ConfigView>>, ApiError> {
    let configs = db::list_configs(&state.pool, query.property_id).await?;
    Ok(Json(configs.into_iter().map(ConfigView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/qloapps/configs/{configId}", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path)),
    responses((status = 200, body = ConfigView), (status = 404, body = ErrorBody)))]
pub async fn get_config(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ConfigId>,
) -> Result<Json<ConfigView>, ApiError> {
    Ok(Json(require_config(&state.pool, id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/qloapps/configs/{configId}", tag = "qloapps", request_body = UpdateConfig,
    params(("configId" = uuid::Uuid, Path)),
    responses((status = 200, body = ConfigView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_config(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ConfigId>,
    ApiJson(body): ApiJson<UpdateConfig>,
) -> Result<Json<ConfigView>, ApiError> {
    let mut p = Problems::new();
    let name = body.name.as_deref().map(|n| p.text("name", n, 200));
    let base_url = body.base_url.as_deref().map(|u| check_base_url(&mut p, u));
    if let Some(Some(key)) = &body.api_key {
        check_api_key(&mut p, key);
    }
    let qloapps_hotel_id = body
        .qloapps_hotel_id
        .map(|h| check_positive(&mut p, "qloappsHotelId", h));
    let language_id = body
        .language_id
        .map(|l| check_positive(&mut p, "languageId", l));
    p.finish()?;
    let api_key = match body.api_key {
        None => None,
        Some(None) => Some(None),
        Some(Some(key)) => Some(Some(sealed(&state, id, &key)?)),
    };
    let patch = ConfigPatch {
        name,
        base_url,
        api_key,
        qloapps_hotel_id,
        language_id,
        sync_enabled: body.sync_enabled,
        recreate_refused_extensions: body.recreate_refused_extensions,
    };
    let config = db::update_config(&state.pool, id, &patch)
        .await?
        .ok_or_else(|| ApiError::not_found("QloApps config", id))?;
    tracing::info!(config_id = %config.id, key_changed = patch.api_key.is_some(), "QloApps config updated");
    Ok(Json(config.into()))
}

/// Deletes a config with its mappings, sync state and sync log.
#[utoipa::path(delete, path = "/api/v1/qloapps/configs/{configId}", tag = "qloapps",
    params(("configId" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_config(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ConfigId>,
) -> Result<StatusCode, ApiError> {
    if db::delete_config(&state.pool, id).await? {
        tracing::info!(config_id = %id, "QloApps config deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("QloApps config", id))
    }
}

pub async fn require_config(
    db: impl sqlx::PgExecutor<'_>,
    id: ConfigId,
) -> Result<QloappsConfig, ApiError> {
    db::get_config(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("QloApps config", id))
}
