//! A PMS property mapped to a fresh `qlo-sim` shop, and the pull service between them.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use qlo_client::{
    BookingAssociations, BookingRequest, ClientConfig, CustomerDetail, QloClient, RoomRequest,
    RoomTypeRequest,
};
use qlo_sim::{SimConfig, SimServer};
use serde_json::Value;
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use sync_core::db;
use sync_core::domain::reservation::ReservationFilter;
use sync_core::domain::{ConfigId, PropertyId, Reservation, ReservationId, RoomTypeId, SyncState};
use sync_core::pull::{PullKind, PullReport, PullService, PullSettings};
use sync_core::push::PushService;
use sync_core::qlo_clients::{ClientSettings, QloClients};
use sync_core::testing::fixtures::mapped_property;
use uuid::Uuid;

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub struct World {
    pub pool: PgPool,
    pub sim: SimServer,
    pub service: PullService,
    pub config: ConfigId,
    pub property: PropertyId,
    /// PMS room types mapped to QloApps room types 1..=4, in that order.
    pub room_types: Vec<RoomTypeId>,
    /// The test's own client, to book and change orders in QloApps.
    pub qlo: QloClient,
}

impl World {
    pub async fn start(pool: PgPool) -> World {
        World::start_with(pool, SimConfig::default(), PullSettings::default()).await
    }

