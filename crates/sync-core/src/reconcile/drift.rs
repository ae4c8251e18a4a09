//! Drift, without I/O: what QloApps would sell and charge per night against the PMS.
//!
//! **Availability.** QloApps would sell `free` rooms (`hotel_ari`). With qlosync's holds
//! right it sells `min(pms, free + held)` (capped by the rooms in service): the PMS limit, or
//! everything QloApps has when that is less. A night drifts when QloApps sells more than the
//! PMS allows, or qlosync's holds block more than needed. Fewer rooms than the PMS allows
//! because QloApps has no more is not drift: no hold can change it.
//!
//! **Rates.** `hotel_ari` prices include the services QloApps auto-adds per night (+250 on
//! the captured demo shop), which the PMS rate does not. qlosync resolves each night's room
//! price from the room type's rules the way QloApps does (port of
//! `getProductFeaturePricePlanByDateByPriority`, Visitor group), takes the most common
//! difference between `hotel_ari` and that price as the services amount, and compares
//! `hotel_ari - services` with the PMS rate. A night where QloApps prices otherwise than the
//! port predicts therefore still shows up. Nights without a PMS rate drift only when an
//! owned rule still covers them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};
use qlo_client::FeaturePrice;
use rust_decimal::Decimal;

use super::report::{AvailabilityDrift, RateDrift};
use crate::nightly::availability::inventory::Night;

/// Rule kinds in QloApps' default priority (`HTL_FEATURE_PRICING_PRIORITY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    SpecificDate,
    SpecialDay,
    DateRange,
}

const VISITOR_GROUP: u64 = 1;

fn weekday(night: NaiveDate) -> &'static str {
    match night.weekday() {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

fn kind_on(rule: &FeaturePrice, night: NaiveDate) -> Option<Kind> {
    let from = rule.date_from?;
    if rule.date_selection_type == 2 {
        return (from == night).then_some(Kind::SpecificDate);
    }
    let to = rule.date_to.unwrap_or(from);
    if rule.date_selection_type != 1 || night < from || night > to {
        return None;
    }
    if rule.is_special_days_exists {
        let days: Vec<String> = serde_json::from_str(&rule.special_days).unwrap_or_default();
        let today = weekday(night);
        return days
            .iter()
            .any(|d| d.eq_ignore_ascii_case(today))
            .then_some(Kind::SpecialDay);
    }
    Some(Kind::DateRange)
}

/// The room price QloApps' rules give `night` (excluding tax), from `base` (the room type's
/// price). Same-kind overlaps are arbitrary in QloApps; the lowest id wins here.
pub fn resolve_price(rules: &[FeaturePrice], base: Decimal, night: NaiveDate) -> Decimal {
    let winner = rules
        .iter()
        .filter(|r| r.active && r.id_cart == 0)
        .filter(|r| r.associations.groups.iter().any(|g| g.id == VISITOR_GROUP))
        .filter_map(|r| kind_on(r, night).map(|k| (k, r)))
        .min_by_key(|(k, r)| (*k, r.id));
    let Some((_, rule)) = winner else {
        return base;
    };
    let amount = if rule.impact_type == 1 {
        base * rule.impact_value / Decimal::from(100)
    } else {
        rule.impact_value
    };
    let price = match rule.impact_way {
        3 => rule.impact_value,
        1 => base - amount,
        2 => base + amount,
        _ => base,
    };
    price.max(Decimal::ZERO)
}

/// The most common value (ties: the smallest), e.g. the services amount per night.
pub fn most_common(values: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    let mut counts: BTreeMap<Decimal, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v.normalize()).or_default() += 1;
    }
    let best = counts.values().copied().max()?;
    counts.into_iter().find(|(_, c)| *c == best).map(|(v, _)| v)
}

/// Everything drift is computed from, for one room type over some nights.
pub struct RoomTypeView<'a> {
    pub nights: &'a [NaiveDate],
    pub qloapps: &'a BTreeMap<NaiveDate, Night>,
    /// Rooms of qlosync's active holds per night.
    pub held: &'a HashMap<NaiveDate, u32>,
    /// Rooms in service.
    pub capacity: u32,
    pub pms_available: &'a BTreeMap<NaiveDate, i32>,
    pub pms_rates: &'a BTreeMap<NaiveDate, Decimal>,
    pub rules: &'a [FeaturePrice],
    /// QloApps ids of the rules qlosync owns for this room type.
    pub owned: &'a BTreeSet<u64>,
    pub base_price: Decimal,
}

pub fn availability_drift(v: &RoomTypeView<'_>) -> Vec<AvailabilityDrift> {
    let mut out = Vec::new();
    for night in v.nights {
        let sellable = v
            .qloapps
            .get(night)
            .map_or(0, |n| u32::try_from(n.free.len()).unwrap_or(u32::MAX));
        let held = v.held.get(night).copied().unwrap_or(0);
        let without_holds = (sellable + held).min(v.capacity.max(sellable));
        let pms = v.pms_available.get(night).copied();
        let expected = match pms {
            Some(allowed) => without_holds.min(u32::try_from(allowed).unwrap_or(0)),
            None => without_holds,
        };
        if sellable != expected {
            out.push(AvailabilityDrift {
                night: *night,
                pms,
                qloapps: sellable,
            });
        }
    }
    out
}

/// Rate drift and the services amount per night that was taken off `hotel_ari`.
pub fn rate_drift(v: &RoomTypeView<'_>) -> (Vec<RateDrift>, Option<Decimal>) {
    let resolved: BTreeMap<NaiveDate, Decimal> = v
        .nights
        .iter()
        .map(|n| (*n, resolve_price(v.rules, v.base_price, *n)))
        .collect();
    let services = most_common(v.nights.iter().filter_map(|n| {
        let ari = v.qloapps.get(n)?.price?;
        Some(ari - resolved[n])
    }));
    let mut out = Vec::new();
    for night in v.nights {
        let qloapps = match (v.qloapps.get(night).and_then(|n| n.price), services) {
            (Some(ari), Some(services)) => ari - services,
            _ => resolved[night],
        };
        let pms = v.pms_rates.get(night).copied();
        let drifted = match pms {
            Some(rate) => rate != qloapps,
            None => v
                .rules
                .iter()
                .any(|r| v.owned.contains(&r.id) && r.active && kind_on(r, *night).is_some()),
        };
        if drifted {
            out.push(RateDrift {
                night: *night,
                pms,
                qloapps: qloapps.round_dp(2),
            });
        }
    }
    (out, services.map(|s| s.round_dp(2)))
}

#[cfg(test)]
#[path = "drift_tests.rs"]
mod tests;
