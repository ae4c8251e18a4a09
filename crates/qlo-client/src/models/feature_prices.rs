//! `feature_prices`: the supported way to push rates (docs/qloapps-api.md, "Rates: feature_prices").

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::lenient;
use super::IdRef;

/// A feature price rule as QloApps returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct FeaturePrice {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Room type id.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_product: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_cart: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_guest: u64,
    #[serde(default, deserialize_with = "lenient::u64")]
    pub id_room: u64,
    #[serde(default, deserialize_with = "lenient::i18n")]
    pub feature_price_name: String,
    /// 1 date range, 2 specific date.
    #[serde(default, deserialize_with = "lenient::u32")]
    pub date_selection_type: u32,
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub date_from: Option<NaiveDate>,
    /// Inclusive last night.
    #[serde(default, deserialize_with = "lenient::opt_date")]
    pub date_to: Option<NaiveDate>,
    /// 1 decrease, 2 increase, 3 fixed price.
    #[serde(default, deserialize_with = "lenient::u32")]
    pub impact_way: u32,
    /// 1 percentage, 2 fixed amount.
    #[serde(default, deserialize_with = "lenient::u32")]
    pub impact_type: u32,
    #[serde(default, deserialize_with = "lenient::decimal")]
    pub impact_value: Decimal,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_special_days_exists: bool,
    #[serde(default, deserialize_with = "lenient::string")]
    pub special_days: String,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub active: bool,
    #[serde(default, deserialize_with = "lenient::opt_datetime")]
    pub date_upd: Option<NaiveDateTime>,
    #[serde(default)]
    pub associations: FeaturePriceAssociations,
}

/// `feature_prices.associations`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct FeaturePriceAssociations {
    #[serde(default, deserialize_with = "lenient::vec")]
    pub groups: Vec<IdRef>,
}

/// A rule to create or replace. Defaults to a fixed nightly price (`impact_way` 3,
/// `impact_type` 2) over an inclusive date range, for the Visitor, Guest and Customer groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeaturePriceInput {
    pub id_product: u64,
    /// Sent for the client's language.
    pub name: String,
    pub date_selection_type: u32,
    pub date_from: NaiveDate,
    /// Inclusive last night.
    pub date_to: NaiveDate,
    pub impact_way: u32,
    pub impact_type: u32,
    /// With a fixed price: the nightly price excluding tax, default currency.
    pub impact_value: Decimal,
    /// `mon`..`sun`; empty for none.
    pub special_days: Vec<String>,
    pub active: bool,
    /// Customer groups; a rule without groups never applies when group pricing is on.
    pub groups: Vec<u64>,
}

impl FeaturePriceInput {
    /// A fixed nightly price for the nights `date_from..=date_to`.
    pub fn fixed_price(
        id_product: u64,
        name: impl Into<String>,
        date_from: NaiveDate,
        date_to: NaiveDate,
        nightly_price: Decimal,
    ) -> Self {
        FeaturePriceInput {
            id_product,
            name: name.into(),
            date_selection_type: 1,
            date_from,
            date_to,
            impact_way: 3,
            impact_type: 2,
            impact_value: nightly_price,
            special_days: Vec::new(),
            active: true,
            groups: vec![1, 2, 3],
        }
    }

    /// True when `rule` is what this input would have created (used to adopt a rule written
    /// by a request whose outcome was unknown).
    pub fn matches(&self, rule: &FeaturePrice) -> bool {
        rule.id_product == self.id_product
            && rule.id_cart == 0
            && rule.feature_price_name == self.name
            && rule.date_from == Some(self.date_from)
            && rule.date_to == Some(self.date_to)
            && rule.impact_way == self.impact_way
            && rule.impact_type == self.impact_type
            && rule.impact_value == self.impact_value
    }
}
