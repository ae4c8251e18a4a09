//! One pulled order applied to the PMS, inside the caller's savepoint: echoes of qlosync's own
//! pushes are compared with their reservation (see `echo`), inventory holds are skipped, and QloApps bookings
//! become or update one reservation per line group (see `map`).

use qlo_client::{Customer, Order, RoomBookingLine};
use sqlx::PgConnection;

use super::context::{ApplyError, Ctx};
use super::group::{self, GuestCache};
use super::map;
use super::pair::pair;
use super::record::{log_item, BookingOutcome, LogItem};
use crate::db::qloapps_reservation_mappings as mappings;
use crate::domain::order_source::OrderSource;
use crate::domain::SyncOutcome;

pub async fn apply_order(
    conn: &mut PgConnection,
    ctx: &Ctx,
    order: &Order,
    lines: &[RoomBookingLine],
    customer: Option<&Customer>,
) -> Result<BookingOutcome, ApplyError> {
    match OrderSource::parse(&order.source) {
        OrderSource::Hold => {
            let item = LogItem::new(order.id, None, SyncOutcome::Skipped)
                .message("an inventory hold of qlosync, not a booking");
            log_item(conn, ctx.config_id, ctx.run_id, item).await?;
            Ok(BookingOutcome::Skipped)
        }
        OrderSource::Pushed {
            reservation: reservation_id,
            ..
        } => super::echo::apply_echo(conn, ctx, order, lines, reservation_id).await,
        OrderSource::QloApps => apply_booking(conn, ctx, order, lines, customer).await,
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
    let order_id = crate::domain::QloOrderId(order.id);
    let pulled = mappings::lock_pulled_of_order(&mut *conn, ctx.config_id, order_id).await?;
    let mut guest = GuestCache::new(customer, order.id_customer);
    let mut outcomes = Vec::new();
    let (pairs, orphans) = pair(&groups, pulled);
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
