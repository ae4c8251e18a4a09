//! Booking reconciliation: the reservations of a scope against the QloApps orders of the same
//! scope (`read`), paired and compared as the pull pairs them (`compare`): missing on either
//! side, and dates / room type / rooms / status / guest mismatches.
//!
//! **The fix, and which side wins** (README "Reconciling bookings"): it never invents a rule
//! of its own. Every differing QloApps order is read again and applied through the pull
//! (`PullKind::Booking`), whose rules decide (a booking made in QloApps becomes or updates its
//! reservations; an order qlosync pushed and edited in QloApps is judged newer side wins, a
//! cancellation first; docs/pull-failures.md). What still differs afterwards is a PMS side
//! that won, or a reservation QloApps lacks: it is pushed (`PushService`), with its recorded
//! payload hash forgotten so the push is sent even though the PMS did not change. A guest
//! mismatch alone is left: QloApps keeps an order with the customer it was made for and the
//! webservice cannot move it (docs/pushes.md).

mod compare;
mod read;
pub mod report;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

pub use compare::{same_guest, PmsBooking, QloOrder};
pub use report::{
    BookingDrift, BookingDriftKind, BookingFix, BookingFixAction, BookingReport, BookingScope,
    BookingSide,
};

use crate::db;
use crate::domain::{ConfigId, QloappsConfig, ReservationId};
use crate::pull::{PullKind, PullService, PullSettings};
use crate::push::{PushOutcome, PushService};
use crate::qlo_clients::QloClients;
use crate::sync_error::SyncError;
use compare::Catalog;

/// How long a fix waits for another pull of the config to finish before giving up on one order.
const PULL_BUSY_WAIT: Duration = Duration::from_secs(60);

const GUEST_LEFT: &str = "the guest differs: QloApps keeps an order with the customer it was made for, and the webservice cannot change it (docs/pushes.md); change it in the QloApps back office if needed";

#[derive(Clone)]
pub struct BookingReconciler {
    pool: PgPool,
    clients: Arc<QloClients>,
    pull: PullService,
    push: PushService,
}

impl BookingReconciler {
    pub fn new(pool: PgPool, clients: Arc<QloClients>) -> Self {
        BookingReconciler {
            pull: PullService::new(pool.clone(), clients.clone(), PullSettings::default()),
            push: PushService::new(pool.clone(), clients.clone()),
            pool,
            clients,
        }
    }

    /// Compares the two sides of `scope`; reads only.
    pub async fn check(
        &self,
        config: &QloappsConfig,
        scope: BookingScope,
    ) -> Result<BookingReport, SyncError> {
        let client = self.clients.client(config).await?;
        let snapshot = read::read(&self.pool, &client, config, scope).await?;
        let to_pms = db::qloapps_room_type_mappings::active_by_qloapps_id(
            db::qloapps_room_type_mappings::list_mappings(&self.pool, config.id).await?,
        );
        let catalog = Catalog {
            hotel_id: config.qloapps_hotel_id.get(),
            states: &snapshot.states,
            to_pms: &to_pms,
        };
        let drift = compare::compare(&snapshot.pms, &snapshot.orders, &catalog);
        let mut report = BookingReport {
            scope,
            qloapps_changed_since: snapshot.qloapps_changed_since,
            reservations_checked: u32::try_from(snapshot.pms.len()).unwrap_or(u32::MAX),
            orders_checked: u32::try_from(snapshot.orders.len()).unwrap_or(u32::MAX),
            missing_in_qloapps: 0,
            missing_in_pms: 0,
            mismatched: 0,
            drift,
        };
        report.count();
        Ok(report)
    }

    /// Fixes what `report` found (see the module documentation) and records on each entry
    /// what was done. `step` is called after every order pulled or reservation pushed.
    pub async fn fix(
        &self,
        config: &QloappsConfig,
        report: &mut BookingReport,
        step: &(dyn Fn(u32) + Send + Sync),
    ) -> Result<(), SyncError> {
        let to_pull: BTreeSet<u64> = report
            .drift
            .iter()
            .filter(|d| {
                needs_more_than_guest(d) && !d.kinds.contains(&BookingDriftKind::MissingInQloapps)
            })
            .filter_map(|d| d.qloapps_order_id)
            .collect();
        let mut pulled: HashMap<u64, Result<String, String>> = HashMap::new();
        for order_id in to_pull {
            pulled.insert(order_id, self.pull_order(config.id, order_id).await);
            step(1);
        }
        // what still differs after the pull: the PMS side won, or QloApps lacks the reservation
        let after = self.check(config, report.scope).await?;
        let mut pushed: HashMap<ReservationId, Result<String, String>> = HashMap::new();
        for d in after.drift.iter().filter(|d| needs_more_than_guest(d)) {
            let Some(reservation) = d.reservation_id else {
                continue;
            };
            if pushed.contains_key(&reservation) {
                continue;
            }
            pushed.insert(
                reservation,
                self.push_reservation(config.id, reservation).await,
            );
            step(1);
        }
        for d in &mut report.drift {
            let pull = d.qloapps_order_id.and_then(|id| pulled.remove(&id));
            let push = d.reservation_id.and_then(|id| pushed.remove(&id));
            let still = after.drift.iter().find(|a| same_entry(a, d));
            d.fix = Some(fix_of(d, pull, push, still));
        }
        Ok(())
    }

