//! Guest matching (docs/architecture.md, "Sync rules"): email, then phone, then name + check-in date,
//! otherwise a new guest flagged as a possible duplicate; always through an index.

use rust_decimal::Decimal;
use sqlx::PgPool;
use sync_core::db;
use sync_core::domain::guest::NewGuest;
use sync_core::domain::reservation::NewReservation;
use sync_core::domain::{Guest, GuestId, ReservationSource};
use sync_core::pull::PullKind;

use crate::helpers::{date, Spec, World};

async fn guest(
    w: &World,
    first: &str,
    last: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> GuestId {
    let new = NewGuest {
        first_name: first.into(),
        last_name: last.into(),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        possible_duplicate: false,
    };
    db::guests::insert_guest(&w.pool, w.property, &new)
        .await
        .unwrap()
        .id
}

/// A PMS reservation of `guest` checking in `check_in` (what the name rule looks at).
async fn stay(w: &World, guest: GuestId, check_in: &str) {
    let new = NewReservation {
        property_id: w.property,
        room_type_id: w.room_types[2],
        guest_id: guest,
        check_in: date(check_in),
        check_out: date(check_in).succ_opt().unwrap(),
        number_of_rooms: 1,
        adults: 1,
        children: 0,
        total_price: Decimal::ONE,
        currency: "USD".into(),
        source: ReservationSource::Pms,
        notes: None,
    };
    db::reservations::insert_reservation(&w.pool, &new)
        .await
        .unwrap();
}

/// Pulls the booking and returns its reservation's guest.
async fn pulled_guest(w: &World, spec: Spec) -> Guest {
    let order = w.book(spec).await;
    w.pull(PullKind::Full).await;
    let (_, r) = w.mapped(order).await.remove(0);
    db::guests::get_guest(&w.pool, r.guest_id)
        .await
        .unwrap()
        .unwrap()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn email_wins_case_insensitively_then_phone_then_name_and_check_in(pool: PgPool) {
    let w = World::start(pool).await;
    let by_email = guest(&w, "A.", "Keller", Some("Anna.Keller@Example.COM"), None).await;
    let by_phone = guest(&w, "Anna", "K", None, Some("+41 79 123 45 67")).await;
    let by_name = guest(&w, "Anna", "Keller", None, None).await;
    stay(&w, by_name, "2027-02-01").await;

    let spec = Spec::new(1, "2027-02-01", "2027-02-03", 1);
    assert_eq!(
        pulled_guest(&w, spec).await.id,
        by_email,
        "email first, whatever the case"
    );

    let spec = Spec::new(1, "2027-02-01", "2027-02-03", 1).guest(
        "Anna",
        "Keller",
        "other@example.com",
        "0041-79-123-45-67",
    );
    let found = pulled_guest(&w, spec).await;
    assert_eq!(
        found.id, by_name,
        "'0041…' is not '+41…' after normalising: the name rule decides"
    );
    let spec = Spec::new(1, "2027-02-01", "2027-02-03", 1).guest(
        "Anna",
        "Keller",
        "third@example.com",
        "+41 (79) 123-45-67",
    );
    assert_eq!(
        pulled_guest(&w, spec).await.id,
        by_phone,
        "phone before name, normalised"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn name_and_check_in_tolerate_case_accents_and_a_typo(pool: PgPool) {
    let w = World::start(pool).await;
    let jose = guest(&w, "José", "Müller", None, None).await;
    stay(&w, jose, "2027-02-01").await;

    let spec = Spec::new(1, "2027-02-01", "2027-02-03", 1).guest(
        "JOSE",
        "Muler",
        "jm@example.com",
        "+1 555 0100 200",
    );
    let found = pulled_guest(&w, spec).await;
    assert_eq!(found.id, jose);
    assert!(!found.possible_duplicate);

    let other_day = Spec::new(1, "2027-03-01", "2027-03-03", 1).guest(
        "José",
        "Müller",
        "jm2@example.com",
        "+1 555 0100 300",
    );
    let found = pulled_guest(&w, other_day).await;
    assert_ne!(
        found.id, jose,
        "same name, another check-in day: not enough"
    );
    assert!(found.possible_duplicate);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn without_a_match_a_new_guest_is_created_and_flagged(pool: PgPool) {
    let w = World::start(pool).await;
    guest(
        &w,
        "Someone",
        "Else",
        Some("else@example.com"),
        Some("+1 555 999 0000"),
    )
    .await;

    let spec = Spec::new(1, "2027-02-01", "2027-02-03", 1).guest(
        "Mia",
        "Rossi",
        "mia@example.com",
        "+39 333 123 4567",
    );
    let found = pulled_guest(&w, spec).await;

    assert!(found.possible_duplicate);
    assert_eq!(
        (found.first_name.as_str(), found.last_name.as_str()),
        ("Mia", "Rossi")
    );
    assert_eq!(found.email.as_deref(), Some("mia@example.com"));
    assert_eq!(found.phone_normalized.as_deref(), Some("+393331234567"));
    let log = w.log(w.pull(PullKind::Full).await.run_id).await;
    assert_eq!(
        log[0].outcome, "skipped",
        "pulled again: the same guest, no second one"
    );
    let guests: i64 = sqlx::query_scalar("SELECT count(*) FROM guests")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(guests, 2);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn matching_reads_through_indexes_not_a_scan_of_all_guests(pool: PgPool) {
    let w = World::start(pool).await;
    let mut conn = w.pool.acquire().await.unwrap();
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let queries = [
        "SELECT id FROM guests WHERE property_id = $1 AND email IS NOT NULL AND lower(email) = lower('a@b.c') ORDER BY created_at, id LIMIT 1",
        "SELECT id FROM guests WHERE property_id = $1 AND phone_normalized IS NOT NULL AND phone_normalized = '+4179' ORDER BY created_at, id LIMIT 1",
        "SELECT DISTINCT g.id, g.first_name, g.last_name, g.created_at FROM reservations r JOIN guests g ON g.id = r.guest_id
         WHERE r.property_id = $1 AND r.check_in = '2027-02-01' ORDER BY g.created_at, g.id LIMIT 500",
    ];
    for query in queries {
        let plan: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {query}"))
            .bind(w.property)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let plan = plan.join("\n");
        assert!(!plan.contains("Seq Scan"), "{query}\n{plan}");
    }
}
