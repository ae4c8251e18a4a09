//! Push: PMS reservations to QloApps bookings (the seed's "Outbound Worker Flow").
//!
//! A message only says *which* reservation changed; the push always sends its current state:
//! a confirmed reservation without a mapping is created, one with a mapping is updated (or
//! skipped when nothing changed), a cancelled one is cancelled. Pushes of one reservation are
//! serialised by a PostgreSQL advisory lock held for the whole push, so concurrent events for
//! it never race, whichever process handles them.

mod mapping;
mod record;

use std::sync::Arc;
use std::time::Instant;

use qlo_client::QloClient;
use sqlx::{PgConnection, PgPool};

pub use mapping::{booking_request, payload_hash, push_source, DEFAULT_CHILD_AGE};

use crate::db;
use crate::domain::{
    ConfigId, Reservation, ReservationId, ReservationMapping, ReservationStatus, SyncOutcome,
};
use crate::keyed_lock::KeyedLock;
use crate::qlo_clients::QloClients;
use crate::sync_error::SyncError;

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// A new QloApps order; `adopted` when it already existed under our source (a redelivery
    /// or an earlier unknown outcome) and was taken over instead of created twice.
    Created {
        order_id: u64,
        adopted: bool,
    },
    Updated {
        order_id: u64,
    },
    Cancelled {
        order_id: u64,
    },
    Skipped {
        reason: &'static str,
    },
}

impl PushOutcome {
    fn operation(&self) -> &'static str {
        match self {
            PushOutcome::Created { .. } => "create",
            PushOutcome::Updated { .. } => "update",
            PushOutcome::Cancelled { .. } => "cancel",
            PushOutcome::Skipped { .. } => "skip",
        }
    }
    fn sync_outcome(&self) -> SyncOutcome {
        match self {
            PushOutcome::Created { .. } => SyncOutcome::Created,
            PushOutcome::Updated { .. } => SyncOutcome::Updated,
            PushOutcome::Cancelled { .. } => SyncOutcome::Cancelled,
            PushOutcome::Skipped { .. } => SyncOutcome::Skipped,
        }
    }
    fn order_id(&self) -> Option<u64> {
        match self {
            PushOutcome::Created { order_id, .. }
            | PushOutcome::Updated { order_id }
            | PushOutcome::Cancelled { order_id } => Some(*order_id),
            PushOutcome::Skipped { .. } => None,
        }
    }
}

#[derive(Clone)]
pub struct PushService {
    pool: PgPool,
    clients: Arc<QloClients>,
    /// Same-reservation pushes of this process wait here, not on a pooled connection.
    local_locks: Arc<KeyedLock<ReservationId>>,
}

impl PushService {
    pub fn new(pool: PgPool, clients: Arc<QloClients>) -> Self {
        PushService {
            pool,
            clients,
            local_locks: Arc::default(),
        }
    }

    /// Brings QloApps in line with the reservation's current state, records the outcome in
    /// `qloapps_sync_state` and `qloapps_sync_log`, and reports what it did.
    pub async fn push_reservation(
        &self,
        config_id: ConfigId,
        reservation_id: ReservationId,
    ) -> Result<PushOutcome, SyncError> {
        let started = Instant::now();
        let _local = self.local_locks.lock(reservation_id).await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(reservation_lock_key(reservation_id))
            .execute(&mut *tx)
            .await?;
        match self.push_locked(&mut tx, config_id, reservation_id).await {
            // the config was deleted after the change was queued: nothing left to sync it to
            Err(SyncError::ConfigNotFound(_)) => {
                tracing::warn!(%config_id, %reservation_id, "QloApps config no longer exists; message dropped");
                Ok(PushOutcome::Skipped {
                    reason: "the QloApps config no longer exists",
                })
            }
            Ok(outcome) => {
                record::push_finished(&mut tx, config_id, reservation_id, &outcome, started)
                    .await?;
                tx.commit().await?;
                tracing::info!(%config_id, %reservation_id, ?outcome, "reservation pushed");
                Ok(outcome)
            }
            Err(error) => {
                tx.rollback().await?;
                if !matches!(error, SyncError::ConfigNotFound(_)) {
                    record::push_failed(&self.pool, config_id, reservation_id, &error, started)
                        .await?;
                }
                Err(error)
            }
        }
    }

