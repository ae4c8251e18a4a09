//! Carries out a [`RatePlan`] against QloApps, one write at a time, keeping
//! `qloapps_rate_rules` in step: a row is marked pending before its write and confirmed after,
//! so a crash between the two leaves a row the next sync checks instead of an unknown rule.

use qlo_client::{FeaturePriceInput, QloClient};
use sqlx::PgPool;
use uuid::Uuid;

use super::plan::{rule_name, Run};
use crate::db::qloapps_rate_rules::{self as rules, RuleRow};
use crate::domain::SyncOutcome;
use crate::nightly::record::LogItem;
use crate::nightly::target::Target;
use crate::sync_error::SyncError;

/// Writes rules for one target and tells what it did.
pub struct Applier<'a> {
    pub pool: &'a PgPool,
    pub target: &'a Target,
    pub items: Vec<LogItem>,
}

impl<'a> Applier<'a> {
    pub fn new(pool: &'a PgPool, target: &'a Target) -> Self {
        Applier {
            pool,
            target,
            items: Vec::new(),
        }
    }

    fn client(&self) -> &QloClient {
        &self.target.client
    }

    fn input(&self, qlo_room_type: u64, run: &Run) -> FeaturePriceInput {
        FeaturePriceInput::fixed_price(
            qlo_room_type,
            rule_name(&self.target.room_type.code, run),
            run.from,
            run.to,
            run.rate,
        )
    }

    fn log(
        &mut self,
        operation: &'static str,
        outcome: SyncOutcome,
        rule: Option<u64>,
        msg: String,
    ) {
        self.items.push(LogItem {
            operation,
            entity_type: "rate",
            local_entity_id: Some(self.target.room_type.id.0),
            qloapps_entity_id: rule,
            outcome,
            message: msg,
            details: None,
        });
    }

    /// Deletes an owned rule (gone already counts as deleted) and forgets it.
    pub async fn delete(&mut self, row: &RuleRow) -> Result<(), SyncError> {
        if let Some(rule_id) = row.rule_id() {
            rules::mark_pending(self.pool, row.id).await?;
            self.client().delete_feature_price(rule_id).await?;
            self.log(
                "delete_rule",
                SyncOutcome::Cancelled,
                Some(rule_id),
                format!(
                    "deleted rule {rule_id} ({}..{} at {})",
                    row.date_from, row.date_to, row.rate
                ),
            );
        }
        rules::delete_row(self.pool, row.id).await?;
        Ok(())
    }

    /// Rewrites an owned rule to `run` (`PUT`); recreates it when QloApps lost it.
    pub async fn update(&mut self, row: &RuleRow, run: Run) -> Result<(), SyncError> {
        let qlo_room_type = row.qloapps_room_type_id.get();
        let input = self.input(qlo_room_type, &run);
        rules::set_pending(self.pool, row.id, (run.from, run.to), run.rate, &input.name).await?;
        let Some(rule_id) = row.rule_id() else {
            return self.post(row.id, &input, &run).await;
        };
        match self.client().update_feature_price(rule_id, &input).await {
            Ok(_) => {
                rules::set_active(self.pool, row.id, rule_id).await?;
                self.log(
                    "update_rule",
                    SyncOutcome::Updated,
                    Some(rule_id),
                    format!(
                        "rule {rule_id} now {}..{} at {}",
                        run.from, run.to, run.rate
                    ),
                );
                Ok(())
            }
            Err(qlo_client::Error::NotFound { .. }) => {
                // deleted in QloApps behind our back: create it again under the same row
                rules::clear_rule_id(self.pool, row.id).await?;
                self.post(row.id, &input, &run).await
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a rule for `run` (`POST`).
    pub async fn create(&mut self, run: Run) -> Result<(), SyncError> {
        let t = self.target;
        let input = self.input(t.qlo_room_type, &run);
        let row = RuleRow {
            id: Uuid::new_v4(),
            config_id: t.config.id,
            room_type_id: t.room_type.id,
            qloapps_room_type_id: crate::domain::QloRoomTypeId(t.qlo_room_type),
            date_from: run.from,
            date_to: run.to,
            rate: run.rate,
            name: input.name.clone(),
            qloapps_rule_id: None,
            status: "pending".into(),
        };
        rules::insert_pending(self.pool, &row).await?;
        self.post(row.id, &input, &run).await
    }

    async fn post(
        &mut self,
        row_id: Uuid,
        input: &FeaturePriceInput,
        run: &Run,
    ) -> Result<(), SyncError> {
        match self.client().create_feature_price(input).await {
            Ok(rule) => {
                rules::set_active(self.pool, row_id, rule.id).await?;
                self.log(
                    "create_rule",
                    SyncOutcome::Created,
                    Some(rule.id),
                    format!(
                        "rule {} for {}..{} at {}",
                        rule.id, run.from, run.to, run.rate
                    ),
                );
                Ok(())
            }
            Err(e) => {
                // Refused outright: nothing was created. Otherwise the row stays pending and
                // the next sync looks the rule up.
                if !e.is_outcome_unknown() && !e.is_transient() {
                    rules::delete_row(self.pool, row_id).await?;
                }
                Err(e.into())
            }
        }
    }
}
