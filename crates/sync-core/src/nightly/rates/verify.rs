//! Checks owned rows against the rules QloApps really has (one `feature_prices` read of the
//! room type): adopts a rule whose creation was never confirmed, marks rows pending where
//! QloApps differs (so the plan rewrites them), forgets rows whose rule is gone.

use qlo_client::FeaturePrice;
use sqlx::PgPool;

use super::plan::{rule_name, Run};
use crate::db::qloapps_rate_rules::{self as rules, RuleRow};
use crate::sync_error::SyncError;

/// Whether a QloApps rule is exactly what qlosync wrote for `row`: a fixed nightly price over
/// the row's nights, active, for the Visitor group at least (the group `hotel_ari` and
/// anonymous visitors price with).
pub fn rule_matches(rule: &FeaturePrice, row: &RuleRow) -> bool {
    rule.id_product == row.qloapps_room_type_id.get()
        && rule.id_cart == 0
        && rule.active
        && rule.date_selection_type == 1
        && !rule.is_special_days_exists
        && rule.impact_way == 3
        && rule.impact_type == 2
        && rule.impact_value == row.rate
        && rule.date_from == Some(row.date_from)
        && rule.date_to == Some(row.date_to)
        && rule.associations.groups.iter().any(|g| g.id == 1)
}

/// Brings `rows` in line with `listed` (the room type's rules in QloApps) and returns the rows
/// that still stand. `check_active`: also verify confirmed rows, not only pending ones.
pub async fn reconcile_rows(
    pool: &PgPool,
    rows: Vec<RuleRow>,
    listed: &[FeaturePrice],
    code: &str,
    check_active: bool,
) -> Result<Vec<RuleRow>, SyncError> {
    let owned_ids: Vec<u64> = rows.iter().filter_map(RuleRow::rule_id).collect();
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        match row.rule_id() {
            None => {
                // a create whose answer was lost: adopt the rule it made, if any
                let name = rule_name(code, &Run::from(&row));
                let found = listed
                    .iter()
                    .filter(|r| !owned_ids.contains(&r.id))
                    .filter(|r| r.feature_price_name == name || r.feature_price_name == row.name)
                    .filter(|r| rule_matches(r, &row))
                    .max_by_key(|r| r.id);
                match found {
                    Some(rule) => {
                        rules::set_active(pool, row.id, rule.id).await?;
                        row.qloapps_rule_id = i64::try_from(rule.id).ok();
                        row.status = "active".into();
                        out.push(row);
                    }
                    None => rules::delete_row(pool, row.id).await?,
                }
            }
            Some(rule_id) if check_active || !row.is_active() => {
                match listed.iter().find(|r| r.id == rule_id) {
                    // deleted in QloApps: nothing left to own
                    None => rules::delete_row(pool, row.id).await?,
                    Some(rule) if rule_matches(rule, &row) => {
                        if !row.is_active() {
                            rules::set_active(pool, row.id, rule_id).await?;
                            row.status = "active".into();
                        }
                        out.push(row);
                    }
                    Some(_) => {
                        if row.is_active() {
                            rules::mark_pending(pool, row.id).await?;
                            row.status = "pending".into();
                        }
                        out.push(row);
                    }
                }
            }
            Some(_) => out.push(row),
        }
    }
    Ok(out)
}
