//! The sync-log items of a reconciliation run: one per drifting room type, one per differing
//! booking (the details hold what was found and what the fix did).

use super::bookings::{BookingDriftKind, BookingFixAction};
use super::ReconcileReport;
use crate::domain::SyncOutcome;
use crate::nightly::record::LogItem;

/// Every item of `report`.
pub fn items(report: &ReconcileReport) -> Vec<LogItem> {
    let mut items = room_type_items(report);
    items.extend(booking_items(report));
    items
}

fn booking_items(report: &ReconcileReport) -> Vec<LogItem> {
    let Some(bookings) = &report.bookings else {
        return Vec::new();
    };
    bookings
        .drift
        .iter()
        .map(|d| {
            let kinds: Vec<&str> = d.kinds.iter().map(|k| kind_name(*k)).collect();
            let outcome = match &d.fix {
                None => SyncOutcome::Skipped,
                Some(f) if f.error.is_some() => SyncOutcome::Failed,
                Some(f) if f.action == BookingFixAction::Left => SyncOutcome::Skipped,
                Some(_) => SyncOutcome::Updated,
            };
            let verb = if d.fix.is_some() { "fixed" } else { "found" };
            let message = format!(
                "{verb} booking drift ({}){}",
                kinds.join(", "),
                d.fix
                    .as_ref()
                    .map(|f| format!(": {}", f.error.as_deref().unwrap_or(&f.detail)))
                    .unwrap_or_default()
            );
            LogItem {
                operation: "reconcile",
                entity_type: "reservation",
                local_entity_id: d.reservation_id.map(|r| r.0),
                qloapps_entity_id: d.qloapps_order_id,
                outcome,
                message,
                details: serde_json::to_value(d).ok(),
            }
        })
        .collect()
}

fn kind_name(k: BookingDriftKind) -> &'static str {
    match k {
        BookingDriftKind::MissingInQloapps => "missing in QloApps",
        BookingDriftKind::MissingInPms => "missing in the PMS",
        BookingDriftKind::Dates => "dates",
        BookingDriftKind::RoomType => "room type",
        BookingDriftKind::Rooms => "rooms",
        BookingDriftKind::Status => "status",
        BookingDriftKind::Guest => "guest",
    }
}

/// One log item per drifting room type (the details hold its drift and fix).
fn room_type_items(report: &ReconcileReport) -> Vec<LogItem> {
    let mut items = Vec::new();
    for drift in report.room_types.iter().filter(|d| !d.is_clean()) {
        let fix = report
            .fixes
            .iter()
            .find(|f| f.room_type_id == drift.room_type_id);
        let outcome = match fix {
            None => SyncOutcome::Skipped,
            Some(f) if f.error.is_some() => SyncOutcome::Failed,
            Some(_) => SyncOutcome::Updated,
        };
        let verb = if fix.is_some() { "fixed" } else { "found" };
        items.push(LogItem {
            operation: "reconcile",
            entity_type: "room_type",
            local_entity_id: Some(drift.room_type_id.0),
            qloapps_entity_id: Some(drift.qloapps_room_type_id.get()),
            outcome,
            message: format!(
                "{verb} drift on {}: {} availability night(s), {} rate night(s){}",
                drift.code,
                drift.availability.len(),
                drift.rates.len(),
                fix.and_then(|f| f.error.as_deref())
                    .map(|e| format!("; {e}"))
                    .unwrap_or_default()
            ),
            details: serde_json::to_value(serde_json::json!({ "drift": drift, "fix": fix })).ok(),
        });
    }
    items
}
