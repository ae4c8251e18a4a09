//! The bookings part of the reconciliation report (JSON through the api).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{ReservationId, RoomTypeId};

/// Which bookings a reconciliation compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BookingScope {
    /// Reservations and QloApps orders whose stay covers a night of `from ..= to`.
    #[serde(rename = "window")]
    Window { from: NaiveDate, to: NaiveDate },
    /// What may have changed while the channel manager was off: reservations changed since
    /// their last sync (or never pushed), and QloApps orders changed since the last pull's
    /// watermark (the stay window `from ..= to` when the config never pulled).
    #[serde(rename = "changed_since_last_sync")]
    ChangedSinceLastSync { from: NaiveDate, to: NaiveDate },
}

/// One way a reservation and its QloApps order differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingDriftKind {
    /// A confirmed reservation QloApps has no order for.
    MissingInQloapps,
    /// A QloApps booking (not cancelled) no reservation stands for.
    MissingInPms,
    /// Check-in or check-out differ.
    Dates,
    /// The order's room type is not the one mapped to the reservation's.
    RoomType,
    /// The number of rooms differs.
    Rooms,
    /// One side is cancelled, the other is not.
    Status,
    /// The order's customer is neither the guest's email nor name.
    Guest,
}

/// One side of a booking, as the reconciliation read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingSide {
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    /// The PMS room type (on the QloApps side: the one its room type is mapped to, if any).
    pub room_type_id: Option<RoomTypeId>,
    /// The QloApps room type (on the PMS side: the one the reservation's is mapped to).
    pub qloapps_room_type_id: Option<u64>,
    pub rooms: i32,
    /// "confirmed" or "cancelled".
    pub status: String,
    pub guest_name: String,
    pub guest_email: Option<String>,
}

/// What the fix did for one booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingFixAction {
    /// The order was read again and applied through the pull (its rules decide which side wins).
    Pulled,
    /// The reservation was pushed to QloApps (the PMS side won, or QloApps lacked it).
    Pushed,
    /// Pulled, and then pushed because the PMS side won.
    PulledAndPushed,
    /// Nothing could be done (see `detail`).
    Left,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingFix {
    pub action: BookingFixAction,
    /// What happened, in words.
    pub detail: String,
    /// Why (part of) the fix failed, if it did.
    pub error: Option<String>,
}

/// One reservation or QloApps order that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingDrift {
    pub kinds: Vec<BookingDriftKind>,
    pub reservation_id: Option<ReservationId>,
    pub qloapps_order_id: Option<u64>,
    /// The order's room-line group (`<room type>:<check-in>:<check-out>`), when it has one.
    pub qloapps_line_key: Option<String>,
    pub pms: Option<BookingSide>,
    pub qloapps: Option<BookingSide>,
    /// Set by a fix.
    pub fix: Option<BookingFix>,
}

/// Reservations against QloApps orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingReport {
    pub scope: BookingScope,
    /// For `changed_since_last_sync`: the QloApps orders read were changed at or after this.
    pub qloapps_changed_since: Option<DateTime<Utc>>,
    pub reservations_checked: u32,
    pub orders_checked: u32,
    pub missing_in_qloapps: u32,
    pub missing_in_pms: u32,
    /// Bookings present on both sides that differ.
    pub mismatched: u32,
    /// Every booking that differs (empty: the two sides agree).
    pub drift: Vec<BookingDrift>,
}

impl BookingReport {
    pub fn is_clean(&self) -> bool {
        self.drift.is_empty()
    }

    /// Recounts the totals from `drift`.
    pub fn count(&mut self) {
        let has = |d: &BookingDrift, k| d.kinds.contains(&k);
        self.missing_in_qloapps =
            count(&self.drift, |d| has(d, BookingDriftKind::MissingInQloapps));
        self.missing_in_pms = count(&self.drift, |d| has(d, BookingDriftKind::MissingInPms));
        self.mismatched = count(&self.drift, |d| {
            !has(d, BookingDriftKind::MissingInQloapps) && !has(d, BookingDriftKind::MissingInPms)
        });
    }
}

fn count(drift: &[BookingDrift], f: impl Fn(&BookingDrift) -> bool) -> u32 {
    u32::try_from(drift.iter().filter(|d| f(d)).count()).unwrap_or(u32::MAX)
}
