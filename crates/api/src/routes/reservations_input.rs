//! Request bodies and query of the reservation routes, and their validation.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use sync_core::db::Page;
use sync_core::domain::reservation::{ReservationFilter, ReservationPatch};
use sync_core::domain::{GuestId, ReservationSource, ReservationStatus, RoomTypeId};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::extract::{date, nullable, opt_date};
use crate::validate::Problems;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateReservation {
    pub room_type_id: RoomTypeId,
    pub guest_id: GuestId,
    /// YYYY-MM-DD, first night
    #[serde(deserialize_with = "date")]
    #[schema(value_type = String, format = Date)]
    pub check_in: NaiveDate,
    /// YYYY-MM-DD, departure (exclusive)
    #[serde(deserialize_with = "date")]
    #[schema(value_type = String, format = Date)]
    pub check_out: NaiveDate,
    /// default 1
    #[schema(minimum = 1, maximum = 2147483647)]
    pub number_of_rooms: Option<i32>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub adults: i32,
    /// default 0
    #[schema(minimum = 0, maximum = 2147483647)]
    pub children: Option<i32>,
    /// decimal string (or number), at most 2 decimals, at most 9999999999.99
    #[schema(value_type = String, example = "300.00", pattern = "^[0-9]{1,10}(\\.[0-9]{1,2})?$")]
    pub total_price: Decimal,
    /// ISO 4217; default: the property's currency
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// A create request that passed the checks that need no database.
pub struct ValidCreate {
    pub room_type_id: RoomTypeId,
    pub guest_id: GuestId,
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    pub number_of_rooms: i32,
    pub adults: i32,
    pub children: i32,
    pub total_price: Decimal,
    pub currency: Option<String>,
    pub notes: Option<String>,
}

impl CreateReservation {
    pub fn validate(self) -> Result<ValidCreate, ApiError> {
        let mut p = Problems::new();
        p.stay(self.check_in, self.check_out);
        let number_of_rooms = self.number_of_rooms.unwrap_or(1);
        let children = self.children.unwrap_or(0);
        p.at_least("numberOfRooms", number_of_rooms, 1);
        p.at_least("adults", self.adults, 1);
        p.at_least("children", children, 0);
        p.money("totalPrice", self.total_price);
        let currency = self.currency.as_deref().map(|c| p.currency("currency", c));
        let notes = p.optional_text("notes", self.notes.as_deref(), 2000);
        p.finish()?;
        Ok(ValidCreate {
            room_type_id: self.room_type_id,
            guest_id: self.guest_id,
            check_in: self.check_in,
            check_out: self.check_out,
            number_of_rooms,
            adults: self.adults,
            children,
            total_price: self.total_price.round_dp(2),
            currency,
            notes,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateReservation {
    pub room_type_id: Option<RoomTypeId>,
    pub guest_id: Option<GuestId>,
    #[serde(default, deserialize_with = "opt_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub check_in: Option<NaiveDate>,
    #[serde(default, deserialize_with = "opt_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub check_out: Option<NaiveDate>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub number_of_rooms: Option<i32>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub adults: Option<i32>,
    #[schema(minimum = 0, maximum = 2147483647)]
    pub children: Option<i32>,
    /// decimal string (or number), at most 2 decimals, at most 9999999999.99
    #[schema(value_type = Option<String>, example = "300.00", pattern = "^[0-9]{1,10}(\\.[0-9]{1,2})?$")]
    pub total_price: Option<Decimal>,
    /// ISO 4217
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    /// null clears them
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Option<Option<String>>,
}

impl UpdateReservation {
    pub fn validate(self) -> Result<ReservationPatch, ApiError> {
        let mut p = Problems::new();
        if let Some(n) = self.number_of_rooms {
            p.at_least("numberOfRooms", n, 1);
        }
        if let Some(n) = self.adults {
            p.at_least("adults", n, 1);
        }
        if let Some(n) = self.children {
            p.at_least("children", n, 0);
        }
        if let Some(price) = self.total_price {
            p.money("totalPrice", price);
        }
        let currency = self.currency.as_deref().map(|c| p.currency("currency", c));
        let notes = self
            .notes
            .map(|n| p.optional_text("notes", n.as_deref(), 2000));
        p.finish()?;
        let patch = ReservationPatch {
            room_type_id: self.room_type_id,
            guest_id: self.guest_id,
            check_in: self.check_in,
            check_out: self.check_out,
            number_of_rooms: self.number_of_rooms,
            adults: self.adults,
            children: self.children,
            total_price: self.total_price.map(|t| t.round_dp(2)),
            currency,
            notes,
        };
        if is_empty(&patch) {
            return Err(ApiError::field("body", "give at least one field to change"));
        }
        Ok(patch)
    }
}

fn is_empty(patch: &ReservationPatch) -> bool {
    patch.room_type_id.is_none()
        && patch.guest_id.is_none()
        && patch.check_in.is_none()
        && patch.check_out.is_none()
        && patch.number_of_rooms.is_none()
        && patch.adults.is_none()
        && patch.children.is_none()
        && patch.total_price.is_none()
        && patch.currency.is_none()
        && patch.notes.is_none()
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReservationQuery {
    pub status: Option<ReservationStatus>,
    pub source: Option<ReservationSource>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub room_type_id: Option<RoomTypeId>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub guest_id: Option<GuestId>,
    /// check-in on or after (YYYY-MM-DD)
    #[serde(default, deserialize_with = "opt_date")]
    #[param(value_type = Option<String>, format = Date)]
    pub check_in_from: Option<NaiveDate>,
    /// check-in on or before (YYYY-MM-DD)
    #[serde(default, deserialize_with = "opt_date")]
    #[param(value_type = Option<String>, format = Date)]
    pub check_in_to: Option<NaiveDate>,
    /// stays that include this night (YYYY-MM-DD)
    #[serde(default, deserialize_with = "opt_date")]
    #[param(value_type = Option<String>, format = Date)]
    pub stay_date: Option<NaiveDate>,
    /// changed at or after this instant (RFC 3339, e.g. 2026-11-21T10:00:00Z)
    pub updated_since: Option<DateTime<Utc>>,
    /// 1-200, default 50
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// default 0
    #[param(minimum = 0, maximum = 10_000_000)]
    pub offset: Option<i64>,
}

impl ReservationQuery {
    pub fn validate(self) -> Result<(ReservationFilter, Page), ApiError> {
        let mut p = Problems::new();
        let page = p.page(self.limit, self.offset);
        if let (Some(from), Some(to)) = (self.check_in_from, self.check_in_to) {
            p.check(to >= from, "checkInTo", "must not be before checkInFrom");
        }
        p.finish()?;
        let filter = ReservationFilter {
            status: self.status,
            source: self.source,
            room_type_id: self.room_type_id,
            guest_id: self.guest_id,
            check_in_from: self.check_in_from,
            check_in_to: self.check_in_to,
            stay_night: self.stay_date,
            updated_since: self.updated_since,
        };
        Ok((filter, page))
    }
}
