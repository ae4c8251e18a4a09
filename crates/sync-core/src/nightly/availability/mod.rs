//! Availability (`availability.update`): QloApps sells physical rooms and has no settable
//! count, so qlosync makes it sell at most the PMS's available count per night by keeping
//! *inventory hold* bookings it owns (docs/rates-and-availability.md, "Availability").
//!
//! A sync reads QloApps' free rooms of the room type with `hotel_ari` ([`inventory`]),
//! computes the holds each night needs ([`plan`]), cancels its own holds where the PMS allows
//! more again and creates holds where QloApps would sell more than allowed ([`apply`]). Holds
//! are zero-priced bookings of one hold customer per config with `source =
//! "qlosync-hold:<id>"`, recorded in `qloapps_inventory_holds`. A booking qlosync did not
//! create as a hold is never touched. Past nights are left alone.

mod apply;
mod hold;
pub mod inventory;
pub mod plan;
mod resolve;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

pub use hold::hold_customer;

use crate::db;
use crate::db::advisory_lock::LockKey;
use crate::db::qloapps_inventory_holds::{self as holds, HoldRow};
use crate::domain::{ConfigId, RoomTypeId, SyncOutcome};
use crate::nightly::rates::SyncMode;
use crate::nightly::record::{self, LogItem, RunRecord};
use crate::nightly::target::{self, Loaded, Target};
use crate::qlo_clients::QloClients;
use crate::sync_error::SyncError;
use apply::HoldApplier;
use plan::{LiveHold, NightState};

/// Nights on which QloApps could not be stopped from selling more than the PMS allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverbookingRisk {
    #[schema(value_type = String, format = Date)]
    pub first_night: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub last_night: NaiveDate,
    /// Rooms qlosync needed to hold but could not, each of these nights.
    pub rooms_short: u32,
}

impl OverbookingRisk {
    /// Runs of contiguous nights with the same shortfall (`short` sorted by night; several
    /// entries of one night add up).
    pub fn runs(short: &[(NaiveDate, u32)]) -> Vec<OverbookingRisk> {
        let mut per_night: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        for (night, rooms) in short {
            *per_night.entry(*night).or_default() += rooms;
        }
        let mut out: Vec<OverbookingRisk> = Vec::new();
        for (night, rooms) in per_night.into_iter().filter(|(_, r)| *r > 0) {
            match out.last_mut() {
                Some(r) if r.rooms_short == rooms && r.last_night.succ_opt() == Some(night) => {
                    r.last_night = night;
                }
                _ => out.push(OverbookingRisk {
                    first_night: night,
                    last_night: night,
                    rooms_short: rooms,
                }),
            }
        }
        out
    }
}

/// What an availability sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityOutcome {
    pub holds_created: u32,
    pub holds_cancelled: u32,
    pub holds_kept: u32,
    pub overbooking_risks: Vec<OverbookingRisk>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

#[derive(Clone)]
pub struct AvailabilityService {
    pool: PgPool,
    clients: Arc<QloClients>,
}

impl AvailabilityService {
    pub fn new(pool: PgPool, clients: Arc<QloClients>) -> Self {
        AvailabilityService { pool, clients }
    }

    /// Makes QloApps sell at most the PMS's count on the nights `from..=to` (and on every
    /// night of the holds crossing them), records an `availability_push` run, and reports what
    /// it did. A hold QloApps refuses is an overbooking risk in the outcome and the sync log,
    /// not an error. Syncs of one room type run one at a time across processes.
    pub async fn sync_availability(
        &self,
        config_id: ConfigId,
        room_type_id: RoomTypeId,
        (from, to): (NaiveDate, NaiveDate),
        mode: SyncMode,
    ) -> Result<AvailabilityOutcome, SyncError> {
        let started = Instant::now();
        let lock = target::lock(&self.pool, LockKey::Availability(config_id, room_type_id)).await?;
        let target = match target::load(&self.pool, &self.clients, config_id, room_type_id).await? {
            Loaded::Ready(target) => target,
            Loaded::Skip { reason, recordable } => {
                if recordable {
                    let item = skipped_item(room_type_id, reason);
                    self.record(config_id, started, None, &[item]).await?;
                }
                lock.commit().await?;
                return Ok(AvailabilityOutcome {
                    skipped: Some(reason.to_owned()),
                    ..AvailabilityOutcome::default()
                });
            }
        };
        let mut applier = HoldApplier::new(&self.pool, &target, target.currency.clone());
        let result = self.run(&mut applier, (from, to), mode).await;
        let error = result.as_ref().err().map(ToString::to_string);
        let mut items = std::mem::take(&mut applier.items);
        let count = |op: &str| {
            u32::try_from(items.iter().filter(|i| i.operation == op).count()).unwrap_or(0)
        };
        let outcome = AvailabilityOutcome {
            holds_created: count("create_hold"),
            holds_cancelled: count("cancel_hold"),
            holds_kept: *result.as_ref().unwrap_or(&0),
            overbooking_risks: std::mem::take(&mut applier.risks),
            skipped: None,
        };
        if items.is_empty() && error.is_none() {
            items.push(skipped_item(
                room_type_id,
                "QloApps already sells what the PMS allows",
            ));
        }
        self.record(config_id, started, error, &items).await?;
        lock.commit().await?;
        tracing::info!(%config_id, %room_type_id, %from, %to, ?outcome, "availability synced");
        result.map(|_| outcome)
    }

