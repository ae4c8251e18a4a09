//! What each outbound message runs, without the broker: the handler against a real PostgreSQL
//! and qlo-sim. A reservation message pushes the reservation once (a redelivery changes
//! nothing), availability and rate messages reach QloApps, a message whose config is gone is
//! dropped, a refusal is dead-lettered and marks the reservation out of sync, and a QloApps
//! outage is retried, never dead-lettered.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use outbound_worker::OutboundHandler;
use qlo_sim::{Fault, SimConfig, SimServer};
use rust_decimal::Decimal;
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use sync_core::db;
use sync_core::domain::guest::NewGuest;
use sync_core::domain::reservation::NewReservation;
use sync_core::domain::{ConfigId, ReservationId, ReservationSource, RoomTypeId, SyncStanding};
use sync_core::messages::{Envelope, OutboundMessage, RangeEvent, ReservationEvent};
use sync_core::nightly::availability::AvailabilityService;
use sync_core::nightly::rates::RateService;
use sync_core::push::PushService;
use sync_core::qlo_clients::{ClientSettings, QloClients};
use sync_core::testing::fixtures::{mapped_property, MappedProperty};
use sync_queue::queue::HandleError;
use uuid::Uuid;

struct World {
    pool: PgPool,
    sim: SimServer,
    fixture: MappedProperty,
    handler: OutboundHandler,
}

impl World {
    async fn start(pool: PgPool) -> World {
        let sim = SimServer::start(SimConfig::default())
            .await
            .expect("simulator");
        let keys = KeyRing::single("t", [7; 32]);
        let fixture = mapped_property(&pool, &keys, &sim.api_url(), sim.api_key(), 1, 4).await;
        let mut settings = ClientSettings {
            timeout: Duration::from_secs(5),
            ..ClientSettings::default()
        };
        settings.retry.max_retries = 0;
        let clients = Arc::new(QloClients::new(Arc::new(keys), settings, None));
        let handler = OutboundHandler::new(
            PushService::new(pool.clone(), clients.clone()),
            RateService::new(pool.clone(), clients.clone()),
            AvailabilityService::new(pool.clone(), clients),
        );
        World {
            pool,
            sim,
            fixture,
            handler,
        }
    }

    /// A confirmed reservation of the `room_type`-th mapped room type, 2 nights from `check_in`.
    async fn reservation(&self, room_type: usize, check_in: &str) -> ReservationId {
        let guest = NewGuest {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: Some(format!("ada.{}@example.com", Uuid::new_v4().simple())),
            phone: None,
            possible_duplicate: false,
        };
        let guest = db::guests::insert_guest(&self.pool, self.fixture.property, &guest)
            .await
            .expect("guest");
        let check_in: NaiveDate = check_in.parse().expect("date");
        let new = NewReservation {
            property_id: self.fixture.property,
            room_type_id: self.room_type(room_type),
            guest_id: guest.id,
            check_in,
            check_out: check_in + chrono::Days::new(2),
            number_of_rooms: 1,
            adults: 2,
            children: 0,
            total_price: Decimal::new(24000, 2),
            currency: "USD".into(),
            source: ReservationSource::Pms,
            notes: None,
        };
        db::reservations::insert_reservation(&self.pool, &new)
            .await
            .expect("reservation")
            .id
    }

    fn room_type(&self, i: usize) -> RoomTypeId {
        self.fixture.room_types[i]
    }

    fn envelope(&self) -> Envelope {
        Envelope::new(self.fixture.config.0, None)
    }

    fn create(&self, reservation: ReservationId) -> OutboundMessage {
        OutboundMessage::ReservationCreate(ReservationEvent {
            envelope: self.envelope(),
            reservation_id: reservation.0,
        })
    }

