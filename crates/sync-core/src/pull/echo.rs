//! An order qlosync pushed (`source` `pms:<reservation>`), read back by a pull: never a second
//! reservation, but it can have been edited in QloApps (back office, another tool). Its
//! dates, room type, rooms, guests, price and status are compared with the reservation; the
//! newer side wins (`conflict::resolve`: a cancellation wins, else QloApps' `date_upd` in
//! `PS_TIMEZONE` against the reservation's `updated_at`) and the sync log keeps both versions.
//! A QloApps version taken into the PMS is recorded as already pushed, so the push does not
//! send it back (docs/pull-failures.md).

use qlo_client::{Order, RoomBookingLine};
use sqlx::PgConnection;

use super::conflict::{resolve, versions, Resolution, Sides};
use super::context::{ApplyError, Ctx};
use super::group::patch;
use super::map::{self, group_hash, Group};
use super::record::{log_item, BookingOutcome, LogItem};
use crate::db;
use crate::db::qloapps_reservation_mappings as mappings;
use crate::domain::{
    Reservation, ReservationId, ReservationMapping, ReservationStatus, SyncOutcome,
};
use crate::push::{booking_request, payload_hash};

pub async fn apply_echo(
    conn: &mut PgConnection,
    ctx: &Ctx,
    order: &Order,
    lines: &[RoomBookingLine],
    reservation_id: ReservationId,
) -> Result<BookingOutcome, ApplyError> {
    let skip = |message: &str| {
        LogItem::new(order.id, Some(reservation_id), SyncOutcome::Skipped).message(message)
    };
    let reservation = db::reservations::lock_reservation(&mut *conn, reservation_id).await?;
    let Some(reservation) = reservation.filter(|r| r.property_id == ctx.property_id) else {
        let item = LogItem::new(order.id, None, SyncOutcome::Skipped).message(format!(
            "pushed by qlosync for reservation {reservation_id}, which this property does not have"
        ));
        log_item(conn, ctx.config_id, ctx.run_id, item).await?;
        return Ok(BookingOutcome::Skipped);
    };
    let order_id = crate::domain::QloOrderId(order.id);
    let (mapping, restored) = match mappings::find_by_reservation(
        &mut *conn,
        ctx.config_id,
        reservation_id,
    )
    .await?
    {
        Some(m) if m.qloapps_booking_id != order_id => {
            let item = skip(&format!(
                "a second QloApps order for reservation {reservation_id}, which is mapped to order {}; left alone",
                m.qloapps_booking_id
            ));
            log_item(conn, ctx.config_id, ctx.run_id, item).await?;
            return Ok(BookingOutcome::Skipped);
        }
        // cancel-and-recreate under way (`push::recreate`): the old order's cancellation is the
        // push's own doing, not the hotel's
        Some(m) if m.replacing_order_id.is_some() => {
            let item =
                skip("qlosync is moving this reservation to a new QloApps order; left to the push");
            log_item(conn, ctx.config_id, ctx.run_id, item).await?;
            return Ok(BookingOutcome::Skipped);
        }
        Some(m) => (m, false),
        None => {
            // the push created the order but stopped before storing its mapping
            let new = mappings::NewReservationMapping {
                config_id: ctx.config_id,
                property_id: ctx.property_id,
                local_reservation_id: reservation_id,
                qloapps_booking_id: order_id,
                qloapps_line_key: String::new(),
                last_pushed_hash: None,
                last_pulled_hash: None,
            };
            (mappings::insert_mapping(&mut *conn, &new).await?, true)
        }
    };
    let ours: Vec<&RoomBookingLine> = lines
        .iter()
        .filter(|l| l.id_hotel == ctx.hotel_id)
        .collect();
    let groups = map::groups(order, &ours, &ctx.states).map_err(ApplyError::Booking)?;
    let group = match groups.as_slice() {
        [g] => g,
        // no room lines read: only the order's state can be judged
        [] => return status_only(conn, ctx, order, &reservation, restored).await,
        _ => {
            return Err(ApplyError::Booking(format!(
                "the order qlosync pushed for reservation {reservation_id} now has {} room types or stays in QloApps; one reservation cannot hold them",
                groups.len()
            )))
        }
    };
    let hash = group_hash(group);
    if mappings::pulled_hash(&mut *conn, mapping.id)
        .await?
        .as_deref()
        == Some(hash.as_str())
    {
        let message = if restored {
            "pushed by qlosync; its missing mapping was restored"
        } else {
            "pushed by qlosync; nothing new"
        };
        log_item(conn, ctx.config_id, ctx.run_id, skip(message)).await?;
        return Ok(BookingOutcome::Skipped);
    }
    let cancelled = reservation.status == ReservationStatus::Cancelled;
    if cancelled == group.cancelled && patch(&reservation, group, ctx)?.is_none() {
        mappings::record_echo(&mut *conn, mapping.id, &hash, false, None).await?;
        let item = skip(if restored {
            "pushed by qlosync; its missing mapping was restored"
        } else {
            "pushed by qlosync; QloApps has the reservation as it is"
        });
        log_item(conn, ctx.config_id, ctx.run_id, item).await?;
        return Ok(BookingOutcome::Skipped);
    }
    judge(conn, ctx, order, group, &reservation, &mapping, &hash).await
}

