//! Building requests, and the list of every `/api/v1` route.

use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::Value;

use crate::helpers::TOKEN;

pub fn request(method: Method, uri: &str, body: Option<Value>) -> RequestBuilder {
    RequestBuilder {
        builder: Request::builder().method(method).uri(uri),
        body,
    }
}

pub struct RequestBuilder {
    builder: axum::http::request::Builder,
    body: Option<Value>,
}

impl RequestBuilder {
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.builder = self.builder.header(name.as_ref(), value.as_ref());
        self
    }

    pub fn body_json(self) -> Request<Body> {
        match self.body {
            Some(body) => self
                .builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
            None => self.builder.body(Body::empty()).expect("request"),
        }
    }

    pub fn raw(self, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
        let builder = match content_type {
            Some(ct) => self.builder.header(header::CONTENT_TYPE, ct),
            None => self.builder,
        };
        builder.body(body.into()).expect("request")
    }
}

pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// Every `/api/v1` route: (method, path with placeholder ids). The auth and OpenAPI tests use it.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/properties"),
    ("POST", "/api/v1/properties"),
    ("GET", "/api/v1/properties/{propertyId}"),
    ("PATCH", "/api/v1/properties/{propertyId}"),
    ("GET", "/api/v1/properties/{propertyId}/room-types"),
    ("POST", "/api/v1/properties/{propertyId}/room-types"),
    ("GET", "/api/v1/room-types/{roomTypeId}"),
    ("PATCH", "/api/v1/room-types/{roomTypeId}"),
    ("DELETE", "/api/v1/room-types/{roomTypeId}"),
    ("GET", "/api/v1/properties/{propertyId}/guests"),
    ("POST", "/api/v1/properties/{propertyId}/guests"),
    ("GET", "/api/v1/guests/{guestId}"),
    ("PATCH", "/api/v1/guests/{guestId}"),
    ("GET", "/api/v1/properties/{propertyId}/reservations"),
    ("POST", "/api/v1/properties/{propertyId}/reservations"),
    ("GET", "/api/v1/reservations/{reservationId}"),
    ("PATCH", "/api/v1/reservations/{reservationId}"),
    ("POST", "/api/v1/reservations/{reservationId}/cancel"),
    ("GET", "/api/v1/room-types/{roomTypeId}/availability"),
    ("PUT", "/api/v1/room-types/{roomTypeId}/availability"),
    ("GET", "/api/v1/room-types/{roomTypeId}/rates"),
    ("PUT", "/api/v1/room-types/{roomTypeId}/rates"),
    ("GET", "/api/v1/qloapps/configs"),
    ("POST", "/api/v1/qloapps/configs"),
    ("GET", "/api/v1/qloapps/configs/{configId}"),
    ("PATCH", "/api/v1/qloapps/configs/{configId}"),
    ("DELETE", "/api/v1/qloapps/configs/{configId}"),
    (
        "GET",
        "/api/v1/qloapps/configs/{configId}/room-type-mappings",
    ),
    (
        "POST",
        "/api/v1/qloapps/configs/{configId}/room-type-mappings",
    ),
    (
        "GET",
        "/api/v1/qloapps/configs/{configId}/room-type-mappings/{mappingId}",
    ),
    (
        "PATCH",
        "/api/v1/qloapps/configs/{configId}/room-type-mappings/{mappingId}",
    ),
    (
        "DELETE",
        "/api/v1/qloapps/configs/{configId}/room-type-mappings/{mappingId}",
    ),
    ("POST", "/api/v1/qloapps/sync"),
    ("GET", "/api/v1/qloapps/configs/{configId}/sync-state"),
    ("GET", "/api/v1/qloapps/configs/{configId}/sync-log"),
    ("GET", "/api/v1/qloapps/configs/{configId}/out-of-sync"),
    ("GET", "/api/v1/qloapps/configs/{configId}/pull-failures"),
    (
        "POST",
        "/api/v1/qloapps/configs/{configId}/pull-failures/{orderId}/discard",
    ),
    (
        "GET",
        "/api/v1/qloapps/configs/{configId}/reservation-mappings",
    ),
    ("POST", "/api/v1/qloapps/configs/{configId}/reconcile"),
    (
        "GET",
        "/api/v1/qloapps/configs/{configId}/reconcile/jobs/{jobId}",
    ),
    ("POST", "/api/v1/qloapps/booking-events"),
    ("GET", "/api/v1/settings/channel-managers"),
    ("POST", "/api/v1/settings/channel-managers/test"),
    ("POST", "/api/v1/settings/channel-managers/switch"),
    ("GET", "/api/v1/dlq"),
    ("POST", "/api/v1/dlq/replay"),
    ("POST", "/api/v1/dlq/discard"),
    ("POST", "/api/v1/dlq/preview"),
    ("GET", "/api/v1/queues"),
    ("GET", "/api/v1/session"),
    ("GET", "/api/v1/qloapps/configs/{configId}/activity"),
    (
        "GET",
        "/api/v1/qloapps/configs/{configId}/qloapps-room-types",
    ),
    ("GET", "/api/v1/openapi.json"),
];
