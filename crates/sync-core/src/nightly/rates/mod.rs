//! Rates (`rate.update`): PMS nightly rates become QloApps `feature_prices` rules that
//! qlosync owns and records in `qloapps_rate_rules` (docs/rates-and-availability.md, "Rates").
//!
//! Each rule is a fixed nightly price excluding tax (`impact_way` 3, `impact_type` 2) over
//! an inclusive date range, for the customer groups 1, 2 and 3. Contiguous nights with one
//! rate share one rule; owned rules never overlap; rules qlosync did not create are never
//! read for writing, changed or deleted. Nights without a PMS rate have no owned rule, so
//! QloApps falls back to the room type's base price. The diff runs against the recorded rules
//! ([`plan`]), so a push that changes nothing makes no QloApps call at all; with
//! [`SyncMode::Verify`] (reconciliation) the room type's rules are read first and anything
//! changed behind qlosync's back is rewritten.

mod apply;
pub mod plan;
pub mod verify;

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use crate::db;
use crate::db::advisory_lock::LockKey;
use crate::db::qloapps_rate_rules::{self as rules, RuleRow};
use crate::domain::{ConfigId, RoomTypeId, SyncOutcome};
use crate::nightly::record::{self, LogItem, RunRecord};
use crate::nightly::target::{self, Loaded, Target};
use crate::qlo_clients::QloClients;
use crate::sync_error::SyncError;
use apply::Applier;
use plan::{OwnedRule, Run};

/// How far a sync trusts its own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// Diff against what qlosync recorded: no QloApps read unless a write's outcome is unknown.
    Trust,
    /// Read QloApps first and repair what was changed there (reconciliation).
    Verify,
}

/// What a rate sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RateOutcome {
    pub rules_created: u32,
    pub rules_updated: u32,
    pub rules_deleted: u32,
    pub rules_unchanged: u32,
    /// Why nothing was done, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

#[derive(Clone)]
pub struct RateService {
    pool: PgPool,
    clients: Arc<QloClients>,
}

impl RateService {
    pub fn new(pool: PgPool, clients: Arc<QloClients>) -> Self {
        RateService { pool, clients }
    }

    /// Makes QloApps price the nights `from..=to` of a PMS room type at the PMS rates (the
    /// owned rules crossing the range are re-planned whole), records a `rate_push` run, and
    /// reports what it wrote. Syncs of one room type run one at a time across processes.
    pub async fn sync_rates(
        &self,
        config_id: ConfigId,
        room_type_id: RoomTypeId,
        (from, to): (NaiveDate, NaiveDate),
        mode: SyncMode,
    ) -> Result<RateOutcome, SyncError> {
        let started = Instant::now();
        let lock = target::lock(&self.pool, LockKey::Rates(config_id, room_type_id)).await?;
        let target = match target::load(&self.pool, &self.clients, config_id, room_type_id).await {
            Ok(Loaded::Ready(target)) => target,
            Ok(Loaded::Skip { reason, recordable }) => {
                let item = skipped_item(room_type_id, reason);
                if recordable {
                    self.record(config_id, started, None, &[item]).await?;
                }
                lock.commit().await?;
                return Ok(RateOutcome {
                    skipped: Some(reason.to_owned()),
                    ..RateOutcome::default()
                });
            }
            Err(e) => return Err(e),
        };
        let mut applier = Applier::new(&self.pool, &target);
        let result = self.run(&mut applier, (from, to), mode).await;
        let error = result.as_ref().err().map(ToString::to_string);
        let mut items = std::mem::take(&mut applier.items);
        let outcome = outcome_of(&items, result.as_ref().ok().copied());
        if items.is_empty() && error.is_none() {
            items.push(skipped_item(
                room_type_id,
                "QloApps already has these rates",
            ));
        }
        self.record(config_id, started, error, &items).await?;
        lock.commit().await?;
        tracing::info!(%config_id, %room_type_id, %from, %to, ?outcome, "rates synced");
        result.map(|_| outcome)
    }

    /// Returns the number of owned rules kept as they were.
    async fn run(
        &self,
        applier: &mut Applier<'_>,
        (from, to): (NaiveDate, NaiveDate),
        mode: SyncMode,
    ) -> Result<u32, SyncError> {
        let t: &Target = applier.target;
        let mut rows = rules::rules_of_room_type(&self.pool, t.config.id, t.room_type.id).await?;
        if mode == SyncMode::Verify || rows.iter().any(|r| r.qloapps_rule_id.is_none()) {
            // rules of another QloApps room type (the mapping changed) are checked under it
            let mut listed = t.client.feature_prices(t.qlo_room_type).await?;
            for other in stale_room_types(&rows, t.qlo_room_type) {
                listed.extend(t.client.feature_prices(other).await?);
            }
            let verify_all = mode == SyncMode::Verify;
            rows = verify::reconcile_rows(&self.pool, rows, &listed, &t.room_type.code, verify_all)
                .await?;
        }
        let current = crate::domain::QloRoomTypeId(t.qlo_room_type);
        let (mine, stale): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|r| r.qloapps_room_type_id == current);
        for row in &stale {
            applier.delete(row).await?;
        }
        let runs: Vec<Run> = mine.iter().map(Run::from).collect();
        let (w_from, w_to) = plan::window(from, to, &runs);
        let nights = db::rates::get_rates(&self.pool, t.room_type.id, w_from, w_to).await?;
        let nights: Vec<_> = nights.iter().map(|n| (n.night, n.rate)).collect();
        let wanted = plan::runs(&nights);
        let existing: Vec<OwnedRule> = mine
            .iter()
            .filter(|r| Run::from(*r).overlaps(w_from, w_to))
            .map(|r| OwnedRule {
                id: r.id,
                run: Run::from(r),
                trusted: r.is_active(),
            })
            .collect();
        let plan = plan::plan(&wanted, &existing);
        let row = |id| mine.iter().find(|r| r.id == id);
        // deletes first, so a moved rule never overlaps one about to go
        for row in plan.delete.iter().filter_map(|id| row(*id)) {
            applier.delete(row).await?;
        }
        for (row, run) in plan
            .update
            .iter()
            .filter_map(|(id, run)| row(*id).map(|r| (r, *run)))
        {
            applier.update(row, run).await?;
        }
        for run in &plan.create {
            applier.create(*run).await?;
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
            sync_type: "rate_push",
            operation: "rate.update",
            started,
            error,
            items,
        };
        record::record_run(&self.pool, &run).await?;
        Ok(())
    }
}

fn stale_room_types(rows: &[RuleRow], current: u64) -> Vec<u64> {
    let mut other: Vec<u64> = rows
        .iter()
        .map(|r| r.qloapps_room_type_id.get())
        .filter(|id| *id != current)
        .collect();
    other.sort_unstable();
    other.dedup();
    other
}

fn skipped_item(room_type_id: RoomTypeId, reason: &str) -> LogItem {
    LogItem {
        operation: "sync_rates",
        entity_type: "rate",
        local_entity_id: Some(room_type_id.0),
        qloapps_entity_id: None,
        outcome: SyncOutcome::Skipped,
        message: reason.to_owned(),
        details: None,
    }
}

fn outcome_of(items: &[LogItem], kept: Option<u32>) -> RateOutcome {
    let count =
        |op: &str| u32::try_from(items.iter().filter(|i| i.operation == op).count()).unwrap_or(0);
    RateOutcome {
        rules_created: count("create_rule"),
        rules_updated: count("update_rule"),
        rules_deleted: count("delete_rule"),
        rules_unchanged: kept.unwrap_or(0),
        skipped: None,
    }
}
