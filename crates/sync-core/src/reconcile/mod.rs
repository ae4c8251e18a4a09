//! Reconciliation: compares what QloApps would sell and charge per night with the PMS, for
//! every mapped room type of a config, reports the drift per room type and night, and (unless
//! it is a dry run) fixes it through the same rate and availability services the worker uses,
//! in [`SyncMode::Verify`] so that changes made in QloApps behind qlosync's back are repaired.
//!
//! Calls for a 365-night check of one hotel: one `hotel_rooms`, 12 `hotel_ari` breakdown
//! chunks (all room types at once), one `room_types`, one `feature_prices` per mapped room
//! type. A fix adds only what the services need for the drifted nights.
//!
//! It also compares the reservations of a window with QloApps orders and fixes them through
//! the pull and push services ([`bookings`]).
//!
//! The scheduler runs it for every enabled config ([`schedule`]); the api runs it on request,
//! a long one as a background job ([`jobs`]).

pub mod bookings;
mod drift;
pub mod jobs;
mod log;
pub mod progress;
pub mod report;
pub mod schedule;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use sqlx::PgPool;

pub use report::{AvailabilityDrift, RateDrift, ReconcileReport, RoomTypeDrift, RoomTypeFix};
pub use schedule::{
    bookings_window, run_once, run_scheduled, ConfigRun, ReconcileContext, ReconcileSettings,
};

use crate::db;
use crate::db::qloapps_inventory_holds as holds;
use crate::db::qloapps_rate_rules as rules;
use crate::domain::{ConfigId, QloappsConfig, RoomTypeMapping};
use crate::nightly::availability::{inventory, AvailabilityService};
use crate::nightly::rates::{RateService, SyncMode};
use crate::nightly::record::{self, RunRecord};
use crate::qlo_clients::QloClients;
use crate::sync_error::SyncError;
use bookings::{BookingReconciler, BookingScope};
use drift::RoomTypeView;
use progress::Progress;

/// What to compare and whether to fix what drifts: rates and availability of the nights
/// `from ..= to` when `inventory`, and the bookings of `bookings` when set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub dry_run: bool,
    pub inventory: bool,
    pub bookings: Option<BookingScope>,
}

#[derive(Clone)]
pub struct ReconcileService {
    pool: PgPool,
    clients: Arc<QloClients>,
    rates: RateService,
    availability: AvailabilityService,
    bookings: BookingReconciler,
    progress: Progress,
}

impl ReconcileService {
    pub fn new(pool: PgPool, clients: Arc<QloClients>) -> Self {
        ReconcileService {
            rates: RateService::new(pool.clone(), clients.clone()),
            availability: AvailabilityService::new(pool.clone(), clients.clone()),
            bookings: BookingReconciler::new(pool.clone(), clients.clone()),
            progress: Progress::none(),
            pool,
            clients,
        }
    }

