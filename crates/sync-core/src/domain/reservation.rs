use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::{text_enum, GuestId, PropertyId, ReservationId, RoomTypeId};

text_enum!(
    ReservationStatus {
        Confirmed => "confirmed",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// Where a reservation was created.
    ReservationSource {
        /// through this api
        Pms => "pms",
        /// pulled from QloApps
        Qloapps => "qloapps",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    pub id: ReservationId,
    pub property_id: PropertyId,
    pub room_type_id: RoomTypeId,
    pub guest_id: GuestId,
    /// First night.
    pub check_in: NaiveDate,
    /// Departure day; the stay covers the nights check_in .. check_out - 1.
    pub check_out: NaiveDate,
    pub number_of_rooms: i32,
    pub adults: i32,
    pub children: i32,
    #[schema(value_type = String, example = "300.00")]
    pub total_price: Decimal,
    pub currency: String,
    pub status: ReservationStatus,
    pub source: ReservationSource,
    pub notes: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Time of the last change: what conflict resolution compares.
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewReservation {
    pub property_id: PropertyId,
    pub room_type_id: RoomTypeId,
    pub guest_id: GuestId,
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    pub number_of_rooms: i32,
    pub adults: i32,
    pub children: i32,
    pub total_price: Decimal,
    pub currency: String,
    pub source: ReservationSource,
    pub notes: Option<String>,
}

/// `None` keeps the stored value; `notes: Some(None)` clears the notes.
#[derive(Debug, Clone, Default)]
pub struct ReservationPatch {
    pub room_type_id: Option<RoomTypeId>,
    pub guest_id: Option<GuestId>,
    pub check_in: Option<NaiveDate>,
    pub check_out: Option<NaiveDate>,
    pub number_of_rooms: Option<i32>,
    pub adults: Option<i32>,
    pub children: Option<i32>,
    pub total_price: Option<Decimal>,
    pub currency: Option<String>,
    pub notes: Option<Option<String>>,
}

/// Filters for listing reservations; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ReservationFilter {
    pub status: Option<ReservationStatus>,
    pub source: Option<ReservationSource>,
    pub room_type_id: Option<RoomTypeId>,
    pub guest_id: Option<GuestId>,
    pub check_in_from: Option<NaiveDate>,
    pub check_in_to: Option<NaiveDate>,
    /// Reservations whose stay includes this night.
    pub stay_night: Option<NaiveDate>,
    pub updated_since: Option<DateTime<Utc>>,
}