    /// Orders in the simulator pushed for `reservation`.
    fn orders_of(&self, reservation: ReservationId) -> usize {
        let source = sync_core::domain::order_source::push_source(reservation);
        self.sim
            .state()
            .read(|shop| shop.orders.orders().filter(|o| o.source == source).count())
    }
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_reservation_message_creates_one_order_and_a_redelivery_changes_nothing(pool: PgPool) {
    let w = World::start(pool).await;
    let id = w.reservation(0, "2027-03-01").await;
    let message = w.create(id);
    assert_eq!(w.handler.process(&message).await, Ok(()));
    assert_eq!(w.orders_of(id), 1);
    let posts = w.sim.request_count("bookings", "POST");
    assert_eq!(w.handler.process(&message).await, Ok(()), "redelivered");
    assert_eq!(w.orders_of(id), 1, "never a second order");
    assert_eq!(
        w.sim.request_count("bookings", "POST"),
        posts,
        "no second POST"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn availability_and_rate_messages_reach_qloapps(pool: PgPool) {
    let w = World::start(pool).await;
    let (from, to) = (
        "2027-04-01".parse().expect("date"),
        "2027-04-03".parse().expect("date"),
    );
    db::availability::set_availability(&w.pool, w.room_type(1), from, to, 1)
        .await
        .expect("availability");
    db::rates::set_rates(&w.pool, w.room_type(1), from, to, Decimal::new(17900, 2))
        .await
        .expect("rates");
    let event = RangeEvent {
        envelope: w.envelope(),
        room_type_id: w.room_type(1).0,
        date_from: from,
        date_to: to,
    };
    let writes = |w: &World| {
        w.sim.request_count("bookings", "POST") + w.sim.request_count("feature_prices", "POST")
    };
    let before = writes(&w);
    let availability = OutboundMessage::AvailabilityUpdate(event.clone());
    assert_eq!(w.handler.process(&availability).await, Ok(()));
    let rates = OutboundMessage::RateUpdate(event);
    assert_eq!(w.handler.process(&rates).await, Ok(()));
    assert!(
        writes(&w) >= before + 2,
        "a hold booking and a feature price were written"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_message_whose_config_is_gone_is_dropped_and_a_missing_reservation_dead_lettered(
    pool: PgPool,
) {
    let w = World::start(pool).await;
    let id = w.reservation(0, "2027-05-01").await;
    let mut orphan = w.create(id);
    if let OutboundMessage::ReservationCreate(e) = &mut orphan {
        e.envelope.config_id = ConfigId::generate().0;
    }
    assert_eq!(
        w.handler.process(&orphan).await,
        Ok(()),
        "nothing to sync to"
    );
    assert_eq!(w.orders_of(id), 0);
    let missing = w.create(ReservationId(Uuid::new_v4()));
    assert!(matches!(
        w.handler.process(&missing).await,
        Err(HandleError::Permanent(_))
    ));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_refusal_is_dead_lettered_and_marks_the_reservation_out_of_sync(pool: PgPool) {
    let w = World::start(pool).await;
    let id = w.reservation(2, "2027-06-01").await;
    sqlx::query(
        "UPDATE qloapps_room_type_mappings SET is_active = false WHERE local_room_type_id = $1",
    )
    .bind(w.room_type(2))
    .execute(&w.pool)
    .await
    .expect("unmap");
    let outcome = w.handler.process(&w.create(id)).await;
    assert!(
        matches!(outcome, Err(HandleError::Permanent(_))),
        "{outcome:?}"
    );
    let standing = db::qloapps_out_of_sync::standing_of(&w.pool, id)
        .await
        .expect("standing");
    assert_eq!(standing.len(), 1, "{standing:?}");
    assert_eq!(standing[0].status, SyncStanding::OutOfSync, "{standing:?}");
    assert!(
        standing[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("not mapped")),
        "{standing:?}"
    );
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_qloapps_outage_is_retried_not_dead_lettered(pool: PgPool) {
    let w = World::start(pool).await;
    let id = w.reservation(0, "2027-07-01").await;
    w.sim.faults().add(Fault::status(503).on("orders"));
    let outcome = w.handler.process(&w.create(id)).await;
    assert!(
        matches!(
            outcome,
            Err(HandleError::Transient(_)) | Err(HandleError::Deferred { .. })
        ),
        "{outcome:?}"
    );
    assert_eq!(w.orders_of(id), 0);
}