/// QloApps and the PMS differ: the newer side wins.
async fn judge(
    conn: &mut PgConnection,
    ctx: &Ctx,
    order: &Order,
    group: &Group,
    reservation: &Reservation,
    mapping: &ReservationMapping,
    hash: &str,
) -> Result<BookingOutcome, ApplyError> {
    let id = reservation.id;
    let sides = Sides::of(reservation, mapping.last_synced_at, group, ctx);
    let item = |outcome| LogItem::new(order.id, Some(id), outcome);
    let both = |winner: &str, rule: &str| versions(winner, rule, reservation, order, group, ctx);
    let (outcome, entry) = match resolve(sides) {
        Resolution::BothCancelled => {
            mappings::record_echo(&mut *conn, mapping.id, hash, false, None).await?;
            let entry = item(SyncOutcome::Skipped).message("cancelled on both sides");
            (BookingOutcome::Skipped, entry)
        }
        Resolution::KeepPms => {
            mappings::record_echo(&mut *conn, mapping.id, hash, false, None).await?;
            // QloApps changed after the last sync too: a real conflict, else the PMS change is
            // simply still on its way to QloApps
            let edited = mapping
                .last_synced_at
                .is_none_or(|t| sides.qlo_changed_at > t);
            let rule = if sides.pms_cancelled {
                "a cancellation wins over an update"
            } else {
                "the newer change wins"
            };
            let outcome = if edited {
                SyncOutcome::Conflict
            } else {
                SyncOutcome::Skipped
            };
            let entry = item(outcome)
                .message(format!(
                    "the PMS version wins ({rule}); it is pushed to QloApps"
                ))
                .details(both("pms", rule));
            (BookingOutcome::Skipped, entry)
        }
        Resolution::CancelPms { conflict } => {
            db::reservations::cancel_reservation(&mut *conn, id).await?;
            let pushed = crate::push::CANCELLED_HASH;
            mappings::record_echo(&mut *conn, mapping.id, hash, true, Some(pushed)).await?;
            let rule = "a cancellation wins over an update";
            let (outcome, message) = if conflict {
                (SyncOutcome::Conflict, "the order qlosync pushed was cancelled in QloApps; the PMS change made meanwhile was overridden")
            } else {
                (
                    SyncOutcome::Cancelled,
                    "the order qlosync pushed was cancelled in QloApps",
                )
            };
            let entry = item(outcome)
                .message(message)
                .details(both("qloapps", rule));
            (BookingOutcome::Updated, entry)
        }
        Resolution::ApplyQloApps { conflict } => {
            let updated = match patch(reservation, group, ctx)? {
                Some(p) => db::reservations::update_reservation(&mut *conn, id, &p).await?,
                None => None,
            };
            let now = updated.unwrap_or_else(|| reservation.clone());
            let pushed = push_hash(conn, &now, ctx, group).await?;
            mappings::record_echo(&mut *conn, mapping.id, hash, true, pushed.as_deref()).await?;
            let rule = "the newer change wins";
            let (outcome, message) = if conflict {
                (
                    SyncOutcome::Conflict,
                    "edited in QloApps after the PMS change; the QloApps version was applied",
                )
            } else {
                (
                    SyncOutcome::Updated,
                    "edited in QloApps; the QloApps version was applied",
                )
            };
            let entry = item(outcome)
                .message(message)
                .details(both("qloapps", rule));
            (BookingOutcome::Updated, entry)
        }
    };
    log_item(conn, ctx.config_id, ctx.run_id, entry).await?;
    Ok(outcome)
}

/// What a push of `r` would send (`push::payload_hash`): QloApps already has it.
async fn push_hash(
    conn: &mut PgConnection,
    r: &Reservation,
    ctx: &Ctx,
    group: &Group,
) -> Result<Option<String>, ApplyError> {
    let Some(guest) = db::guests::get_guest(&mut *conn, r.guest_id).await? else {
        return Ok(None);
    };
    Ok(
        booking_request(r, &guest, ctx.hotel_id, group.qlo_room_type)
            .ok()
            .map(|request| payload_hash(&request)),
    )
}

/// An order without room lines in this hotel: only a cancellation is taken from it.
async fn status_only(
    conn: &mut PgConnection,
    ctx: &Ctx,
    order: &Order,
    reservation: &Reservation,
    restored: bool,
) -> Result<BookingOutcome, ApplyError> {
    let id = reservation.id;
    if ctx.states.frees_rooms(order.current_state)
        && reservation.status == ReservationStatus::Confirmed
    {
        db::reservations::cancel_reservation(&mut *conn, id).await?;
        let item = LogItem::new(order.id, Some(id), SyncOutcome::Cancelled)
            .message("the order qlosync pushed was cancelled in QloApps");
        log_item(conn, ctx.config_id, ctx.run_id, item).await?;
        return Ok(BookingOutcome::Updated);
    }
    let message = if restored {
        "pushed by qlosync; its missing mapping was restored"
    } else {
        "pushed by qlosync; nothing new"
    };
    let item = LogItem::new(order.id, Some(id), SyncOutcome::Skipped).message(message);
    log_item(conn, ctx.config_id, ctx.run_id, item).await?;
    Ok(BookingOutcome::Skipped)
}