    /// Reports its progress through `progress` (a background job).
    #[must_use]
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    /// Checks (and unless `dry_run`, fixes) one config; records a `reconcile` run (a
    /// `reconcile_check` run for a dry run) with one log item per drifting room type.
    pub async fn reconcile(
        &self,
        config_id: ConfigId,
        request: ReconcileRequest,
    ) -> Result<ReconcileReport, SyncError> {
        let started = Instant::now();
        let config = db::qloapps_config::get_config(&self.pool, config_id)
            .await?
            .ok_or(SyncError::ConfigNotFound(config_id))?;
        if !request.dry_run && !config.sync_enabled {
            return Err(SyncError::SyncDisabled(config_id));
        }
        let sync_type = if request.dry_run {
            "reconcile_check"
        } else {
            "reconcile"
        };
        let result = self.check_and_fix(&config, request).await;
        let (items, error) = match &result {
            Ok(report) => (log::items(report), None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let run = RunRecord {
            config_id,
            sync_type,
            operation: "reconcile",
            started,
            error,
            items: &items,
        };
        record::record_run(&self.pool, &run).await?;
        result
    }

    async fn check_and_fix(
        &self,
        config: &QloappsConfig,
        request: ReconcileRequest,
    ) -> Result<ReconcileReport, SyncError> {
        let mut report = if request.inventory {
            self.check(config, request).await?
        } else {
            ReconcileReport::empty(config.id, request)
        };
        if !request.dry_run {
            let drifting: Vec<RoomTypeDrift> = report
                .room_types
                .iter()
                .filter(|d| !d.is_clean())
                .cloned()
                .collect();
            self.progress
                .add_total(u32::try_from(drifting.len()).unwrap_or(0));
            for drift in &drifting {
                report.fixes.push(self.fix(config.id, drift).await);
                self.progress.advance(1);
            }
        }
        if let Some(scope) = request.bookings {
            let mut found = self.bookings.check(config, scope).await?;
            let read = found.reservations_checked + found.orders_checked;
            self.progress.add_total(read);
            self.progress.advance(read);
            if !request.dry_run && !found.is_clean() {
                let progress = self.progress.clone();
                let fixes = u32::try_from(found.drift.len()).unwrap_or(0);
                progress.add_total(fixes.saturating_mul(2));
                let step = move |n| progress.advance(n);
                self.bookings.fix(config, &mut found, &step).await?;
            }
            report.bookings = Some(found);
        }
        Ok(report)
    }

    async fn check(
        &self,
        config: &QloappsConfig,
        request: ReconcileRequest,
    ) -> Result<ReconcileReport, SyncError> {
        let ReconcileRequest { from, to, .. } = request;
        let mappings: Vec<RoomTypeMapping> =
            db::qloapps_room_type_mappings::list_mappings(&self.pool, config.id)
                .await?
                .into_iter()
                .filter(|m| m.is_active)
                .collect();
        let client = self.clients.client(config).await?;
        let inventory = inventory::read(&client, None, from, to).await?;
        let base_prices: HashMap<u64, rust_decimal::Decimal> = client
            .room_types()
            .await?
            .into_iter()
            .map(|rt| (rt.id, rt.price))
            .collect();
        let all_holds = holds::active_holds_between(&self.pool, config.id, from, to).await?;
        let nights: Vec<NaiveDate> = from.iter_days().take_while(|n| *n <= to).collect();
        let mut report = ReconcileReport::empty(config.id, request);
        report.inventory = true;
        self.progress
            .add_total(u32::try_from(mappings.len()).unwrap_or(0));
        for mapping in &mappings {
            self.progress.advance(1);
            let Some(room_type) =
                db::room_types::get_room_type(&self.pool, mapping.local_room_type_id).await?
            else {
                continue;
            };
            let qlo_id = mapping.qloapps_room_type_id.get();
            let listed = client.feature_prices(qlo_id).await?;
            let owned: BTreeSet<u64> =
                rules::rules_of_room_type(&self.pool, config.id, room_type.id)
                    .await?
                    .iter()
                    .filter_map(rules::RuleRow::rule_id)
                    .collect();
            let mut held: HashMap<NaiveDate, u32> = HashMap::new();
            for h in all_holds.iter().filter(|h| h.room_type_id == room_type.id) {
                let rooms = u32::try_from(h.rooms).unwrap_or(0);
                for n in h.check_in.iter_days().take_while(|n| *n < h.check_out) {
                    *held.entry(n).or_default() += rooms;
                }
            }
            let pms_available: BTreeMap<NaiveDate, i32> =
                db::availability::get_availability(&self.pool, room_type.id, from, to)
                    .await?
                    .into_iter()
                    .map(|n| (n.night, n.available))
                    .collect();
            let pms_rates: BTreeMap<NaiveDate, rust_decimal::Decimal> =
                db::rates::get_rates(&self.pool, room_type.id, from, to)
                    .await?
                    .into_iter()
                    .map(|n| (n.night, n.rate))
                    .collect();
            let qloapps = inventory.room_type(qlo_id);
            let view = RoomTypeView {
                nights: &nights,
                qloapps: &qloapps,
                held: &held,
                capacity: u32::try_from(inventory.capacity(qlo_id)).unwrap_or(u32::MAX),
                pms_available: &pms_available,
                pms_rates: &pms_rates,
                rules: &listed,
                owned: &owned,
                base_price: base_prices.get(&qlo_id).copied().unwrap_or_default(),
            };
            let availability = drift::availability_drift(&view);
            let (rates, services) = drift::rate_drift(&view);
            report.availability_drift_nights += u32::try_from(availability.len()).unwrap_or(0);
            report.rate_drift_nights += u32::try_from(rates.len()).unwrap_or(0);
            report.room_types.push(RoomTypeDrift {
                room_type_id: room_type.id,
                code: room_type.code,
                qloapps_room_type_id: mapping.qloapps_room_type_id,
                availability,
                rates,
                auto_services_per_night: services,
            });
        }
        let property = db::properties::get_property(&self.pool, config.property_id).await?;
        if let Some(p) =
            property.filter(|p| !inventory.currency.is_empty() && p.currency != inventory.currency)
        {
            report.warnings.push(format!(
                "the property's currency is {} but QloApps prices in {}: rates are sent as they are, unconverted",
                p.currency, inventory.currency
            ));
        }
        Ok(report)
    }

    /// Runs the services over the span of the drifted nights; a failure is reported, and the
    /// other room types are still fixed.
    async fn fix(&self, config_id: ConfigId, drift: &RoomTypeDrift) -> RoomTypeFix {
        let mut fix = RoomTypeFix {
            room_type_id: drift.room_type_id,
            rates: None,
            availability: None,
            error: None,
        };
        let mut errors = Vec::new();
        if let Some(span) = span(drift.rates.iter().map(|r| r.night)) {
            match self
                .rates
                .sync_rates(config_id, drift.room_type_id, span, SyncMode::Verify)
                .await
            {
                Ok(outcome) => fix.rates = Some(outcome),
                Err(e) => errors.push(format!("rates: {e}")),
            }
        }
        if let Some(span) = span(drift.availability.iter().map(|a| a.night)) {
            let synced = self
                .availability
                .sync_availability(config_id, drift.room_type_id, span, SyncMode::Verify)
                .await;
            match synced {
                Ok(outcome) => fix.availability = Some(outcome),
                Err(e) => errors.push(format!("availability: {e}")),
            }
        }
        if !errors.is_empty() {
            fix.error = Some(errors.join("; "));
        }
        fix
    }
}

fn span(nights: impl Iterator<Item = NaiveDate>) -> Option<(NaiveDate, NaiveDate)> {
    nights.fold(None, |acc, n| match acc {
        None => Some((n, n)),
        Some((a, b)) => Some((a.min(n), b.max(n))),
    })
}
