//! A stay change QloApps refuses, pushed as cancel-and-recreate when the config opts in
//! (`recreate_refused_extensions`, off by default; docs/pushes.md, "A refusal is never silent").
//!
//! Stock QloApps 1.6.1 counts an order's own room as taken on the order's current nights, so an
//! extension on a room type that is otherwise full is refused although the room is free
//! (`crates/qlo-sim/tests/fixtures/README.md`). The way through is a new order: the old one is
//! cancelled, which frees its room, and the reservation is booked again for its new stay. The
//! move is made of steps that each survive a stop anywhere:
//!
//! 1. the mapping records the order it leaves (`replacing_order_id`), committed before anything
//!    changes in QloApps (`PushService::run`);
//! 2. that order is cancelled through `order_histories`, unless it already is;
//! 3. the new order is created under its own source, `pms:<reservation>:replaces:<old order>`, so
//!    a redelivery or an unknown outcome finds it instead of booking twice;
//! 4. the mapping points at the new order and the mark is cleared, in the push's transaction.
//!
//! A push that finds the mark set finishes the move before anything else, and the pull leaves a
//! reservation alone while it moves (`pull::echo`). If QloApps refuses the new stay too (the
//! freed room was sold in the moment between 2 and 3), the mark stays, the reservation is out
//! of sync with that reason, and the next push (a replay, a PMS edit) tries step 3 again.

use qlo_client::Error as QloError;

use super::reservation::Push;
use super::{payload_hash, record, PushOutcome};
use crate::db::qloapps_reservation_mappings as mappings;
use crate::domain::order_source::replacement_source;
use crate::domain::{QloOrderId, ReservationMapping, ReservationStatus};
use crate::sync_error::SyncError;

impl Push<'_> {
    /// Steps 2 to 4 of the move of `mapping`'s reservation off `replacing_order_id`.
    pub(super) async fn finish_move(
        mut self,
        mapping: ReservationMapping,
        hotel_id: u64,
    ) -> Result<PushOutcome, SyncError> {
        let old = mapping.replacing_order_id.unwrap_or_default().get();
        let source = replacement_source(self.reservation.id, old);
        let states = self.client.cached_shop_configuration().await?.order_states;
        let order = self.client.order(old).await?;
        if !states.frees_rooms(order.current_state) {
            self.client.cancel_booking(old).await?;
            tracing::info!(order_id = old, reservation_id = %self.reservation.id, "QloApps order cancelled to book the new stay as a new order");
        }
        let replacement = self.client.find_order_by_source(&source).await?;
        if self.reservation.status == ReservationStatus::Cancelled {
            // cancelled in the PMS while it moved: a replacement already booked goes too
            let order_id = match replacement {
                Some(o) if !states.frees_rooms(o.current_state) => {
                    self.client.cancel_booking(o.id).await?;
                    o.id
                }
                Some(o) => o.id,
                None => old,
            };
            let id = QloOrderId(order_id);
            mappings::replaced(&mut *self.conn, mapping.id, id, record::CANCELLED_HASH).await?;
            return Ok(PushOutcome::Cancelled { order_id });
        }
        let request = self.request_for(self.reservation, hotel_id).await?;
        let hash = payload_hash(&request);
        let order_id = match replacement {
            Some(o) => o.id,
            None => match self.client.create_booking(&source, &request).await {
                Ok(created) => {
                    let customer = created
                        .booking
                        .as_ref()
                        .map(|b| b.associations.customer_detail.id_customer)
                        .filter(|id| *id > 0);
                    let email = &request.associations.customer_detail.email;
                    self.remember_customer(self.reservation.guest_id, email, customer)
                        .await?;
                    created.order_id
                }
                Err(error) if refusal(&error) => {
                    return Err(SyncError::ReplacementRefused {
                        old_order: old,
                        reason: error.to_string(),
                    })
                }
                Err(error) => return Err(error.into()),
            },
        };
        let id = QloOrderId(order_id);
        mappings::replaced(&mut *self.conn, mapping.id, id, &hash).await?;
        tracing::info!(order_id, replaced = old, reservation_id = %self.reservation.id, "reservation moved to a new QloApps order");
        Ok(PushOutcome::Replaced {
            order_id,
            replaced: old,
        })
    }
}

/// QloApps answered and said no: retrying the same request cannot help.
fn refusal(error: &QloError) -> bool {
    !error.is_transient() && !matches!(error, QloError::CircuitOpen { .. })
}

/// An update QloApps refused that cancel-and-recreate can get through: no room for the new stay.
pub(super) fn movable(error: &SyncError) -> bool {
    matches!(error, SyncError::Qlo(QloError::RoomsUnavailable { .. }))
}
