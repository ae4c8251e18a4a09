//! Room prices: base price, feature price rules by priority, tax.
//!
//! Follows `HotelCartBookingData::getProductFeaturePricePlanByDateByPriority`: per night the
//! first matching rule by priority `specific_date` > `special_day` > `date_range` wins; a
//! date range matches `date_from <= night <= date_to` (inclusive last night); only active
//! rules with `id_cart = 0` apply, and with `PS_GROUP_FEATURE_ACTIVE` only rules sharing a
//! group with the buyer.

use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;

use crate::state::{
    FeaturePrice, RoomType, Shop, DATE_RANGE, IMPACT_DECREASE, IMPACT_FIXED_PRICE, IMPACT_INCREASE,
    IMPACT_PERCENTAGE, SPECIFIC_DATE,
};

/// The demo tax rule (tax rules group 1): 4 % (the real sample: 2000 → 80).
pub fn tax_rate() -> Decimal {
    Decimal::new(4, 2)
}

/// Tax on an amount excluding tax, rounded to cents.
pub fn tax_of(amount: Decimal) -> Decimal {
    (amount * tax_rate()).round_dp(2)
}

/// Which kind of rule wins, in priority order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RuleKind {
    SpecificDate,
    SpecialDay,
    DateRange,
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

fn rule_kind_for(rule: &FeaturePrice, night: NaiveDate) -> Option<RuleKind> {
    if rule.date_selection_type == SPECIFIC_DATE {
        return (rule.date_from == night).then_some(RuleKind::SpecificDate);
    }
    if rule.date_selection_type != DATE_RANGE || night < rule.date_from || night > rule.date_to {
        return None;
    }
    if rule.is_special_days_exists {
        let today = weekday_name(night.weekday());
        return rule
            .special_day_names()
            .iter()
            .any(|d| d == today)
            .then_some(RuleKind::SpecialDay);
    }
    Some(RuleKind::DateRange)
}

/// The rule that prices `night` for a room type, if any.
pub fn winning_rule<'a>(
    shop: &'a Shop,
    id_room_type: u32,
    night: NaiveDate,
    groups: &[u32],
) -> Option<&'a FeaturePrice> {
    let check_groups = shop.config("PS_GROUP_FEATURE_ACTIVE") == Some("1");
    shop.feature_prices
        .values()
        .filter(|r| r.active && r.id_cart == 0 && r.id_product == id_room_type)
        .filter(|r| !check_groups || r.groups.iter().any(|g| groups.contains(g)))
        .filter_map(|r| rule_kind_for(r, night).map(|k| (k, r)))
        // Same kind overlapping: QloApps' getRow picks one; the lowest id here.
        .min_by_key(|(k, r)| (*k, r.id))
        .map(|(_, r)| r)
}

/// Applies a rule's impact to the base price.
pub fn apply_impact(base: Decimal, rule: &FeaturePrice) -> Decimal {
    let amount = if rule.impact_type == IMPACT_PERCENTAGE {
        base * rule.impact_value / Decimal::from(100)
    } else {
        rule.impact_value
    };
    let price = match rule.impact_way {
        IMPACT_FIXED_PRICE => rule.impact_value,
        IMPACT_DECREASE => base - amount,
        IMPACT_INCREASE => base + amount,
        _ => base,
    };
    price.max(Decimal::ZERO)
}

/// Nightly price excluding tax.
pub fn nightly_price(
    shop: &Shop,
    room_type: &RoomType,
    night: NaiveDate,
    groups: &[u32],
) -> Decimal {
    match winning_rule(shop, room_type.id, night, groups) {
        Some(rule) => apply_impact(room_type.price, rule),
        None => room_type.price,
    }
}

/// Price of the nights `from..to` (checkout exclusive), excluding tax.
pub fn stay_price(
    shop: &Shop,
    room_type: &RoomType,
    from: NaiveDate,
    to: NaiveDate,
    groups: &[u32],
) -> Decimal {
    nights(from, to)
        .map(|n| nightly_price(shop, room_type, n, groups))
        .sum()
}

/// The nights of a stay: `from`, `from + 1`, ..., `to - 1`.
pub fn nights(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d < to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;
    use crate::state::FeaturePrice;

    fn rule(id: u32, kind: u32, from: &str, to: &str, value: i64) -> FeaturePrice {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        FeaturePrice {
            id,
            id_product: 1,
            id_cart: 0,
            id_guest: 0,
            id_room: 0,
            name: "r".into(),
            date_selection_type: kind,
            date_from: d(from),
            date_to: d(to),
            impact_way: IMPACT_FIXED_PRICE,
            impact_type: 2,
            impact_value: Decimal::from(value),
            is_special_days_exists: false,
            special_days: String::new(),
            active: true,
            groups: vec![1, 2, 3],
            date_add: chrono::NaiveDateTime::default(),
            date_upd: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn inclusive_date_to_and_priority() {
        let mut shop = Shop::demo(&SimConfig::default()).expect("demo shop");
        shop.feature_prices
            .insert(1, rule(1, DATE_RANGE, "2026-12-10", "2026-12-12", 120));
        shop.feature_prices
            .insert(2, rule(2, SPECIFIC_DATE, "2026-12-11", "2026-12-12", 99));
        let rt = shop.room_types[&1].clone();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(
            nightly_price(&shop, &rt, d("2026-12-10"), &[1]),
            Decimal::from(120)
        );
        assert_eq!(
            nightly_price(&shop, &rt, d("2026-12-11"), &[1]),
            Decimal::from(99)
        );
        assert_eq!(
            nightly_price(&shop, &rt, d("2026-12-12"), &[1]),
            Decimal::from(120)
        );
        assert_eq!(
            nightly_price(&shop, &rt, d("2026-12-13"), &[1]),
            Decimal::from(1000)
        );
        assert_eq!(
            stay_price(&shop, &rt, d("2026-12-09"), d("2026-12-14"), &[3]),
            Decimal::from(1000 + 120 + 99 + 120 + 1000)
        );
        // A rule without a shared group never applies.
        assert_eq!(
            nightly_price(&shop, &rt, d("2026-12-10"), &[7]),
            Decimal::from(1000)
        );
    }

    #[test]
    fn percentage_and_amount_impacts() {
        let mut r = rule(1, DATE_RANGE, "2026-01-01", "2026-01-01", 10);
        r.impact_way = IMPACT_DECREASE;
        r.impact_type = IMPACT_PERCENTAGE;
        assert_eq!(apply_impact(Decimal::from(200), &r), Decimal::from(180));
        r.impact_way = IMPACT_INCREASE;
        r.impact_type = 2;
        assert_eq!(apply_impact(Decimal::from(200), &r), Decimal::from(210));
    }
}