    /// Returns the number of holds kept as they were.
    async fn run(
        &self,
        applier: &mut HoldApplier<'_>,
        (from, to): (NaiveDate, NaiveDate),
        mode: SyncMode,
    ) -> Result<u32, SyncError> {
        let t: &Target = applier.target;
        let rows = holds::live_holds(&self.pool, t.config.id, t.room_type.id).await?;
        let rows = resolve::resolve(applier, rows, mode).await?;
        let current = crate::domain::QloRoomTypeId(t.qlo_room_type);
        // holds of another QloApps room type (the mapping changed) and holds whose cancel
        // was interrupted go first, so the read below sees their rooms free
        let (mine, gone): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|r| r.qloapps_room_type_id == current && r.status == "active");
        for row in &gone {
            applier.cancel(row).await?;
        }
        let today = Utc::now().date_naive();
        let from = from.max(today);
        if to < from {
            let msg = format!("the nights up to {to} are past: QloApps no longer sells them");
            applier.log("sync_availability", SyncOutcome::Skipped, None, msg);
            return Ok(0);
        }
        let (w_from, w_to) = window(from, to, &mine, today);
        let inventory = inventory::read(&t.client, Some(t.qlo_room_type), w_from, w_to).await?;
        if !inventory.currency.is_empty() {
            applier.currency = inventory.currency.clone();
        }
        let free = inventory.room_type(t.qlo_room_type);
        let limits: BTreeMap<NaiveDate, u32> =
            db::availability::get_availability(&self.pool, t.room_type.id, w_from, w_to)
                .await?
                .into_iter()
                .map(|n| (n.night, u32::try_from(n.available).unwrap_or(0)))
                .collect();
        let nights: BTreeMap<NaiveDate, NightState> = w_from
            .iter_days()
            .take_while(|n| *n <= w_to)
            .map(|n| {
                let state = NightState {
                    free: free.get(&n).map(|x| x.free.clone()).unwrap_or_default(),
                    pms: limits.get(&n).copied(),
                };
                (n, state)
            })
            .collect();
        let live: Vec<_> = mine
            .iter()
            .filter(|r| r.check_out > w_from && r.check_in <= w_to)
            .map(LiveHold::from)
            .collect();
        let plan = plan::plan(&nights, &live);
        for row in mine.iter().filter(|r| plan.cancel.contains(&r.id)) {
            applier.cancel(row).await?;
        }
        for hold in &plan.create {
            applier.create(*hold).await?;
        }
        Ok(u32::try_from(plan.keep.len()).unwrap_or(u32::MAX))
    }

    async fn record(
        &self,
        config_id: ConfigId,
        started: Instant,
        error: Option<String>,
        items: &[LogItem],
    ) -> Result<(), SyncError> {
        let run = RunRecord {
            config_id,
            sync_type: "availability_push",
            operation: "availability.update",
            started,
            error,
            items,
        };
        record::record_run(&self.pool, &run).await?;
        Ok(())
    }
}

/// `from..=to` grown over the future nights of every hold crossing it, transitively, so a
/// hold that must go is replaced on all its nights.
fn window(
    from: NaiveDate,
    to: NaiveDate,
    holds: &[HoldRow],
    today: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let (mut from, mut to) = (from, to);
    loop {
        let (mut new_from, mut new_to) = (from, to);
        for h in holds {
            let (first, last) = (h.check_in.max(today), apply::last_night(h.check_out));
            if first <= last && first <= to && from <= last {
                new_from = new_from.min(first);
                new_to = new_to.max(last);
            }
        }
        if (new_from, new_to) == (from, to) {
            return (from, to);
        }
        (from, to) = (new_from, new_to);
    }
}

fn skipped_item(room_type_id: RoomTypeId, reason: &str) -> LogItem {
    LogItem {
        operation: "sync_availability",
        entity_type: "availability",
        local_entity_id: Some(room_type_id.0),
        qloapps_entity_id: None,
        outcome: SyncOutcome::Skipped,
        message: reason.to_owned(),
        details: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortfalls_group_into_runs_of_equal_rooms() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        let short = [(d(1), 1), (d(2), 1), (d(2), 1), (d(3), 2), (d(5), 2)];
        let runs = OverbookingRisk::runs(&short);
        let got: Vec<_> = runs
            .iter()
            .map(|r| (r.first_night, r.last_night, r.rooms_short))
            .collect();
        assert_eq!(got, vec![(d(1), d(1), 1), (d(2), d(3), 2), (d(5), d(5), 2)]);
    }
}
