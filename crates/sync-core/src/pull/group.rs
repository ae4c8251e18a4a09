//! One line group of a QloApps booking against its PMS reservation: create it, bring it up to
//! date (resolving conflicts, see `conflict`), or cancel it when its lines are gone.

use qlo_client::{Customer, Order};
use sqlx::PgConnection;

use super::conflict::{resolve, versions, Resolution, Sides};
use super::context::{ApplyError, Ctx};
use super::map::{group_hash, Group};
use super::record::{BookingOutcome, LogItem};
use crate::db;
use crate::db::qloapps_reservation_mappings::{self as mappings, PulledMapping};
use crate::domain::reservation::{NewReservation, ReservationPatch};
use crate::domain::{GuestId, Reservation, ReservationSource, SyncOutcome};
use crate::guest_match::{match_or_create, GuestCandidate, MatchRule};

/// The order's guest, matched once for all its new reservations.
pub struct GuestCache<'a> {
    customer: Option<&'a Customer>,
    customer_id: u64,
    matched: Option<(GuestId, MatchRule)>,
}

impl<'a> GuestCache<'a> {
    pub fn new(customer: Option<&'a Customer>, customer_id: u64) -> Self {
        GuestCache {
            customer,
            customer_id,
            matched: None,
        }
    }

    async fn get(
        &mut self,
        conn: &mut PgConnection,
        ctx: &Ctx,
        group: &Group,
    ) -> Result<(GuestId, MatchRule), sqlx::Error> {
        if let Some(found) = self.matched {
            return Ok(found);
        }
        let candidate = match self.customer {
            Some(c) => GuestCandidate {
                first_name: c.firstname.clone(),
                last_name: c.lastname.clone(),
                email: Some(c.email.clone()).filter(|e| !e.trim().is_empty()),
                phone: Some(c.phone.clone()).filter(|p| !p.trim().is_empty()),
            },
            // deleted in QloApps: the booking still holds rooms, so import it under a stand-in
            None => GuestCandidate {
                first_name: "QloApps customer".to_owned(),
                last_name: format!("#{}", self.customer_id),
                email: None,
                phone: None,
            },
        };
        let found = match_or_create(conn, ctx.property_id, &candidate, group.check_in).await?;
        self.matched = Some(found);
        Ok(found)
    }
}

pub async fn create(
    conn: &mut PgConnection,
    ctx: &Ctx,
    order: &Order,
    group: &Group,
    guest: &mut GuestCache<'_>,
) -> Result<(BookingOutcome, LogItem), ApplyError> {
    if group.cancelled {
        let item = LogItem::new(order.id, None, SyncOutcome::Skipped).message(format!(
            "{}: cancelled in QloApps before it was ever pulled",
            group.key
        ));
        return Ok((BookingOutcome::Skipped, item));
    }
    let room_type_id = room_type(ctx, group)?;
    let (guest_id, rule) = guest.get(conn, ctx, group).await?;
    let new = NewReservation {
        property_id: ctx.property_id,
        room_type_id,
        guest_id,
        check_in: group.check_in,
        check_out: group.check_out,
        number_of_rooms: group.rooms,
        adults: group.adults,
        children: group.children,
        total_price: group.price,
        currency: ctx.currency.clone(),
        source: ReservationSource::Qloapps,
        notes: Some(format!("QloApps order {} ({})", order.id, order.reference)),
    };
    let reservation = db::reservations::insert_reservation(&mut *conn, &new).await?;
    let mapping = mappings::NewReservationMapping {
        config_id: ctx.config_id,
        property_id: ctx.property_id,
        local_reservation_id: reservation.id,
        qloapps_booking_id: crate::domain::QloOrderId(order.id),
        qloapps_line_key: group.key.clone(),
        last_pushed_hash: None,
        last_pulled_hash: Some(group_hash(group)),
    };
    mappings::insert_mapping(&mut *conn, &mapping).await?;
    let item = LogItem::new(order.id, Some(reservation.id), SyncOutcome::Created).message(format!(
        "{}: guest matched by {}",
        group.key,
        rule.as_str()
    ));
    Ok((BookingOutcome::Created, item))
}

