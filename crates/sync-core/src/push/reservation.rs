//! The push of one reservation that is an order of its own: create, update or cancel.

use qlo_client::{BookingRequest, QloClient};
use sqlx::PgConnection;

use super::{booking_request, order_id_of, payload_hash, record, PushOutcome};
use crate::db;
use crate::domain::order_source::push_source;
use crate::domain::{ConfigId, Reservation, ReservationMapping};
use crate::sync_error::SyncError;

/// One push of one reservation, inside the transaction that holds its lock.
pub(super) struct Push<'a> {
    pub(super) conn: &'a mut PgConnection,
    pub(super) client: &'a QloClient,
    pub(super) config_id: ConfigId,
    pub(super) reservation: &'a Reservation,
}

impl Push<'_> {
    pub(super) async fn upsert(
        mut self,
        mapping: Option<ReservationMapping>,
        hotel_id: u64,
    ) -> Result<PushOutcome, SyncError> {
        let request = self.request_for(self.reservation, hotel_id).await?;
        let hash = payload_hash(&request);

        let (mapping_id, order_id, adopted) = match mapping {
            Some(m) if m.last_pushed_hash.as_deref() == Some(hash.as_str()) => {
                return Ok(PushOutcome::Skipped {
                    reason: "QloApps already has this version",
                });
            }
            Some(m) => (m.id, order_id_of(&m), None),
            None => match self.client.find_order_by_source(&request.source).await? {
                // created before, but the mapping was never stored (crash, redelivery): adopt it
                Some(order) => (self.map(order.id, None).await?, order.id, Some(true)),
                None => {
                    let created = self
                        .client
                        .create_booking(&request.source, &request)
                        .await?;
                    self.map(created.order_id, Some(&hash)).await?;
                    // `POST bookings` finds or creates the customer by email itself
                    let customer = created
                        .booking
                        .as_ref()
                        .map(|b| b.associations.customer_detail.id_customer)
                        .filter(|id| *id > 0);
                    let email = &request.associations.customer_detail.email;
                    self.remember_customer(self.reservation.guest_id, email, customer)
                        .await?;
                    let adopted =
                        matches!(created.confirmation, qlo_client::WriteConfirmation::Adopted);
                    return Ok(PushOutcome::Created {
                        order_id: created.order_id,
                        adopted,
                    });
                }
            },
        };
        let customer = &request.associations.customer_detail;
        self.ensure_customer(self.reservation.guest_id, customer)
            .await?;
        self.put_order(order_id, &request).await?;
        db::qloapps_reservation_mappings::pushed(&mut *self.conn, mapping_id, &hash).await?;
        Ok(match adopted {
            Some(adopted) => PushOutcome::Created { order_id, adopted },
            None => PushOutcome::Updated { order_id },
        })
    }

    pub(super) async fn cancel(
        mut self,
        mapping: Option<ReservationMapping>,
    ) -> Result<PushOutcome, SyncError> {
        let (mapping_id, order_id) = match mapping {
            Some(m) => (m.id, order_id_of(&m)),
            None => match self
                .client
                .find_order_by_source(&push_source(self.reservation.id))
                .await?
            {
                Some(order) => (self.map(order.id, None).await?, order.id),
                None => {
                    return Ok(PushOutcome::Skipped {
                        reason: "the reservation never reached QloApps",
                    })
                }
            },
        };
        // a redelivered cancel must not add a second order history
        let states = self.client.cached_shop_configuration().await?.order_states;
        let order = self.client.order(order_id).await?;
        if states.frees_rooms(order.current_state) {
            db::qloapps_reservation_mappings::pushed(
                &mut *self.conn,
                mapping_id,
                record::CANCELLED_HASH,
            )
            .await?;
            return Ok(PushOutcome::Skipped {
                reason: "the QloApps order is already cancelled",
            });
        }
        self.client.cancel_booking(order_id).await?;
        db::qloapps_reservation_mappings::pushed(
            &mut *self.conn,
            mapping_id,
            record::CANCELLED_HASH,
        )
        .await?;
        Ok(PushOutcome::Cancelled { order_id })
    }

    /// The booking body of `r` as it stands in the PMS.
    pub(super) async fn request_for(
        &mut self,
        r: &Reservation,
        hotel_id: u64,
    ) -> Result<BookingRequest, SyncError> {
        let guest = db::guests::get_guest(&mut *self.conn, r.guest_id)
            .await?
            .ok_or_else(|| SyncError::Unpushable {
                reservation: r.id,
                problem: "its guest does not exist".into(),
            })?;
        let room_type = db::qloapps_room_type_mappings::find_by_room_type(
            &mut *self.conn,
            self.config_id,
            r.room_type_id,
        )
        .await?
        .ok_or(SyncError::UnmappedRoomType {
            config: self.config_id,
            room_type: r.room_type_id,
        })?;
        let qlo_room_type = room_type.qloapps_room_type_id.get();
        let request = booking_request(r, &guest, hotel_id, qlo_room_type).map_err(|problem| {
            SyncError::Unpushable {
                reservation: r.id,
                problem,
            }
        })?;
        Ok(request)
    }

    async fn map(&mut self, order_id: u64, hash: Option<&str>) -> Result<uuid::Uuid, SyncError> {
        let new = db::qloapps_reservation_mappings::NewReservationMapping {
            config_id: self.config_id,
            property_id: self.reservation.property_id,
            local_reservation_id: self.reservation.id,
            qloapps_booking_id: crate::domain::QloOrderId(order_id),
            qloapps_line_key: String::new(),
            last_pushed_hash: hash.map(str::to_owned),
            last_pulled_hash: None,
        };
        Ok(
            db::qloapps_reservation_mappings::insert_mapping(&mut *self.conn, &new)
                .await?
                .id,
        )
    }
}
