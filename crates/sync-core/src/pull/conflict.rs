//! Who wins when QloApps and the PMS both changed a reservation (docs/architecture.md,
//! "Sync rules"): a cancellation on either side wins over an update; otherwise the side with
//! the newer change wins, QloApps' `date_upd` read in `PS_TIMEZONE`. A tie goes to the PMS, the
//! system of record. The loser is logged with both versions; a PMS version that wins is left in
//! place for the outbound push to carry to QloApps.

use chrono::{DateTime, Utc};
use qlo_client::Order;
use serde_json::{json, Value};

use super::context::Ctx;
use super::map::Group;
use super::watermark;
use crate::domain::{Reservation, ReservationStatus};

/// What a pull does with a mapped reservation whose QloApps version changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Both sides say cancelled: nothing to change.
    BothCancelled,
    /// Take the QloApps figures. `conflict`: a PMS change made since the last sync is lost.
    ApplyQloApps { conflict: bool },
    /// QloApps cancelled: cancel the PMS reservation. `conflict` as above.
    CancelPms { conflict: bool },
    /// Keep the PMS version (its cancellation, or its newer change); the QloApps version loses.
    KeepPms,
}

/// The facts the decision needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    pub pms_cancelled: bool,
    pub qlo_cancelled: bool,
    /// The reservation changed in the PMS since it was last synced (`updated_at` after the
    /// mapping's `last_synced_at`).
    pub pms_changed: bool,
    pub pms_changed_at: DateTime<Utc>,
    pub qlo_changed_at: DateTime<Utc>,
}

impl Sides {
    /// The two versions of one line group: the reservation as the PMS holds it (synced last at
    /// `last_synced_at`) and the group as the pull read it, its change time in the shop's zone.
    pub fn of(
        reservation: &Reservation,
        last_synced_at: Option<DateTime<Utc>>,
        group: &Group,
        ctx: &Ctx,
    ) -> Self {
        Sides {
            pms_cancelled: reservation.status == ReservationStatus::Cancelled,
            qlo_cancelled: group.cancelled,
            pms_changed: last_synced_at.is_none_or(|t| reservation.updated_at > t),
            pms_changed_at: reservation.updated_at,
            qlo_changed_at: watermark::to_utc(group.changed_at, ctx.zone),
        }
    }
}

pub fn resolve(sides: Sides) -> Resolution {
    match (sides.pms_cancelled, sides.qlo_cancelled) {
        (true, true) => Resolution::BothCancelled,
        (false, true) => Resolution::CancelPms {
            conflict: sides.pms_changed,
        },
        (true, false) => Resolution::KeepPms,
        (false, false) if !sides.pms_changed => Resolution::ApplyQloApps { conflict: false },
        (false, false) if sides.qlo_changed_at > sides.pms_changed_at => {
            Resolution::ApplyQloApps { conflict: true }
        }
        (false, false) => Resolution::KeepPms,
    }
}

/// Both versions of a conflict, for the sync log's `details`.
pub(crate) fn versions(
    winner: &str,
    rule: &str,
    r: &Reservation,
    order: &Order,
    g: &Group,
    ctx: &Ctx,
) -> Value {
    json!({
        "winner": winner,
        "rule": rule,
        "pms": {
            "reservationId": r.id, "status": r.status, "roomTypeId": r.room_type_id,
            "checkIn": r.check_in, "checkOut": r.check_out, "numberOfRooms": r.number_of_rooms,
            "adults": r.adults, "children": r.children, "totalPrice": r.total_price.to_string(),
            "updatedAt": r.updated_at,
        },
        "qloapps": {
            "orderId": order.id, "lineKey": g.key, "roomTypeId": g.qlo_room_type, "currentState": order.current_state,
            "cancelled": g.cancelled, "checkIn": g.check_in, "checkOut": g.check_out, "numberOfRooms": g.rooms,
            "adults": g.adults, "children": g.children, "totalPrice": g.price.to_string(),
            "dateUpd": watermark::format(g.changed_at),
            "changedAt": watermark::to_utc(g.changed_at, ctx.zone),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn sides(
        pms_cancelled: bool,
        qlo_cancelled: bool,
        pms_changed: bool,
        qlo_newer: bool,
    ) -> Sides {
        let t = Utc::now();
        let qlo_at = if qlo_newer {
            t + Duration::seconds(1)
        } else {
            t - Duration::seconds(1)
        };
        Sides {
            pms_cancelled,
            qlo_cancelled,
            pms_changed,
            pms_changed_at: t,
            qlo_changed_at: qlo_at,
        }
    }

    #[test]
    fn without_a_pms_change_qloapps_simply_applies() {
        assert_eq!(
            resolve(sides(false, false, false, false)),
            Resolution::ApplyQloApps { conflict: false }
        );
        assert_eq!(
            resolve(sides(false, true, false, false)),
            Resolution::CancelPms { conflict: false }
        );
    }

    #[test]
    fn a_cancellation_on_either_side_wins_over_an_update() {
        assert_eq!(
            resolve(sides(false, true, true, false)),
            Resolution::CancelPms { conflict: true }
        );
        assert_eq!(resolve(sides(true, false, true, true)), Resolution::KeepPms);
        assert_eq!(
            resolve(sides(true, false, false, true)),
            Resolution::KeepPms
        );
        assert_eq!(
            resolve(sides(true, true, true, true)),
            Resolution::BothCancelled
        );
    }

    #[test]
    fn otherwise_the_newer_change_wins_and_a_tie_keeps_the_pms() {
        assert_eq!(
            resolve(sides(false, false, true, true)),
            Resolution::ApplyQloApps { conflict: true }
        );
        assert_eq!(
            resolve(sides(false, false, true, false)),
            Resolution::KeepPms
        );
        let t = Utc::now();
        let tie = Sides {
            pms_cancelled: false,
            qlo_cancelled: false,
            pms_changed: true,
            pms_changed_at: t,
            qlo_changed_at: t,
        };
        assert_eq!(resolve(tie), Resolution::KeepPms);
    }
}
