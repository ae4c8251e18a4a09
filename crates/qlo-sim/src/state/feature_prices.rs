//! Price rules (`htl_room_type_feature_pricing`, the `feature_prices` resource).

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

pub const DATE_RANGE: u32 = 1;
pub const SPECIFIC_DATE: u32 = 2;

pub const IMPACT_DECREASE: u32 = 1;
pub const IMPACT_INCREASE: u32 = 2;
pub const IMPACT_FIXED_PRICE: u32 = 3;

pub const IMPACT_PERCENTAGE: u32 = 1;
pub const IMPACT_AMOUNT: u32 = 2;

/// One price rule of a room type.
#[derive(Debug, Clone, PartialEq)]
pub struct FeaturePrice {
    pub id: u32,
    /// Room type id.
    pub id_product: u32,
    /// Non-zero for the cart-scoped prices QloApps creates itself; ignored by the price engine.
    pub id_cart: u32,
    pub id_guest: u32,
    pub id_room: u32,
    pub name: String,
    /// 1 date range, 2 specific date.
    pub date_selection_type: u32,
    pub date_from: NaiveDate,
    /// Inclusive last night of a range.
    pub date_to: NaiveDate,
    /// 1 decrease, 2 increase, 3 fixed price.
    pub impact_way: u32,
    /// 1 percentage, 2 amount.
    pub impact_type: u32,
    pub impact_value: Decimal,
    pub is_special_days_exists: bool,
    /// The raw JSON list, e.g. `["sat","sun"]`.
    pub special_days: String,
    pub active: bool,
    pub groups: Vec<u32>,
    pub date_add: NaiveDateTime,
    pub date_upd: NaiveDateTime,
}

impl FeaturePrice {
    /// Lower-case three-letter weekday names in `special_days`.
    pub fn special_day_names(&self) -> Vec<String> {
        serde_json::from_str::<Vec<String>>(&self.special_days)
            .unwrap_or_default()
            .into_iter()
            .map(|d| d.to_lowercase())
            .collect()
    }
}
