//! Hold computation, without I/O.
//!
//! Per night: QloApps could sell `free` rooms if qlosync held none (what `hotel_ari` shows
//! free plus the rooms of qlosync's own holds); the PMS allows `pms`; so qlosync must hold
//! `target = max(0, free - pms)` rooms (0 where the PMS sets no limit).
//!
//! - Existing holds are kept, biggest first, while they fit under the target on every night
//!   (a hold that no longer fits is cancelled: a QloApps booking cannot shrink safely).
//! - The rest, `target - kept`, is held by new holds: one per run of contiguous nights with
//!   the same shortfall, split where no set of that many rooms is free on every night of the
//!   run (QloApps books one room for the whole stay).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::db::qloapps_inventory_holds::HoldRow;

/// A live hold as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveHold {
    pub id: Uuid,
    pub check_in: NaiveDate,
    /// Departure day (exclusive).
    pub check_out: NaiveDate,
    pub rooms: u32,
    /// The QloApps rooms it occupies; may be empty when unknown.
    pub room_ids: Vec<u64>,
    /// False for a hold already being cancelled: it still occupies rooms but is never kept.
    pub keepable: bool,
}

impl LiveHold {
    pub fn covers(&self, night: NaiveDate) -> bool {
        self.check_in <= night && night < self.check_out
    }

    fn ids_known(&self) -> bool {
        self.room_ids.len() == self.rooms as usize
    }
}

/// A hold's row as the plan sees it: only an 'active' hold can be kept.
impl From<&HoldRow> for LiveHold {
    fn from(row: &HoldRow) -> LiveHold {
        LiveHold {
            id: row.id,
            check_in: row.check_in,
            check_out: row.check_out,
            rooms: u32::try_from(row.rooms).unwrap_or(0),
            room_ids: row
                .room_ids
                .iter()
                .filter_map(|r| u64::try_from(*r).ok())
                .collect(),
            keepable: row.status == "active",
        }
    }
}

/// One night of the window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NightState {
    /// Rooms `hotel_ari` shows free (qlosync's holds excluded, as they are booked).
    pub free: BTreeSet<u64>,
    /// What the PMS allows to sell; `None`: no limit set.
    pub pms: Option<u32>,
}

/// A hold to create: `rooms` rooms for the nights `check_in..check_out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewHold {
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    pub rooms: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HoldPlan {
    pub keep: Vec<Uuid>,
    pub cancel: Vec<Uuid>,
    pub create: Vec<NewHold>,
}

/// Rooms to hold on one night: what QloApps would sell without holds, beyond the PMS limit.
pub fn target(sellable_without_holds: u32, pms: Option<u32>) -> u32 {
    pms.map_or(0, |allowed| sellable_without_holds.saturating_sub(allowed))
}

/// Plans the holds for the nights of `nights` (holds' other nights are not looked at).
pub fn plan(nights: &BTreeMap<NaiveDate, NightState>, holds: &[LiveHold]) -> HoldPlan {
    let held =
        |n: &NaiveDate| -> u32 { holds.iter().filter(|h| h.covers(*n)).map(|h| h.rooms).sum() };
    let targets: BTreeMap<NaiveDate, u32> = nights
        .iter()
        .map(|(n, s)| (*n, target(count(&s.free) + held(n), s.pms)))
        .collect();

    let mut out = HoldPlan::default();
    let mut kept: BTreeMap<NaiveDate, u32> = targets.keys().map(|n| (*n, 0)).collect();
    let mut order: Vec<&LiveHold> = holds.iter().collect();
    let weight = |h: &LiveHold| -> u64 {
        let in_window = targets.keys().filter(|n| h.covers(**n)).count() as u64;
        in_window * u64::from(h.rooms)
    };
    order.sort_by_key(|h| (std::cmp::Reverse(weight(h)), h.check_in, h.id));
    for hold in order {
        let fits = hold.keepable
            && targets
                .iter()
                .filter(|(n, _)| hold.covers(**n))
                .all(|(n, t)| kept[n] + hold.rooms <= *t);
        if fits {
            for (_, k) in kept.iter_mut().filter(|(n, _)| hold.covers(**n)) {
                *k += hold.rooms;
            }
            out.keep.push(hold.id);
        } else {
            out.cancel.push(hold.id);
        }
    }

    // Rooms a new hold may take each night: free now, or freed by the holds being cancelled;
    // `None` when a cancelled hold's rooms are unknown (then only counts can be checked).
    let rooms_for_new = |n: &NaiveDate| -> Option<BTreeSet<u64>> {
        let mut set = nights.get(n)?.free.clone();
        for h in holds
            .iter()
            .filter(|h| h.covers(*n) && out.cancel.contains(&h.id))
        {
            if !h.ids_known() {
                return None;
            }
            set.extend(h.room_ids.iter().copied());
        }
        Some(set)
    };
    let needed: Vec<(NaiveDate, u32, Option<BTreeSet<u64>>)> = targets
        .iter()
        .map(|(n, t)| (*n, t - kept[n], rooms_for_new(n)))
        .collect();
    out.create = holds_for(&needed);
    out
}

/// New holds covering `needed` (night, rooms, rooms free for it), nights in order: one per
/// run of contiguous nights needing the same number, cut where fewer than that many rooms
/// stay free across the whole run.
pub fn holds_for(needed: &[(NaiveDate, u32, Option<BTreeSet<u64>>)]) -> Vec<NewHold> {
    let mut out: Vec<NewHold> = Vec::new();
    // the rooms free on every night of the open hold so far (None: unknown)
    let mut common: Option<BTreeSet<u64>> = None;
    for (night, rooms, free) in needed {
        let (night, rooms) = (*night, *rooms);
        if rooms == 0 {
            continue;
        }
        let next = night.succ_opt().unwrap_or(night);
        if let Some(open) = out.last_mut() {
            if open.check_out == night && open.rooms == rooms {
                let joined = match (&common, free) {
                    (Some(a), Some(b)) => Some(a.intersection(b).copied().collect()),
                    _ => None,
                };
                if joined
                    .as_ref()
                    .is_none_or(|j: &BTreeSet<u64>| count(j) >= rooms)
                {
                    open.check_out = next;
                    common = joined;
                    continue;
                }
            }
        }
        out.push(NewHold {
            check_in: night,
            check_out: next,
            rooms,
        });
        common = free.clone();
    }
    out
}

fn count(set: &BTreeSet<u64>) -> u32 {
    u32::try_from(set.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
