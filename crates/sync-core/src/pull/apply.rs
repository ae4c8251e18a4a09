//! One pulled order applied to the PMS, inside the caller's savepoint: echoes of qlosync's own
//! pushes are compared with their reservation (see `echo`), inventory holds are skipped, and QloApps bookings
//! become or update one reservation per line group (see `map`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use qlo_client::{Customer, Order, OrderStates, RoomBookingLine};
use sqlx::PgConnection;
use uuid::Uuid;

use super::group::{self, GuestCache};
use super::map::{self, Origin};
use super::pair::pair;
use super::record::{log_item, BookingOutcome, LogItem};
use crate::db;
use crate::domain::{ConfigId, PropertyId, ReservationId, RoomTypeId, SyncOutcome};

/// What every order of a run is applied with.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub config_id: ConfigId,
    pub property_id: PropertyId,
    /// Reservations are kept in the property's currency.
    pub currency: String,
    pub hotel_id: u64,
    pub states: OrderStates,
    pub zone: Tz,
    /// Active room-type mappings: QloApps room type → PMS room type.
    pub room_types: HashMap<u64, RoomTypeId>,
    pub run_id: Uuid,
}

/// Why an order could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// This booking cannot be applied (unmapped room type, bad data): logged, the run goes on.
    #[error("{0}")]
    Booking(String),
    /// The database is unreachable: the run stops.
    #[error("database: {0}")]
    Db(#[source] sqlx::Error),
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        if db::is_transient(&e) {
            ApplyError::Db(e)
        } else {
            ApplyError::Booking(format!("the database refused the change: {e}"))
        }
    }
}

/// A mapping of the order, with what the pull keeps on it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PulledMapping {
    pub id: Uuid,
    pub local_reservation_id: ReservationId,
    pub qloapps_line_key: String,
    pub last_pulled_hash: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
}

pub async fn apply_order(
    conn: &mut PgConnection,
    ctx: &Ctx,
    order: &Order,
    lines: &[RoomBookingLine],
    customer: Option<&Customer>,
) -> Result<BookingOutcome, ApplyError> {
    match map::origin(&order.source) {
        Origin::Hold => {
            let item = LogItem::new(order.id, None, SyncOutcome::Skipped)
                .message("an inventory hold of qlosync, not a booking");
            log_item(conn, ctx.config_id, ctx.run_id, item).await?;
            Ok(BookingOutcome::Skipped)
        }
        Origin::Pushed(reservation_id) => {
            super::echo::apply_echo(conn, ctx, order, lines, reservation_id).await
        }
        Origin::QloApps => apply_booking(conn, ctx, order, lines, customer).await,
    }
}

/// A booking made in QloApps: one reservation per line group of this config's hotel.
async fn apply_booking(
    conn: &mut PgConnection,
    ctx: &Ctx,
    order: &Order,
    lines: &[RoomBookingLine],
    customer: Option<&Customer>,
) -> Result<BookingOutcome, ApplyError> {
    let ours: Vec<&RoomBookingLine> = lines
        .iter()
        .filter(|l| l.id_hotel == ctx.hotel_id)
        .collect();
    if ours.is_empty() {
        let message = if lines.is_empty() {
            "the order has no room lines".to_owned()
        } else {
            format!("no room of QloApps hotel {} in this order", ctx.hotel_id)
        };
        let item = LogItem::new(order.id, None, SyncOutcome::Skipped).message(message);
        log_item(conn, ctx.config_id, ctx.run_id, item).await?;
        return Ok(BookingOutcome::Skipped);
    }
    let groups = map::groups(order, &ours, &ctx.states).map_err(ApplyError::Booking)?;
    for g in &groups {
        if !ctx.room_types.contains_key(&g.qlo_room_type) {
            return Err(ApplyError::Booking(format!(
                "QloApps room type {} is not mapped to a PMS room type in this config",
                g.qlo_room_type
            )));
        }
    }
    let mappings: Vec<PulledMapping> = sqlx::query_as(
        "SELECT id, local_reservation_id, qloapps_line_key, last_pulled_hash, last_synced_at
         FROM qloapps_reservation_mappings WHERE config_id = $1 AND qloapps_booking_id = $2
         ORDER BY created_at, id FOR UPDATE",
    )
    .bind(ctx.config_id)
    .bind(i64::try_from(order.id).unwrap_or(i64::MAX))
    .fetch_all(&mut *conn)
    .await?;
    let mut guest = GuestCache::new(customer, order.id_customer);
    let mut outcomes = Vec::new();
    let (pairs, orphans) = pair(&groups, mappings);
    for (g, mapping) in pairs {
        let (outcome, item) = match mapping {
            Some((m, rekeyed)) => group::update(conn, ctx, order, g, &m, rekeyed).await?,
            None => group::create(conn, ctx, order, g, &mut guest).await?,
        };
        log_item(conn, ctx.config_id, ctx.run_id, item).await?;
        outcomes.push(outcome);
    }
    for m in orphans {
        let (outcome, item) = group::lines_removed(conn, order, &m).await?;
        log_item(conn, ctx.config_id, ctx.run_id, item).await?;
        outcomes.push(outcome);
    }
    Ok(aggregate(&outcomes))
}

/// A booking's outcome from its reservations': created if any was, else updated if any was.
fn aggregate(outcomes: &[BookingOutcome]) -> BookingOutcome {
    if outcomes.contains(&BookingOutcome::Created) {
        BookingOutcome::Created
    } else if outcomes.contains(&BookingOutcome::Updated) {
        BookingOutcome::Updated
    } else {
        BookingOutcome::Skipped
    }
}
