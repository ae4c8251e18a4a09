//! Pushes of reservations pulled from a QloApps order: the pull maps each group of the
//! order's room lines (room type, dates) to its own reservation (`pull/map.rs`), while
//! `PUT bookings` replaces *all* of an order's lines. So a change to one of them re-sends every
//! group of the order as the PMS holds it now; cancelled groups are left out, and when none is
//! left the order itself is cancelled.

use qlo_client::BookingRequest;

use super::reservation::Push;
use super::{order_id_of, payload_hash, PushOutcome};
use crate::db::advisory_lock::LockKey;
use crate::db::{self, Page};
use crate::domain::{GuestId, ReservationMapping, ReservationStatus};
use crate::sync_error::SyncError;

/// More line groups than any real order has; a bound, not a page.
const MAX_GROUPS: i64 = 500;

impl Push<'_> {
    pub(super) async fn sync_order(
        mut self,
        mapping: ReservationMapping,
        hotel_id: u64,
    ) -> Result<PushOutcome, SyncError> {
        let order_id = order_id_of(&mapping);
        let key = LockKey::Order(self.config_id, order_id);
        db::advisory_lock::lock_xact(&mut *self.conn, key).await?;
        let Some((request, guest_id)) = self.whole_order(&mapping, hotel_id).await? else {
            return self.cancel(Some(mapping)).await;
        };
        let hash = payload_hash(&request);
        if mapping.last_pushed_hash.as_deref() == Some(hash.as_str()) {
            return Ok(PushOutcome::Skipped {
                reason: "QloApps already has this version",
            });
        }
        self.ensure_customer(guest_id, &request.associations.customer_detail)
            .await?;
        self.put_order(order_id, &request).await?;
        db::qloapps_reservation_mappings::pushed(&mut *self.conn, mapping.id, &hash).await?;
        Ok(match self.reservation.status {
            ReservationStatus::Cancelled => PushOutcome::Cancelled { order_id },
            ReservationStatus::Confirmed => PushOutcome::Updated { order_id },
        })
    }

    /// The order's body with one room-type line per confirmed group, or `None` when every
    /// group is cancelled. Customer and currency come from this reservation when it is still
    /// confirmed, else from the first confirmed group; that group's guest comes with it.
    async fn whole_order(
        &mut self,
        mapping: &ReservationMapping,
        hotel_id: u64,
    ) -> Result<Option<(BookingRequest, GuestId)>, SyncError> {
        let page = Page {
            limit: MAX_GROUPS,
            offset: 0,
        };
        let groups = db::qloapps_reservation_mappings::list_mappings(
            &mut *self.conn,
            self.config_id,
            None,
            Some(mapping.qloapps_booking_id),
            page,
        )
        .await?;
        let mut body: Option<(BookingRequest, GuestId)> = None;
        let mut lines = Vec::new();
        for group in &groups {
            let reservation =
                db::reservations::get_reservation(&mut *self.conn, group.local_reservation_id)
                    .await?;
            let Some(reservation) =
                reservation.filter(|r| r.status == ReservationStatus::Confirmed)
            else {
                continue;
            };
            let mut request = self.request_for(&reservation, hotel_id).await?;
            lines.append(&mut request.associations.room_types);
            if body.is_none() || reservation.id == self.reservation.id {
                body = Some((request, reservation.guest_id));
            }
        }
        Ok(body.map(|(mut body, guest_id)| {
            // a stable order, so the hash only changes with the content
            lines.sort_by_key(|l| (l.id_room_type, l.checkin_date, l.checkout_date));
            body.associations.room_types = lines;
            // the order keeps the source and remarks it was made with
            body.source = String::new();
            body.remark = None;
            (body, guest_id)
        }))
    }
}
