//! Push: PMS reservations to QloApps bookings (docs/architecture.md, "Push: a PMS write reaching QloApps"; docs/pushes.md).
//!
//! A message only says *which* reservation changed; the push always sends its current state:
//! a confirmed reservation without a mapping is created, one with a mapping is updated (or
//! skipped when nothing changed), a cancelled one is cancelled; a reservation that is one line
//! group of a pulled multi-line order re-sends that whole order. Pushes of one reservation are
//! serialised by a PostgreSQL advisory lock held for the whole push, so concurrent events for
//! it never race, whichever process handles them.

mod customer;
mod mapping;
mod order_groups;
mod record;
mod recreate;
mod reservation;
mod rooms;

use std::sync::Arc;
use std::time::Instant;

use sqlx::{PgConnection, PgPool};

use reservation::Push;

pub use mapping::{booking_request, customer_email, payload_hash, DEFAULT_CHILD_AGE};
pub use record::CANCELLED_HASH;

use crate::db;
use crate::db::advisory_lock::LockKey;
use crate::domain::{ConfigId, ReservationId, ReservationMapping, ReservationStatus, SyncOutcome};
use crate::locks::keyed::KeyedLock;
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
    /// A stay change QloApps refused, booked as the new order `order_id` after `replaced` was
    /// cancelled (`recreate`, only where the config opts in).
    Replaced {
        order_id: u64,
        replaced: u64,
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
            PushOutcome::Replaced { .. } => "recreate",
            PushOutcome::Skipped { .. } => "skip",
        }
    }
    fn sync_outcome(&self) -> SyncOutcome {
        match self {
            PushOutcome::Created { .. } => SyncOutcome::Created,
            PushOutcome::Updated { .. } | PushOutcome::Replaced { .. } => SyncOutcome::Updated,
            PushOutcome::Cancelled { .. } => SyncOutcome::Cancelled,
            PushOutcome::Skipped { .. } => SyncOutcome::Skipped,
        }
    }
    /// QloApps holds the reservation as the PMS does (every outcome but a push that did not
    /// run because the config's sync is off).
    fn leaves_in_sync(&self) -> bool {
        !matches!(self, PushOutcome::Skipped { reason } if *reason == SYNC_DISABLED)
    }

    fn order_id(&self) -> Option<u64> {
        match self {
            PushOutcome::Created { order_id, .. }
            | PushOutcome::Updated { order_id }
            | PushOutcome::Cancelled { order_id }
            | PushOutcome::Replaced { order_id, .. } => Some(*order_id),
            PushOutcome::Skipped { .. } => None,
        }
    }
}

const SYNC_DISABLED: &str = "sync is disabled for this config";

/// Where one locked pass of a push got to.
enum Step {
    Done(PushOutcome),
    /// QloApps refused the update and the config pushes such refusals as cancel-and-recreate:
    /// the mapping's order is to be replaced (`recreate`).
    MoveOff {
        mapping_id: uuid::Uuid,
        order_id: u64,
    },
}

/// Which locked pass to run.
#[derive(Clone, Copy)]
enum Pass {
    Push,
    /// Finish the cancel-and-recreate whose mark the push pass committed.
    Move,
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
        match self
            .run(config_id, reservation_id, Pass::Push, started)
            .await?
        {
            Step::Done(outcome) => Ok(outcome),
            Step::MoveOff { .. } => match self
                .run(config_id, reservation_id, Pass::Move, started)
                .await?
            {
                Step::Done(outcome) => Ok(outcome),
                Step::MoveOff { order_id, .. } => Err(SyncError::Unpushable {
                    reservation: reservation_id,
                    problem: format!("its move off QloApps order {order_id} did not start"),
                }),
            },
        }
    }

    /// One pass under the reservation's lock, in one transaction, recorded.
    async fn run(
        &self,
        config_id: ConfigId,
        reservation_id: ReservationId,
        pass: Pass,
        started: Instant,
    ) -> Result<Step, SyncError> {
        let mut tx = self.pool.begin().await?;
        db::advisory_lock::lock_xact(&mut tx, LockKey::Reservation(reservation_id)).await?;
        match self
            .push_locked(&mut tx, config_id, reservation_id, pass)
            .await
        {
            // the config was deleted after the change was queued: nothing left to sync it to
            Err(SyncError::ConfigNotFound(_)) => {
                tracing::warn!(%config_id, %reservation_id, "QloApps config no longer exists; message dropped");
                Ok(Step::Done(PushOutcome::Skipped {
                    reason: "the QloApps config no longer exists",
                }))
            }
            Ok(Step::Done(outcome)) => {
                record::push_finished(&mut tx, config_id, reservation_id, &outcome, started)
                    .await?;
                tx.commit().await?;
                tracing::info!(%config_id, %reservation_id, ?outcome, "reservation pushed");
                Ok(Step::Done(outcome))
            }
            // step 1 of `recreate`: the mark is committed before QloApps changes
            Ok(Step::MoveOff {
                mapping_id,
                order_id,
            }) => {
                let id = crate::domain::QloOrderId(order_id);
                db::qloapps_reservation_mappings::mark_replacing(&mut *tx, mapping_id, id).await?;
                tx.commit().await?;
                tracing::info!(%config_id, %reservation_id, order_id, "QloApps refused the stay change; moving the reservation to a new order");
                Ok(Step::MoveOff {
                    mapping_id,
                    order_id,
                })
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
        pass: Pass,
    ) -> Result<Step, SyncError> {
        let config = db::qloapps_config::get_config(&mut *conn, config_id)
            .await?
            .ok_or(SyncError::ConfigNotFound(config_id))?;
        if !config.sync_enabled {
            return Ok(Step::Done(PushOutcome::Skipped {
                reason: SYNC_DISABLED,
            }));
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
        let hotel_id = config.qloapps_hotel_id.get();
        let outcome = match (mapping, reservation.status) {
            // a move to a new order that a stop interrupted is finished first
            (Some(m), _) if m.replacing_order_id.is_some() => push.finish_move(m, hotel_id).await,
            (_, _) if matches!(pass, Pass::Move) => Ok(PushOutcome::Skipped {
                reason: "another push finished the move to a new QloApps order",
            }),
            // one line group of a pulled order: the whole order is re-sent
            (Some(m), _) if !m.qloapps_line_key.is_empty() => push.sync_order(m, hotel_id).await,
            (mapping, ReservationStatus::Cancelled) => push.cancel(mapping).await,
            (Some(m), ReservationStatus::Confirmed) if config.recreate_refused_extensions => {
                let (mapping_id, order_id) = (m.id, order_id_of(&m));
                match push.upsert(Some(m), hotel_id).await {
                    Err(error) if recreate::movable(&error) => {
                        return Ok(Step::MoveOff {
                            mapping_id,
                            order_id,
                        })
                    }
                    other => other,
                }
            }
            (mapping, ReservationStatus::Confirmed) => push.upsert(mapping, hotel_id).await,
        };
        outcome.map(Step::Done)
    }
}

fn order_id_of(mapping: &ReservationMapping) -> u64 {
    mapping.qloapps_booking_id.get()
}
