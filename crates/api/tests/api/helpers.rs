//! Test harness: an app on the test's database, request helpers, fixtures, DB snapshots.

use api::auth::ApiTokens;
use api::startup::{app, build_state};
use api::state::{AppState, HttpPolicy};
use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;
use sync_core::crypto::KeyRing;
use tower::ServiceExt;

pub use crate::requests::{bearer, request, ROUTES};

pub const TOKEN: &str = "test-token-0123456789abcdef";
/// A second one of `API_TOKENS` (idempotency keys are scoped per token).
pub const OTHER_TOKEN: &str = "other-token-0123456789abcdef";
/// One of `API_READONLY_TOKENS`: GET only.
pub const READONLY_TOKEN: &str = "reader-token-0123456789abcdef";
pub const KEY_ID: &str = "test1";
pub const KEY: [u8; 32] = [42u8; 32];
pub const ORIGIN: &str = "https://pms.example.com";
/// A well-formed QloApps key used where no simulator answers.
pub const QLO_KEY: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456";

pub struct TestApp {
    pub pool: PgPool,
    pub state: AppState,
    router: Router,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl TestResponse {
    /// The `field` of every entry of `error.fields`.
    pub fn fields(&self) -> Vec<String> {
        let fields = self.body["error"]["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        fields
            .iter()
            .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.text);
        self
    }

    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {}", self.text))
            .to_owned()
    }
}

impl TestApp {
    pub fn new(pool: PgPool) -> Self {
        Self::with_keys(pool, KeyRing::single(KEY_ID, KEY))
    }

    pub fn with_keys(pool: PgPool, keys: KeyRing) -> Self {
        Self::with_console(pool, keys, None)
    }

    /// An app serving the console in `console_dir` at `/`.
    pub fn with_console(
        pool: PgPool,
        keys: KeyRing,
        console_dir: Option<std::path::PathBuf>,
    ) -> Self {
        qlosync_service::telemetry::init_for_tests();
        let policy = HttpPolicy {
            cors_allowed_origins: vec![HeaderValue::from_static(ORIGIN)],
            body_limit_bytes: 16 * 1024,
            test_connection_timeout: std::time::Duration::from_secs(3),
            console_dir,
        };
        let tokens = ApiTokens::with_readonly(
            &[
                secrecy::SecretString::from(TOKEN),
                secrecy::SecretString::from(OTHER_TOKEN),
            ],
            &[secrecy::SecretString::from(READONLY_TOKEN)],
        );
        let state = build_state(pool.clone(), keys, tokens, policy);
        TestApp {
            pool,
            router: app(state.clone()),
            state,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            text,
            body,
        }
    }

    /// An authenticated request; `body` is sent as JSON.
    pub async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> TestResponse {
        self.send(
            request(method, uri, body)
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body_json(),
        )
        .await
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.call(Method::GET, uri, None).await
    }

    pub async fn post(&self, uri: &str, body: Value) -> TestResponse {
        self.call(Method::POST, uri, Some(body)).await
    }

    pub async fn put(&self, uri: &str, body: Value) -> TestResponse {
        self.call(Method::PUT, uri, Some(body)).await
    }

    pub async fn patch(&self, uri: &str, body: Value) -> TestResponse {
        self.call(Method::PATCH, uri, Some(body)).await
    }

    pub async fn delete(&self, uri: &str) -> TestResponse {
        self.call(Method::DELETE, uri, None).await
    }

    /// Sends an authenticated request that must be rejected with `status` naming `fields`
    /// (in any order), and checks the database did not change.
    pub async fn assert_rejected(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        status: StatusCode,
        fields: &[&str],
    ) {
        let before = self.snapshot().await;
        let response = self.call(method.clone(), uri, body).await;
        assert_eq!(response.status, status, "{method} {uri}: {}", response.text);
        let mut got = response.fields();
        got.sort();
        let mut want: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        want.sort();
        assert_eq!(got, want, "{method} {uri}: {}", response.text);
        assert!(
            response.body["error"]["message"].is_string(),
            "error body: {}",
            response.text
        );
        assert_eq!(
            self.snapshot().await,
            before,
            "{method} {uri} changed the database"
        );
    }

