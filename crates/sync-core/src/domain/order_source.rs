//! Whose a QloApps order is, read from its `source`. qlosync writes its own sources on every
//! order it creates (they are also the idempotency keys it looks orders up by), so a pull or a
//! reconcile can tell its own pushes and holds from bookings made in QloApps:
//!
//! - `pms:<reservation>`: pushed for a PMS reservation;
//! - `pms:<reservation>:replaces:<order>`: pushed again for it by cancel-and-recreate
//!   (`push::recreate`), replacing that order;
//! - `qlosync-hold:<hold>`: an inventory hold (`availability`), never a reservation;
//! - anything else: a booking made in QloApps.

use uuid::Uuid;

use super::ReservationId;

const PUSHED: &str = "pms:";
const REPLACES: &str = ":replaces:";
const HOLD: &str = "qlosync-hold:";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSource {
    /// Pushed for `reservation`; `replaces` names the order it replaced, if any.
    Pushed {
        reservation: ReservationId,
        replaces: Option<u64>,
    },
    /// An inventory hold of qlosync.
    Hold,
    /// A booking made in QloApps (or by another tool).
    QloApps,
}

impl OrderSource {
    pub fn parse(source: &str) -> OrderSource {
        if source.starts_with(HOLD) {
            return OrderSource::Hold;
        }
        let Some(rest) = source.strip_prefix(PUSHED) else {
            return OrderSource::QloApps;
        };
        let (id, replaces) = match rest.split_once(REPLACES) {
            Some((id, order)) => match order.parse::<u64>() {
                Ok(order) => (id, Some(order)),
                Err(_) => return OrderSource::QloApps,
            },
            None => (rest, None),
        };
        match Uuid::parse_str(id.trim()) {
            Ok(id) => OrderSource::Pushed {
                reservation: ReservationId(id),
                replaces,
            },
            Err(_) => OrderSource::QloApps,
        }
    }

    /// The reservation an order qlosync pushed stands for.
    pub fn reservation(self) -> Option<ReservationId> {
        match self {
            OrderSource::Pushed { reservation, .. } => Some(reservation),
            OrderSource::Hold | OrderSource::QloApps => None,
        }
    }
}

/// The source of the order pushed for `reservation`.
pub fn push_source(reservation: ReservationId) -> String {
    format!("{PUSHED}{}", reservation.0)
}

/// The source of the order that replaces `old_order` for `reservation`.
pub fn replacement_source(reservation: ReservationId, old_order: u64) -> String {
    format!("{}{REPLACES}{old_order}", push_source(reservation))
}

/// The source of inventory hold `hold`.
pub fn hold_source(hold: Uuid) -> String {
    format!("{HOLD}{hold}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_written_are_read_back_and_others_are_qloapps_bookings() {
        let r = ReservationId(Uuid::new_v4());
        let pushed = OrderSource::Pushed {
            reservation: r,
            replaces: None,
        };
        assert_eq!(OrderSource::parse(&push_source(r)), pushed);
        assert_eq!(
            OrderSource::parse(&replacement_source(r, 17)),
            OrderSource::Pushed {
                reservation: r,
                replaces: Some(17)
            }
        );
        assert_eq!(
            OrderSource::parse(&hold_source(Uuid::new_v4())),
            OrderSource::Hold
        );
        assert_eq!(OrderSource::parse("qlosync-hold:abc"), OrderSource::Hold);
        for other in [
            "pms:not-a-uuid",
            "localhost",
            "",
            &format!("pms:{}:other", r.0),
        ] {
            assert_eq!(OrderSource::parse(other), OrderSource::QloApps, "{other}");
        }
        assert_eq!(
            OrderSource::parse(&format!("pms:{}:replaces:x", r.0)),
            OrderSource::QloApps
        );
        assert_eq!(OrderSource::parse(&push_source(r)).reservation(), Some(r));
    }
}
