use sqlx::{PgConnection, PgExecutor};

use super::Page;
use crate::domain::reservation::{NewReservation, ReservationFilter, ReservationPatch};
use crate::domain::{PropertyId, Reservation, ReservationId, ReservationStatus};

const COLUMNS: &str =
    "id, property_id, room_type_id, guest_id, check_in, check_out, number_of_rooms, adults, \
     children, total_price, currency, status, source, notes, cancelled_at, created_at, updated_at";

pub async fn insert_reservation(
    db: impl PgExecutor<'_>,
    new: &NewReservation,
) -> Result<Reservation, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO reservations (id, property_id, room_type_id, guest_id, check_in, check_out, number_of_rooms,
                                   adults, children, total_price, currency, source, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {COLUMNS}"
    ))
    .bind(ReservationId::generate())
    .bind(new.property_id)
    .bind(new.room_type_id)
    .bind(new.guest_id)
    .bind(new.check_in)
    .bind(new.check_out)
    .bind(new.number_of_rooms)
    .bind(new.adults)
    .bind(new.children)
    .bind(new.total_price)
    .bind(&new.currency)
    .bind(new.source)
    .bind(&new.notes)
    .fetch_one(db)
    .await
}

pub async fn get_reservation(
    db: impl PgExecutor<'_>,
    id: ReservationId,
) -> Result<Option<Reservation>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM reservations WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Reads and row-locks a reservation until the end of the caller's transaction, so a
/// concurrent update or cancel waits instead of validating against a stale row.
pub async fn lock_reservation(
    conn: &mut PgConnection,
    id: ReservationId,
) -> Result<Option<Reservation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM reservations WHERE id = $1 FOR NO KEY UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

const FILTER: &str = "property_id = $1
    AND ($2::text IS NULL OR status = $2)
    AND ($3::text IS NULL OR source = $3)
    AND ($4::uuid IS NULL OR room_type_id = $4)
    AND ($5::uuid IS NULL OR guest_id = $5)
    AND ($6::date IS NULL OR check_in >= $6)
    AND ($7::date IS NULL OR check_in <= $7)
    AND ($8::date IS NULL OR (check_in <= $8 AND check_out > $8))
    AND ($9::timestamptz IS NULL OR updated_at >= $9)";

fn bind_filter<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    property_id: PropertyId,
    f: &'q ReservationFilter,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    query
        .bind(property_id)
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.source.map(|s| s.as_str()))
        .bind(f.room_type_id)
        .bind(f.guest_id)
        .bind(f.check_in_from)
        .bind(f.check_in_to)
        .bind(f.stay_night)
        .bind(f.updated_since)
}

/// Reservations of a property matching `filter`, by check-in date, and the total count.
pub async fn list_reservations(
    conn: &mut PgConnection,
    property_id: PropertyId,
    filter: &ReservationFilter,
    page: Page,
) -> Result<(Vec<Reservation>, i64), sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM reservations WHERE {FILTER} ORDER BY check_in, created_at, id LIMIT $10 OFFSET $11");
    let items = bind_filter(sqlx::query_as(&sql), property_id, filter)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *conn)
        .await?;
    let count_sql = format!("SELECT count(*) FROM reservations WHERE {FILTER}");
    let (total,): (i64,) = bind_filter(sqlx::query_as(&count_sql), property_id, filter)
        .fetch_one(&mut *conn)
        .await?;
    Ok((items, total))
}

pub async fn update_reservation(
    db: impl PgExecutor<'_>,
    id: ReservationId,
    patch: &ReservationPatch,
) -> Result<Option<Reservation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE reservations SET room_type_id = COALESCE($2, room_type_id), guest_id = COALESCE($3, guest_id),
                check_in = COALESCE($4, check_in), check_out = COALESCE($5, check_out),
                number_of_rooms = COALESCE($6, number_of_rooms), adults = COALESCE($7, adults),
                children = COALESCE($8, children), total_price = COALESCE($9, total_price),
                currency = COALESCE($10, currency), notes = CASE WHEN $11 THEN $12 ELSE notes END,
                updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(patch.room_type_id)
    .bind(patch.guest_id)
    .bind(patch.check_in)
    .bind(patch.check_out)
    .bind(patch.number_of_rooms)
    .bind(patch.adults)
    .bind(patch.children)
    .bind(patch.total_price)
    .bind(&patch.currency)
    .bind(patch.notes.is_some())
    .bind(patch.notes.clone().flatten())
    .fetch_optional(db)
    .await
}

/// Marks a confirmed reservation cancelled; `None` if it does not exist or is already cancelled.
pub async fn cancel_reservation(
    db: impl PgExecutor<'_>,
    id: ReservationId,
) -> Result<Option<Reservation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE reservations SET status = $2, cancelled_at = now(), updated_at = now()
         WHERE id = $1 AND status = $3 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(ReservationStatus::Cancelled)
    .bind(ReservationStatus::Confirmed)
    .fetch_optional(db)
    .await
}

/// Reservations of the config's property that QloApps may not have as they stand: changed
/// since their last sync, or never pushed (confirmed, not yet checked out). Returns
/// (reservation, cancelled) pairs, oldest change first.
pub async fn out_of_sync(
    db: impl PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> Result<Vec<(ReservationId, bool)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.status = 'cancelled' FROM reservations r
         JOIN qloapps_config c ON c.id = $1 AND c.property_id = r.property_id
         LEFT JOIN qloapps_reservation_mappings m ON m.config_id = c.id AND m.local_reservation_id = r.id
         WHERE (m.id IS NULL AND r.status = 'confirmed' AND r.check_out >= current_date)
            OR (m.id IS NOT NULL AND r.updated_at > coalesce(m.last_synced_at, '-infinity'))
         ORDER BY r.updated_at, r.id",
    )
    .bind(config_id)
    .fetch_all(db)
    .await
}

/// Reservations of a property whose stay covers a night of `first ..= last`, by check-in.
pub async fn staying_between(
    db: impl PgExecutor<'_>,
    property_id: PropertyId,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
) -> Result<Vec<Reservation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM reservations
         WHERE property_id = $1 AND check_in <= $3 AND check_out > $2
         ORDER BY check_in, id"
    ))
    .bind(property_id)
    .bind(first)
    .bind(last)
    .fetch_all(db)
    .await
}

/// The reservations with these ids (any order; unknown ids are left out).
pub async fn get_reservations(
    db: impl PgExecutor<'_>,
    ids: &[ReservationId],
) -> Result<Vec<Reservation>, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.0).collect();
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM reservations WHERE id = ANY($1) ORDER BY check_in, id"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}
