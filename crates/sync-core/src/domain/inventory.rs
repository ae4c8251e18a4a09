use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

/// Rooms the PMS allows to sell on one night.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NightAvailability {
    pub night: NaiveDate,
    pub available: i32,
    pub updated_at: DateTime<Utc>,
}

/// Price of one room for one night, in the property's currency.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NightRate {
    pub night: NaiveDate,
    #[schema(value_type = String, example = "120.00")]
    pub rate: Decimal,
    pub updated_at: DateTime<Utc>,
}