    pub async fn start_with(pool: PgPool, sim: SimConfig, settings: PullSettings) -> World {
        if std::env::var_os("TEST_LOG").is_some() {
            // logs through the test writer, per test; another test's subscriber may be first
            let _ = tracing_subscriber::fmt()
                .with_test_writer()
                .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "debug".into()))
                .try_init();
        }
        let sim = SimServer::start(sim).await.expect("simulator starts");
        let keys = KeyRing::single("t", [7; 32]);
        let fixture = mapped_property(&pool, &keys, &sim.api_url(), sim.api_key(), 1, 4).await;
        let (property, config, room_types) = (fixture.property, fixture.config, fixture.room_types);
        let clients = Arc::new(QloClients::new(Arc::new(keys), client_settings(), None));
        let service = PullService::new(pool.clone(), clients, settings);
        let qlo = QloClient::new(ClientConfig::new(sim.api_url(), sim.api_key(), 1)).unwrap();
        World {
            pool,
            sim,
            service,
            config,
            property,
            room_types,
            qlo,
        }
    }

    /// Another pull service on the same database (another process, as far as locks go).
    pub fn other_service(&self, settings: PullSettings) -> PullService {
        let keys = KeyRing::single("t", [7; 32]);
        let clients = Arc::new(QloClients::new(Arc::new(keys), client_settings(), None));
        PullService::new(self.pool.clone(), clients, settings)
    }

    /// The push service on the same database and shop (the outbound worker's side).
    pub fn push_service(&self) -> PushService {
        let keys = KeyRing::single("t", [7; 32]);
        let clients = Arc::new(QloClients::new(Arc::new(keys), client_settings(), None));
        PushService::new(self.pool.clone(), clients)
    }

    pub async fn pull(&self, kind: PullKind) -> PullReport {
        self.service
            .pull(self.config, kind)
            .await
            .expect("pull succeeds")
    }

    pub async fn book(&self, spec: Spec) -> u64 {
        self.book_with_source("web", spec).await
    }

    pub async fn book_with_source(&self, source: &str, spec: Spec) -> u64 {
        self.qlo
            .create_booking(source, &spec.request())
            .await
            .expect("booking created")
            .order_id
    }

    /// Replaces the order's lines with `spec`'s (PUT bookings).
    pub async fn rebook(&self, order_id: u64, spec: Spec) {
        self.qlo
            .update_booking(order_id, &spec.request())
            .await
            .expect("booking updated");
    }

    pub async fn cancel(&self, order_id: u64) {
        self.qlo
            .cancel_booking(order_id)
            .await
            .expect("booking cancelled");
    }

    pub async fn reservations(&self) -> Vec<Reservation> {
        let mut conn = self.pool.acquire().await.unwrap();
        let page = db::Page {
            limit: 100_000,
            offset: 0,
        };
        let (mut all, _) = db::reservations::list_reservations(
            &mut conn,
            self.property,
            &ReservationFilter::default(),
            page,
        )
        .await
        .unwrap();
        all.sort_by_key(|r| (r.created_at, r.id.0));
        all
    }

    pub async fn reservation(&self, id: ReservationId) -> Reservation {
        db::reservations::get_reservation(&self.pool, id)
            .await
            .unwrap()
            .expect("reservation")
    }

    /// (line key, reservation) of each reservation mapped to `order_id`, by line key.
    pub async fn mapped(&self, order_id: u64) -> Vec<(String, Reservation)> {
        let rows: Vec<(String, ReservationId)> = sqlx::query_as(
            "SELECT qloapps_line_key, local_reservation_id FROM qloapps_reservation_mappings
             WHERE config_id = $1 AND qloapps_booking_id = $2 ORDER BY qloapps_line_key",
        )
        .bind(self.config)
        .bind(i64::try_from(order_id).unwrap())
        .fetch_all(&self.pool)
        .await
        .unwrap();
        let mut out = Vec::new();
        for (key, id) in rows {
            out.push((key, self.reservation(id).await));
        }
        out
    }

    pub async fn log(&self, run_id: Uuid) -> Vec<LogRow> {
        sqlx::query_as(
            "SELECT qloapps_entity_id, local_entity_id, outcome, message, details FROM qloapps_sync_log
             WHERE sync_state_id = $1 ORDER BY id",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    pub async fn run(&self, run_id: Uuid) -> SyncState {
        let runs = db::qloapps_sync_state::list_runs(
            &self.pool,
            self.config,
            None,
            db::Page {
                limit: 1000,
                offset: 0,
            },
        )
        .await
        .unwrap();
        runs.into_iter().find(|r| r.id == run_id).expect("run row")
    }

    pub fn calls(&self, resource: &str) -> u64 {
        self.sim.request_count(resource, "GET")
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogRow {
    pub qloapps_entity_id: Option<i64>,
    pub local_entity_id: Option<Uuid>,
    pub outcome: String,
    pub message: Option<String>,
    pub details: Option<Value>,
}

fn client_settings() -> ClientSettings {
    let mut s = ClientSettings {
        timeout: Duration::from_secs(5),
        ..ClientSettings::default()
    };
    s.retry.max_retries = 1;
    s.retry.initial_delay = Duration::from_millis(20);
    s.rate_limit.capacity = 1_000_000;
    s
}

/// A QloApps booking to make: lines of (room type, check-in, check-out, rooms), one guest.
#[derive(Debug, Clone)]
pub struct Spec {
    hotel: u64,
    lines: Vec<(u64, NaiveDate, NaiveDate, u32)>,
    pub first: String,
    pub last: String,
    pub email: String,
    pub phone: String,
}

impl Spec {
    pub fn new(room_type: u64, from: &str, to: &str, rooms: u32) -> Spec {
        Spec {
            hotel: 1,
            lines: vec![(room_type, date(from), date(to), rooms)],
            first: "Anna".into(),
            last: "Keller".into(),
            email: "anna.keller@example.com".into(),
            phone: "+41 79 123 45 67".into(),
        }
    }

    pub fn line(mut self, room_type: u64, from: &str, to: &str, rooms: u32) -> Spec {
        self.lines.push((room_type, date(from), date(to), rooms));
        self
    }

    pub fn hotel(mut self, hotel: u64) -> Spec {
        self.hotel = hotel;
        self
    }

    pub fn guest(mut self, first: &str, last: &str, email: &str, phone: &str) -> Spec {
        (self.first, self.last, self.email, self.phone) =
            (first.into(), last.into(), email.into(), phone.into());
        self
    }

    pub fn request(&self) -> BookingRequest {
        let room_types = self
            .lines
            .iter()
            .map(|(room_type, from, to, rooms)| RoomTypeRequest {
                id_room_type: *room_type,
                checkin_date: *from,
                checkout_date: *to,
                number_of_rooms: *rooms,
                rooms: (0..*rooms)
                    .map(|_| RoomRequest {
                        adults: 2,
                        child: 1,
                        child_ages: vec![8],
                        unit_price_without_tax: Some("150.00".parse().unwrap()),
                        ..RoomRequest::default()
                    })
                    .collect(),
            })
            .collect();
        BookingRequest {
            id_property: self.hotel,
            currency: "USD".into(),
            associations: BookingAssociations {
                customer_detail: CustomerDetail {
                    firstname: self.first.clone(),
                    lastname: self.last.clone(),
                    email: self.email.clone(),
                    phone: Some(self.phone.clone()),
                    ..CustomerDetail::default()
                },
                room_types,
                ..BookingAssociations::default()
            },
            ..BookingRequest::default()
        }
    }
}
