//! A property mapped to a fresh simulator, the handler, and the environment a worker reads.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use inbound_worker::InboundHandler;
use qlo_client::{
    BookingAssociations, BookingRequest, ClientConfig, CustomerDetail, QloClient, RoomTypeRequest,
};
use qlo_sim::{SimConfig, SimServer};
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use sync_core::domain::ConfigId;
use sync_core::messages::{BookingEvent, Envelope, InboundMessage, SyncRequest, SyncType};
use sync_core::pull::{PullService, PullSettings};
use sync_core::qlo_clients::{ClientSettings, QloClients};
use sync_core::testing::fixtures::mapped_property;

/// The key every test seals QloApps API keys with (id "t"); `env` hands it to the worker.
pub const KEY: [u8; 32] = [7; 32];

pub struct World {
    pub pool: PgPool,
    pub sim: SimServer,
    pub config: ConfigId,
    pub handler: InboundHandler,
    pub qlo: QloClient,
}

impl World {
    pub async fn start(pool: PgPool) -> World {
        qlosync_service::telemetry::init_for_tests();
        let sim = SimServer::start(SimConfig::default()).await.unwrap();
        let keys = KeyRing::single("t", KEY);
        let fixture = mapped_property(&pool, &keys, &sim.api_url(), sim.api_key(), 1, 4).await;
        let mut settings = ClientSettings {
            timeout: Duration::from_secs(5),
            ..ClientSettings::default()
        };
        settings.retry.max_retries = 0;
        let clients = Arc::new(QloClients::new(Arc::new(keys), settings, None));
        let handler = InboundHandler::new(PullService::new(
            pool.clone(),
            clients,
            PullSettings::default(),
        ));
        let qlo = QloClient::new(ClientConfig::new(sim.api_url(), sim.api_key(), 1)).unwrap();
        World {
            pool,
            sim,
            config: fixture.config,
            handler,
            qlo,
        }
    }

    /// Books `rooms` rooms of QloApps room type `room_type` for one stay; returns the order id.
    pub async fn book(&self, room_type: u64, from: &str, rooms: u32) -> u64 {
        let from: NaiveDate = from.parse().unwrap();
        let request = BookingRequest {
            id_property: 1,
            currency: "USD".into(),
            associations: BookingAssociations {
                customer_detail: CustomerDetail {
                    firstname: "Anna".into(),
                    lastname: "Keller".into(),
                    email: "anna@example.com".into(),
                    phone: Some("+41 79 123 45 67".into()),
                    ..CustomerDetail::default()
                },
                room_types: vec![RoomTypeRequest {
                    id_room_type: room_type,
                    checkin_date: from,
                    checkout_date: from.succ_opt().unwrap(),
                    number_of_rooms: rooms,
                    rooms: Vec::new(),
                }],
                ..BookingAssociations::default()
            },
            ..BookingRequest::default()
        };
        self.qlo
            .create_booking("web", &request)
            .await
            .unwrap()
            .order_id
    }

    pub fn sync(&self, sync_type: SyncType) -> InboundMessage {
        InboundMessage::BookingSync(SyncRequest {
            envelope: Envelope::new(self.config.0, None),
            sync_type,
        })
    }

    pub fn created(&self, order_id: i64) -> InboundMessage {
        InboundMessage::BookingCreated(BookingEvent {
            envelope: Envelope::new(self.config.0, None),
            qlo_apps_booking_id: order_id,
        })
    }

    pub async fn mapped_orders(&self) -> Vec<i64> {
        sqlx::query_scalar(
            "SELECT DISTINCT qloapps_booking_id FROM qloapps_reservation_mappings ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    /// The environment a worker process would read, on this test's database, with a fresh
    /// queue prefix.
    pub fn env(&self) -> HashMap<String, String> {
        let database = self
            .pool
            .connect_options()
            .get_database()
            .unwrap_or("postgres")
            .to_owned();
        let base = std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let (server, _) = base.rsplit_once('/').unwrap();
        let rabbit = std::env::var("RABBITMQ_URL")
            .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
        let prefix = format!("in-{}.", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let key = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=".to_owned(); // base64 of [7; 32]
        [
            ("DATABASE_URL", format!("{server}/{database}")),
            ("DATABASE_MAX_CONNECTIONS", "3".into()),
            ("RABBITMQ_URL", rabbit),
            ("QLOSYNC_ENCRYPTION_KEY", key),
            ("QLOSYNC_ENCRYPTION_KEY_ID", "t".into()),
            ("QLOSYNC_QUEUE_PREFIX", prefix),
            ("QLOSYNC_QUEUE_RETRY_DELAY_MS", "100".into()),
            ("QLOSYNC_QUEUE_SHUTDOWN_GRACE_MS", "2000".into()),
            ("QLOAPPS_RATE_LIMIT", "100000".into()),
            ("OPS_LISTEN_ADDR", "127.0.0.1:0".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}
