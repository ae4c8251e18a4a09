//! The reconciliation report (the api returns it as JSON).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::bookings::BookingReport;
use super::ReconcileRequest;
use crate::domain::{ConfigId, RoomTypeId};
use crate::nightly::availability::AvailabilityOutcome;
use crate::nightly::rates::RateOutcome;

/// One night on which QloApps would sell another number of rooms than it should.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityDrift {
    pub night: NaiveDate,
    /// Rooms the PMS allows; null when it sets no limit.
    pub pms: Option<i32>,
    /// Rooms QloApps would sell.
    pub qloapps: u32,
}

/// One night QloApps prices otherwise than the PMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RateDrift {
    pub night: NaiveDate,
    /// The PMS rate; null when the PMS has none (and a qlosync rule still covers the night).
    #[schema(value_type = Option<String>, example = "120.00")]
    pub pms: Option<Decimal>,
    /// QloApps' room price excluding tax and auto-added services.
    #[schema(value_type = String, example = "100.00")]
    pub qloapps: Decimal,
}

/// Drift of one mapped room type.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomTypeDrift {
    pub room_type_id: RoomTypeId,
    pub code: String,
    pub qloapps_room_type_id: crate::domain::QloRoomTypeId,
    pub availability: Vec<AvailabilityDrift>,
    pub rates: Vec<RateDrift>,
    /// What `hotel_ari` adds per night on top of the room price (auto-added services).
    #[schema(value_type = Option<String>, example = "250.00")]
    pub auto_services_per_night: Option<Decimal>,
}

impl RoomTypeDrift {
    pub fn is_clean(&self) -> bool {
        self.availability.is_empty() && self.rates.is_empty()
    }
}

/// What the fix did for one room type.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomTypeFix {
    pub room_type_id: RoomTypeId,
    pub rates: Option<RateOutcome>,
    pub availability: Option<AvailabilityOutcome>,
    /// Why (part of) the fix failed, if it did.
    pub error: Option<String>,
}

/// What QloApps would sell and charge per night against the PMS, per mapped room type.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    pub config_id: ConfigId,
    /// First night compared.
    pub from: NaiveDate,
    /// Last night compared (included).
    pub to: NaiveDate,
    pub dry_run: bool,
    pub checked_at: DateTime<Utc>,
    /// Whether rates and availability were compared (`roomTypes` is empty when not).
    pub inventory: bool,
    /// Every mapped room type, with the nights that drift (empty lists: no drift).
    pub room_types: Vec<RoomTypeDrift>,
    pub availability_drift_nights: u32,
    pub rate_drift_nights: u32,
    /// What the fix did (empty on a dry run, and for room types without drift).
    pub fixes: Vec<RoomTypeFix>,
    /// Things an operator should know that are not night drift (e.g. a currency mismatch).
    pub warnings: Vec<String>,
    /// Reservations against QloApps orders; null when bookings were not compared.
    pub bookings: Option<BookingReport>,
}

impl ReconcileReport {
    /// A report with nothing found yet.
    pub fn empty(config_id: ConfigId, request: ReconcileRequest) -> Self {
        ReconcileReport {
            config_id,
            from: request.from,
            to: request.to,
            dry_run: request.dry_run,
            checked_at: Utc::now(),
            inventory: false,
            room_types: Vec::new(),
            availability_drift_nights: 0,
            rate_drift_nights: 0,
            fixes: Vec::new(),
            warnings: Vec::new(),
            bookings: None,
        }
    }
}