    /// One order applied through the pull (waiting while another pull of the config runs).
    async fn pull_order(&self, config_id: ConfigId, order_id: u64) -> Result<String, String> {
        let started = tokio::time::Instant::now();
        loop {
            match self.pull.pull(config_id, PullKind::Booking(order_id)).await {
                Ok(r) => {
                    let c = r.counts;
                    return if c.failed > 0 {
                        Err("the pull could not apply it; it is kept in the pull failures (GET .../pull-failures names the reason)".to_owned())
                    } else {
                        Ok(format!(
                            "pulled (created {}, updated {}, skipped {})",
                            c.created, c.updated, c.skipped
                        ))
                    };
                }
                Err(SyncError::PullBusy(_)) if started.elapsed() < PULL_BUSY_WAIT => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(format!("pull: {e}")),
            }
        }
    }

    async fn push_reservation(
        &self,
        config_id: ConfigId,
        reservation: ReservationId,
    ) -> Result<String, String> {
        db::qloapps_reservation_mappings::forget_pushed_hash(&self.pool, config_id, reservation)
            .await
            .map_err(|e| format!("push: {e}"))?;
        match self.push.push_reservation(config_id, reservation).await {
            Ok(PushOutcome::Created { order_id, .. }) => {
                Ok(format!("pushed: QloApps order {order_id} created"))
            }
            Ok(PushOutcome::Updated { order_id }) => {
                Ok(format!("pushed: QloApps order {order_id} updated"))
            }
            Ok(PushOutcome::Cancelled { order_id }) => {
                Ok(format!("pushed: QloApps order {order_id} cancelled"))
            }
            Ok(PushOutcome::Replaced { order_id, replaced }) => Ok(format!(
                "pushed: QloApps order {replaced} cancelled and re-booked as order {order_id}"
            )),
            Ok(PushOutcome::Skipped { reason }) => Err(format!("push skipped: {reason}")),
            Err(e) => Err(format!("push: {e}")),
        }
    }
}

/// Anything but a guest difference (which no fix can change).
fn needs_more_than_guest(d: &BookingDrift) -> bool {
    d.kinds.iter().any(|k| *k != BookingDriftKind::Guest)
}

fn same_entry(a: &BookingDrift, b: &BookingDrift) -> bool {
    match (a.reservation_id, b.reservation_id) {
        (Some(x), Some(y)) => x == y,
        _ => a.qloapps_order_id == b.qloapps_order_id && a.qloapps_line_key == b.qloapps_line_key,
    }
}

fn fix_of(
    d: &BookingDrift,
    pull: Option<Result<String, String>>,
    push: Option<Result<String, String>>,
    still: Option<&BookingDrift>,
) -> BookingFix {
    let guest_left = still.is_some_and(|s| s.kinds.contains(&BookingDriftKind::Guest));
    let action = match (&pull, &push) {
        (Some(_), Some(_)) => BookingFixAction::PulledAndPushed,
        (Some(_), None) => BookingFixAction::Pulled,
        (None, Some(_)) => BookingFixAction::Pushed,
        (None, None) => BookingFixAction::Left,
    };
    let mut details = Vec::new();
    let mut errors = Vec::new();
    for r in [pull, push].into_iter().flatten() {
        match r {
            Ok(done) => details.push(done),
            Err(e) => errors.push(e),
        }
    }
    if guest_left || (!needs_more_than_guest(d) && d.kinds.contains(&BookingDriftKind::Guest)) {
        details.push(GUEST_LEFT.to_owned());
    } else if action == BookingFixAction::Left {
        details.push("nothing to do: the other fixes brought it in line".to_owned());
    }
    BookingFix {
        action,
        detail: details.join("; "),
        error: (!errors.is_empty()).then(|| errors.join("; ")),
    }
}

#[cfg(test)]
mod compare_tests;
