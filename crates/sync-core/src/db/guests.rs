use sqlx::PgExecutor;

use super::Page;
use crate::domain::guest::{GuestPatch, NewGuest};
use crate::domain::{normalize_phone, Guest, GuestId, PropertyId};

const COLUMNS: &str =
    "id, property_id, first_name, last_name, email, phone, phone_normalized, possible_duplicate, created_at, updated_at";

pub async fn insert_guest(
    db: impl PgExecutor<'_>,
    property_id: PropertyId,
    new: &NewGuest,
) -> Result<Guest, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO guests (id, property_id, first_name, last_name, email, phone, phone_normalized, possible_duplicate)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(GuestId::generate())
    .bind(property_id)
    .bind(&new.first_name)
    .bind(&new.last_name)
    .bind(&new.email)
    .bind(&new.phone)
    .bind(new.phone.as_deref().and_then(normalize_phone))
    .bind(new.possible_duplicate)
    .fetch_one(db)
    .await
}

/// A guest of the property with this email (case-insensitive), if any.
pub async fn find_by_email(
    db: impl PgExecutor<'_>,
    property_id: crate::domain::PropertyId,
    email: &str,
) -> Result<Option<GuestId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM guests WHERE property_id = $1 AND lower(email) = lower($2) ORDER BY created_at, id LIMIT 1",
    )
    .bind(property_id)
    .bind(email)
    .fetch_optional(db)
    .await
}

/// A guest of the property with this normalised phone, if any.
pub async fn find_by_phone(
    db: impl PgExecutor<'_>,
    property_id: crate::domain::PropertyId,
    phone_normalized: &str,
) -> Result<Option<GuestId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM guests WHERE property_id = $1 AND phone_normalized = $2
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(property_id)
    .bind(phone_normalized)
    .fetch_optional(db)
    .await
}

/// (id, first name, last name) of up to `limit` guests with a reservation of the property
/// arriving on `check_in`, oldest guest first.
pub async fn arriving_on(
    db: impl PgExecutor<'_>,
    property_id: crate::domain::PropertyId,
    check_in: chrono::NaiveDate,
    limit: i64,
) -> Result<Vec<(GuestId, String, String)>, sqlx::Error> {
    let rows: Vec<(GuestId, String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT DISTINCT g.id, g.first_name, g.last_name, g.created_at FROM reservations r
         JOIN guests g ON g.id = r.guest_id
         WHERE r.property_id = $1 AND r.check_in = $2
         ORDER BY g.created_at, g.id LIMIT $3",
    )
    .bind(property_id)
    .bind(check_in)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id, f, l, _)| (id, f, l)).collect())
}

pub async fn get_guest(db: impl PgExecutor<'_>, id: GuestId) -> Result<Option<Guest>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM guests WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Search criteria, combined with AND. Email is compared case-insensitively, phone in its
/// normalised form, name as a case-insensitive substring of first or last name.
#[derive(Debug, Clone, Default)]
pub struct GuestFilter {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
}

const FILTER: &str = "property_id = $1
    AND ($2::text IS NULL OR lower(email) = lower($2))
    AND ($3::text IS NULL OR phone_normalized = $3)
    AND ($4::text IS NULL OR first_name ILIKE '%' || $4 || '%' OR last_name ILIKE '%' || $4 || '%')";

pub async fn list_guests(
    db: impl PgExecutor<'_>,
    property_id: PropertyId,
    filter: &GuestFilter,
    page: Page,
) -> Result<Vec<Guest>, sqlx::Error> {
    let phone = filter
        .phone
        .as_deref()
        .map(|p| normalize_phone(p).unwrap_or_default());
    let name = filter.name.as_deref().map(escape_like);
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM guests WHERE {FILTER} ORDER BY lower(last_name), lower(first_name), id LIMIT $5 OFFSET $6"
    ))
    .bind(property_id)
    .bind(&filter.email)
    .bind(&phone)
    .bind(&name)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(db)
    .await
}

pub async fn count_guests(
    db: impl PgExecutor<'_>,
    property_id: PropertyId,
    filter: &GuestFilter,
) -> Result<i64, sqlx::Error> {
    let phone = filter
        .phone
        .as_deref()
        .map(|p| normalize_phone(p).unwrap_or_default());
    let name = filter.name.as_deref().map(escape_like);
    sqlx::query_scalar(&format!("SELECT count(*) FROM guests WHERE {FILTER}"))
        .bind(property_id)
        .bind(&filter.email)
        .bind(&phone)
        .bind(&name)
        .fetch_one(db)
        .await
}

pub async fn update_guest(
    db: impl PgExecutor<'_>,
    id: GuestId,
    patch: &GuestPatch,
) -> Result<Option<Guest>, sqlx::Error> {
    let phone_normalized = patch
        .phone
        .as_ref()
        .map(|p| p.as_deref().and_then(normalize_phone));
    sqlx::query_as(&format!(
        "UPDATE guests SET first_name = COALESCE($2, first_name), last_name = COALESCE($3, last_name),
                email = CASE WHEN $4 THEN $5 ELSE email END,
                phone = CASE WHEN $6 THEN $7 ELSE phone END,
                phone_normalized = CASE WHEN $6 THEN $8 ELSE phone_normalized END,
                possible_duplicate = COALESCE($9, possible_duplicate), updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(&patch.first_name)
    .bind(&patch.last_name)
    .bind(patch.email.is_some())
    .bind(patch.email.clone().flatten())
    .bind(patch.phone.is_some())
    .bind(patch.phone.clone().flatten())
    .bind(phone_normalized.flatten())
    .bind(patch.possible_duplicate)
    .fetch_optional(db)
    .await
}

/// Escapes LIKE wildcards so a searched name matches literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The guests with these ids (unknown ids are left out).
pub async fn get_guests(
    db: impl PgExecutor<'_>,
    ids: &[GuestId],
) -> Result<Vec<Guest>, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.0).collect();
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM guests WHERE id = ANY($1)"))
        .bind(ids)
        .fetch_all(db)
        .await
}