    async fn push_locked(
        &self,
        conn: &mut PgConnection,
        config_id: ConfigId,
        reservation_id: ReservationId,
    ) -> Result<PushOutcome, SyncError> {
        let config = db::qloapps_config::get_config(&mut *conn, config_id)
            .await?
            .ok_or(SyncError::ConfigNotFound(config_id))?;
        if !config.sync_enabled {
            return Ok(PushOutcome::Skipped {
                reason: "sync is disabled for this config",
            });
        }
        let reservation = db::reservations::get_reservation(&mut *conn, reservation_id)
            .await?
            .ok_or(SyncError::ReservationNotFound(reservation_id))?;
        let mapping = db::qloapps_reservation_mappings::find_by_reservation(
            &mut *conn,
            config_id,
            reservation_id,
        )
        .await?;
        let client = self.clients.client(&config).await?;
        let push = Push {
            conn,
            client: &client,
            config_id,
            reservation: &reservation,
        };
        match reservation.status {
            ReservationStatus::Cancelled => push.cancel(mapping).await,
            ReservationStatus::Confirmed => {
                push.upsert(mapping, u64::try_from(config.qloapps_hotel_id).unwrap_or(0))
                    .await
            }
        }
    }
}

/// One push of one reservation, inside the transaction that holds its lock.
struct Push<'a> {
    conn: &'a mut PgConnection,
    client: &'a QloClient,
    config_id: ConfigId,
    reservation: &'a Reservation,
}

impl Push<'_> {
    async fn upsert(
        mut self,
        mapping: Option<ReservationMapping>,
        hotel_id: u64,
    ) -> Result<PushOutcome, SyncError> {
        let r = self.reservation;
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
        let qlo_room_type = u64::try_from(room_type.qloapps_room_type_id).unwrap_or(0);
        let request = booking_request(r, &guest, hotel_id, qlo_room_type).map_err(|problem| {
            SyncError::Unpushable {
                reservation: r.id,
                problem,
            }
        })?;
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
                    let adopted =
                        matches!(created.confirmation, qlo_client::WriteConfirmation::Adopted);
                    return Ok(PushOutcome::Created {
                        order_id: created.order_id,
                        adopted,
                    });
                }
            },
        };
        self.client.update_booking(order_id, &request).await?;
        record::mapping_pushed(&mut *self.conn, mapping_id, &hash).await?;
        Ok(match adopted {
            Some(adopted) => PushOutcome::Created { order_id, adopted },
            None => PushOutcome::Updated { order_id },
        })
    }

    async fn cancel(
        mut self,
        mapping: Option<ReservationMapping>,
    ) -> Result<PushOutcome, SyncError> {
        let (mapping_id, order_id) = match mapping {
            Some(m) => (m.id, order_id_of(&m)),
            None => match self
                .client
                .find_order_by_source(&push_source(self.reservation))
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
            record::mapping_pushed(&mut *self.conn, mapping_id, record::CANCELLED_HASH).await?;
            return Ok(PushOutcome::Skipped {
                reason: "the QloApps order is already cancelled",
            });
        }
        self.client.cancel_booking(order_id).await?;
        record::mapping_pushed(&mut *self.conn, mapping_id, record::CANCELLED_HASH).await?;
        Ok(PushOutcome::Cancelled { order_id })
    }

    async fn map(&mut self, order_id: u64, hash: Option<&str>) -> Result<uuid::Uuid, SyncError> {
        let new = db::qloapps_reservation_mappings::NewReservationMapping {
            config_id: self.config_id,
            property_id: self.reservation.property_id,
            local_reservation_id: self.reservation.id,
            qloapps_booking_id: i64::try_from(order_id).unwrap_or(i64::MAX),
            qloapps_line_key: String::new(),
            last_pushed_hash: hash.map(str::to_owned),
        };
        Ok(
            db::qloapps_reservation_mappings::insert_mapping(&mut *self.conn, &new)
                .await?
                .id,
        )
    }
}

fn order_id_of(mapping: &ReservationMapping) -> u64 {
    u64::try_from(mapping.qloapps_booking_id).unwrap_or(0)
}

/// The advisory-lock key of one reservation's pushes (the 64-bit lock space; pulls use the
/// two-int space, which never overlaps it).
fn reservation_lock_key(id: ReservationId) -> i64 {
    let (hi, lo) = id.0.as_u64_pair();
    i64::from_ne_bytes((hi ^ lo).to_ne_bytes())
}