pub async fn update(
    conn: &mut PgConnection,
    ctx: &Ctx,
    order: &Order,
    group: &Group,
    mapping: &PulledMapping,
    rekeyed: bool,
) -> Result<(BookingOutcome, LogItem), ApplyError> {
    let hash = group_hash(group);
    let reservation_id = mapping.local_reservation_id;
    let item = |outcome| LogItem::new(order.id, Some(reservation_id), outcome);
    if !rekeyed && mapping.last_pulled_hash.as_deref() == Some(hash.as_str()) {
        return Ok((
            BookingOutcome::Skipped,
            item(SyncOutcome::Skipped).message("unchanged in QloApps"),
        ));
    }
    let reservation = db::reservations::lock_reservation(&mut *conn, reservation_id)
        .await?
        .ok_or_else(|| {
            ApplyError::Booking(format!(
                "mapped reservation {reservation_id} no longer exists"
            ))
        })?;
    let sides = Sides::of(&reservation, mapping.last_synced_at, group, ctx);
    let resolution = resolve(sides);
    let synced = !matches!(resolution, Resolution::KeepPms);
    mappings::record_pull(conn, mapping.id, &hash, &group.key, synced).await?;
    let versions =
        |winner: &str, rule: &str| versions(winner, rule, &reservation, order, group, ctx);
    Ok(match resolution {
        Resolution::BothCancelled => (
            BookingOutcome::Skipped,
            item(SyncOutcome::Skipped).message("cancelled on both sides"),
        ),
        Resolution::KeepPms => {
            let rule = if sides.pms_cancelled {
                "a cancellation wins over an update"
            } else {
                "the newer change wins"
            };
            let message =
                format!("the PMS version wins ({rule}); the QloApps change was not applied");
            (
                BookingOutcome::Skipped,
                item(SyncOutcome::Conflict)
                    .message(message)
                    .details(versions("pms", rule)),
            )
        }
        Resolution::CancelPms { conflict } => {
            db::reservations::cancel_reservation(&mut *conn, reservation_id).await?;
            let entry = if conflict {
                let rule = "a cancellation wins over an update";
                item(SyncOutcome::Conflict)
                    .message("cancelled in QloApps; the PMS change made meanwhile was overridden")
                    .details(versions("qloapps", rule))
            } else {
                item(SyncOutcome::Cancelled).message("cancelled in QloApps")
            };
            (BookingOutcome::Updated, entry)
        }
        Resolution::ApplyQloApps { conflict } => {
            let patch = patch(&reservation, group, ctx)?;
            let Some(patch) = patch else {
                return Ok((
                    BookingOutcome::Skipped,
                    item(SyncOutcome::Skipped).message("already up to date"),
                ));
            };
            db::reservations::update_reservation(&mut *conn, reservation_id, &patch).await?;
            let entry = if conflict {
                let rule = "the newer change wins";
                item(SyncOutcome::Conflict)
                    .message("the QloApps version is newer; the PMS change was overridden")
                    .details(versions("qloapps", rule))
            } else {
                item(SyncOutcome::Updated).message(format!("{}: updated from QloApps", group.key))
            };
            (BookingOutcome::Updated, entry)
        }
    })
}

/// A mapping whose lines disappeared from the order: its reservation is cancelled.
pub async fn lines_removed(
    conn: &mut PgConnection,
    order: &Order,
    mapping: &PulledMapping,
) -> Result<(BookingOutcome, LogItem), ApplyError> {
    let id = mapping.local_reservation_id;
    mappings::record_lines_removed(&mut *conn, mapping.id).await?;
    Ok(
        match db::reservations::cancel_reservation(&mut *conn, id).await? {
            Some(_) => (
                BookingOutcome::Updated,
                LogItem::new(order.id, Some(id), SyncOutcome::Cancelled).message(format!(
                    "{}: its room lines were removed from the QloApps order",
                    mapping.qloapps_line_key
                )),
            ),
            None => (
                BookingOutcome::Skipped,
                LogItem::new(order.id, Some(id), SyncOutcome::Skipped)
                    .message("lines removed; already cancelled"),
            ),
        },
    )
}

fn room_type(ctx: &Ctx, group: &Group) -> Result<crate::domain::RoomTypeId, ApplyError> {
    ctx.room_types
        .get(&group.qlo_room_type)
        .copied()
        .ok_or_else(|| {
            ApplyError::Booking(format!(
                "QloApps room type {} is not mapped in this config",
                group.qlo_room_type
            ))
        })
}

/// The fields that differ from the QloApps group, or `None` when none does.
pub(super) fn patch(
    r: &Reservation,
    g: &Group,
    ctx: &Ctx,
) -> Result<Option<ReservationPatch>, ApplyError> {
    let room_type_id = room_type(ctx, g)?;
    let differ = |same: bool| (!same).then_some(());
    let patch = ReservationPatch {
        room_type_id: differ(r.room_type_id == room_type_id).map(|_| room_type_id),
        check_in: differ(r.check_in == g.check_in).map(|_| g.check_in),
        check_out: differ(r.check_out == g.check_out).map(|_| g.check_out),
        number_of_rooms: differ(r.number_of_rooms == g.rooms).map(|_| g.rooms),
        adults: differ(r.adults == g.adults).map(|_| g.adults),
        children: differ(r.children == g.children).map(|_| g.children),
        total_price: differ(r.total_price == g.price).map(|_| g.price),
        ..ReservationPatch::default()
    };
    let empty = patch.room_type_id.is_none()
        && patch.check_in.is_none()
        && patch.check_out.is_none()
        && patch.number_of_rooms.is_none()
        && patch.adults.is_none()
        && patch.children.is_none()
        && patch.total_price.is_none();
    Ok((!empty).then_some(patch))
}
