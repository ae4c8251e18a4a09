//! Settles what the hold table cannot know by itself before a sync plans: holds whose
//! create or cancel answer was lost, and (when verifying) holds changed in QloApps.

use std::collections::HashMap;

use super::apply::{active_rooms_of, HoldApplier};
use crate::db::qloapps_inventory_holds::{self as holds, HoldRow};
use crate::domain::SyncOutcome;
use crate::nightly::rates::SyncMode;
use crate::sync_error::SyncError;

/// Returns the holds that still hold rooms ('active', or 'cancelling' and not yet cancelled).
///
/// - pending: looked up by source (one `orders` read each; only after a lost answer), then
///   adopted, or forgotten when QloApps has no such booking;
/// - cancelling, and with [`SyncMode::Verify`] every active hold: their orders are read in one
///   batch, and those QloApps already cancelled (or no longer has) are marked cancelled.
pub async fn resolve(
    applier: &mut HoldApplier<'_>,
    rows: Vec<HoldRow>,
    mode: SyncMode,
) -> Result<Vec<HoldRow>, SyncError> {
    let pool = applier.pool;
    let client = &applier.target.client;
    let mut live = Vec::with_capacity(rows.len());
    for mut row in rows {
        if row.status != "pending" {
            live.push(row);
            continue;
        }
        match client.find_order_by_source(&row.source).await? {
            None => holds::delete_row(pool, row.id).await?,
            Some(order) => {
                let states = client.cached_shop_configuration().await?.order_states;
                if states.frees_rooms(order.current_state) {
                    holds::set_status(pool, row.id, "cancelled").await?;
                    continue;
                }
                let rooms = active_rooms_of(client, order.id).await?;
                holds::set_active(pool, row.id, order.id, &rooms).await?;
                row.qloapps_order_id = Some(crate::domain::QloOrderId(order.id));
                row.room_ids = rooms
                    .iter()
                    .filter_map(|r| i64::try_from(*r).ok())
                    .collect();
                row.status = "active".into();
                live.push(row);
            }
        }
    }
    let check: Vec<u64> = live
        .iter()
        .filter(|r| r.status == "cancelling" || mode == SyncMode::Verify)
        .filter_map(HoldRow::order_id)
        .collect();
    if check.is_empty() {
        return Ok(live);
    }
    let states = client.cached_shop_configuration().await?.order_states;
    let orders: HashMap<u64, u32> = client
        .orders_by_ids(&check)
        .await?
        .into_iter()
        .map(|o| (o.id, o.current_state))
        .collect();
    let mut out = Vec::with_capacity(live.len());
    for row in live {
        let Some(order_id) = row.order_id().filter(|id| check.contains(id)) else {
            out.push(row);
            continue;
        };
        let gone = orders
            .get(&order_id)
            .is_none_or(|state| states.frees_rooms(*state));
        if !gone {
            out.push(row);
            continue;
        }
        holds::set_status(pool, row.id, "cancelled").await?;
        if row.status == "active" {
            applier.log(
                "hold_gone",
                SyncOutcome::Updated,
                Some(order_id),
                format!("hold order {order_id} was cancelled in QloApps, not by qlosync; its nights are planned again"),
            );
        }
    }
    Ok(out)
}