    /// Every row of every table, as text: equal snapshots mean nothing changed.
    pub async fn snapshot(&self) -> Vec<String> {
        let mut rows = Vec::new();
        for table in TABLES {
            let sql =
                format!("SELECT coalesce(json_agg(t ORDER BY t::text), '[]')::text FROM {table} t");
            let dump: String = sqlx::query_scalar(&sql)
                .fetch_one(&self.pool)
                .await
                .expect("snapshot");
            rows.push(format!("{table}: {dump}"));
        }
        rows
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }

    /// Outbox rows, oldest first: (queue, event_type, config_id, payload, correlation_id).
    pub async fn outbox(&self) -> Vec<OutboxRow> {
        sqlx::query_as("SELECT queue, event_type, config_id::text, payload, correlation_id FROM outbox ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .expect("outbox")
    }

    pub async fn property(&self) -> String {
        let body = json!({"name": "Hotel Lac", "timezone": "Europe/Zurich", "currency": "CHF"});
        self.post("/api/v1/properties", body)
            .await
            .assert_status(StatusCode::CREATED)
            .id()
    }

    pub async fn room_type(&self, property: &str, code: &str) -> String {
        let body = json!({"code": code, "name": format!("Room {code}"), "totalRooms": 5, "maxAdults": 2, "maxChildren": 1});
        let uri = format!("/api/v1/properties/{property}/room-types");
        self.post(&uri, body)
            .await
            .assert_status(StatusCode::CREATED)
            .id()
    }

    pub async fn guest(&self, property: &str) -> String {
        let body = json!({"firstName": "Ada", "lastName": "Lovelace", "email": "Ada@Example.com", "phone": "+41 79 123 45 67"});
        let uri = format!("/api/v1/properties/{property}/guests");
        self.post(&uri, body)
            .await
            .assert_status(StatusCode::CREATED)
            .id()
    }

    pub async fn config(
        &self,
        property: &str,
        hotel_id: i64,
        base_url: &str,
        api_key: &str,
    ) -> String {
        let body = json!({"propertyId": property, "name": format!("QloApps {hotel_id}"), "baseUrl": base_url,
            "apiKey": api_key, "qloappsHotelId": hotel_id});
        self.post("/api/v1/qloapps/configs", body)
            .await
            .assert_status(StatusCode::CREATED)
            .id()
    }

    /// A property with a room type, a guest and one enabled config.
    pub async fn world(&self) -> World {
        let property = self.property().await;
        let room_type = self.room_type(&property, "DBL").await;
        let guest = self.guest(&property).await;
        let config = self
            .config(&property, 1, "https://hotel.example/api", QLO_KEY)
            .await;
        World {
            property,
            room_type,
            guest,
            config,
        }
    }

    pub async fn reservation(&self, world: &World) -> String {
        let uri = format!("/api/v1/properties/{}/reservations", world.property);
        self.post(&uri, reservation_body(world))
            .await
            .assert_status(StatusCode::CREATED)
            .id()
    }
}

pub type OutboxRow = (String, String, String, Value, Option<String>);

pub struct World {
    pub property: String,
    pub room_type: String,
    pub guest: String,
    pub config: String,
}

pub fn reservation_body(world: &World) -> Value {
    json!({"roomTypeId": world.room_type, "guestId": world.guest, "checkIn": "2026-12-01", "checkOut": "2026-12-04",
        "numberOfRooms": 1, "adults": 2, "children": 0, "totalPrice": "450.00"})
}

const TABLES: &[&str] = &[
    "properties",
    "room_types",
    "guests",
    "reservations",
    "availability",
    "rates",
    "qloapps_config",
    "qloapps_room_type_mappings",
    "qloapps_reservation_mappings",
    "qloapps_sync_state",
    "qloapps_sync_log",
    "outbox",
    "queue_depth_samples",
];

/// Waits until `check` is true, polling every 20 ms; panics after `timeout`.
pub async fn eventually_true<F, Fut>(timeout: std::time::Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the condition did not become true within {timeout:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A route path with every `{...Id}` placeholder filled with one well-formed uuid.
pub fn concrete(path: &str) -> String {
    let id = "6f1c2a3e-1111-4222-8333-944455556666";
    [
        "{propertyId}",
        "{roomTypeId}",
        "{guestId}",
        "{reservationId}",
        "{configId}",
        "{mappingId}",
    ]
    .iter()
    .fold(path.to_owned(), |p, placeholder| p.replace(placeholder, id))
}
