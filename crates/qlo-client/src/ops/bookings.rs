//! `bookings`: create, update, cancel and read, each write safe against unknown outcomes
//! (`docs/pushes.md`, README "Nothing duplicated"; stock 1.6.1 on PHP 8 answers 500 after every booking write).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use http::Method;
use serde::Serialize;

use crate::client::{filter_value, QloClient};
use crate::error::Error;
use crate::models::bookings::{
    Booking, BookingCreated, BookingRequest, BookingStatus, BookingUpdated, WriteConfirmation,
};
use crate::models::orders::RoomBookingLine;
use crate::retry::Idempotency;
use crate::transport::{Body, Request};

#[derive(Serialize)]
struct Envelope<'a> {
    booking: &'a BookingRequest,
}

/// Room lines keyed by (room type, check-in, check-out) with their room counts.
type LineCounts = BTreeMap<(u64, NaiveDate, NaiveDate), u32>;

fn requested_lines(booking: &BookingRequest) -> LineCounts {
    let mut want = LineCounts::new();
    for rt in &booking.associations.room_types {
        *want
            .entry((rt.id_room_type, rt.checkin_date, rt.checkout_date))
            .or_default() += rt.number_of_rooms;
    }
    want
}

fn active_lines(lines: &[RoomBookingLine]) -> LineCounts {
    let mut have = LineCounts::new();
    for line in lines.iter().filter(|l| l.is_active()) {
        if let (Some(from), Some(to)) = (line.date_from, line.date_to) {
            *have.entry((line.id_product, from, to)).or_default() += 1;
        }
    }
    have
}

impl QloClient {
    /// `GET bookings/{id}`. Stock 1.6.1 on PHP 8 always answers 500 here: the sync reads
    /// `orders` and `room_bookings` instead, and no write outcome depends on this call.
    pub async fn booking(&self, order_id: u64) -> Result<Booking, Error> {
        let request = Request::get("bookings").id(order_id).without_language();
        self.send(&request).await?.single("bookings", "booking")
    }

    /// Creates a booking carrying `source` (the idempotency key, e.g. `pms:<uuid>`, stored in
    /// `orders.source`). The POST is never repeated blindly: after an unknown outcome (timeout,
    /// dropped connection, 5xx, including the PHP 8 500-after-write) the order is looked up by
    /// `source` and adopted if it exists; only if it does not is the POST sent again.
    ///
    /// Checking [`Self::find_order_by_source`] before the first attempt (e.g. on redelivery)
    /// is the caller's choice. When this returns an error for which
    /// [`Error::is_outcome_unknown`] holds (or a transient error from the read-back), an
    /// order may exist: look it up by source before calling again.
    pub async fn create_booking(
        &self,
        source: &str,
        booking: &BookingRequest,
    ) -> Result<BookingCreated, Error> {
        let source = filter_value("bookings", "source", source)?;
        let mut body = booking.clone();
        body.id = None;
        body.source = source.to_owned();
        if body.id_property == 0 {
            body.id_property = u64::from(self.config().hotel_id);
        }
        body.id_language.get_or_insert(self.config().language_id);
        let body = &Body::json(&Envelope { booking: &body }, "bookings")?;

        let adopt = move || async move {
            Ok(self
                .find_order_by_source(source)
                .await?
                .map(|order| BookingCreated {
                    order_id: order.id,
                    confirmation: WriteConfirmation::Adopted,
                    booking: None,
                }))
        };
        let post = move || async move {
            let request = Request::write(
                Method::POST,
                "bookings",
                body.clone(),
                Idempotency::NonIdempotent,
            )
            .without_language();
            let response = self.send(&request).await?;
            match response.single::<Booking>("bookings", "booking") {
                Ok(created) => Ok(BookingCreated {
                    order_id: created.id,
                    confirmation: WriteConfirmation::Response,
                    booking: Some(created),
                }),
                // A 2xx we cannot read still created the order: an unknown outcome, so the
                // order is looked up by source like after a timeout.
                Err(decode) => Err(Error::Unconfirmed {
                    operation: "create booking".to_owned(),
                    detail: decode.to_string(),
                }),
            }
        };
        let created = self.write_confirmed("create booking", post, adopt).await?;
        tracing::info!(
            order_id = created.order_id,
            source,
            confirmation = ?created.confirmation,
            "QloApps booking created"
        );
        Ok(created)
    }

    /// Replaces the booking's room lines (and status, when it names one) with `booking` (`PUT bookings`, the id set
    /// to `order_id`). After an unknown outcome (including the PHP 8 500-after-write) the
    /// room lines are read back from `room_bookings` (and the order state for a cancel/refund
    /// status) and success is reported when they match what was sent; otherwise the PUT, a
    /// full replacement, is sent again. `GET bookings/{id}` is never used to learn the outcome.
    pub async fn update_booking(
        &self,
        order_id: u64,
        booking: &BookingRequest,
    ) -> Result<BookingUpdated, Error> {
        let mut body = booking.clone();
        body.id = Some(order_id);
        if body.id_property == 0 {
            body.id_property = u64::from(self.config().hotel_id);
        }
        body.id_language.get_or_insert(self.config().language_id);
        let want = &requested_lines(&body);
        let status = body.booking_status;
        let json = &Body::json(&Envelope { booking: &body }, "bookings")?;

        let put = move || async move {
            let request = Request::write(
                Method::PUT,
                "bookings",
                json.clone(),
                Idempotency::NonIdempotent,
            )
            .without_language();
            let response = self.send(&request).await?;
            Ok(BookingUpdated {
                order_id,
                confirmation: WriteConfirmation::Response,
                booking: response.single::<Booking>("bookings", "booking").ok(),
            })
        };
        let verify = move || async move {
            let applied = match status {
                Some(BookingStatus::Cancelled | BookingStatus::Refunded) => {
                    let states = self.cached_shop_configuration().await?.order_states;
                    let order = self.order(order_id).await?;
                    states.frees_rooms(order.current_state)
                }
                None | Some(BookingStatus::New | BookingStatus::Completed) => {
                    let lines = self.room_bookings_by_orders(&[order_id]).await?;
                    active_lines(&lines) == *want
                }
            };
            Ok(applied.then_some(BookingUpdated {
                order_id,
                confirmation: WriteConfirmation::Verified,
                booking: None,
            }))
        };
        let updated = self.write_confirmed("update booking", put, verify).await?;
        tracing::info!(order_id, confirmation = ?updated.confirmation, "QloApps booking updated");
        Ok(updated)
    }

    /// Cancels the order: `POST order_histories` with the shop's `PS_OS_CANCELED` state (which
    /// frees the rooms). After an unknown outcome the order's `current_state` is read back.
    pub async fn cancel_booking(&self, order_id: u64) -> Result<BookingUpdated, Error> {
        let canceled = self
            .cached_shop_configuration()
            .await?
            .order_states
            .canceled;
        self.set_order_state(order_id, canceled).await
    }

    /// Moves the order to `state_id` through `order_histories`, confirmed by reading
    /// `orders.current_state` back after an unknown outcome.
    pub async fn set_order_state(
        &self,
        order_id: u64,
        state_id: u32,
    ) -> Result<BookingUpdated, Error> {
        let post = move || async move {
            self.post_order_history(order_id, state_id).await?;
            Ok(BookingUpdated {
                order_id,
                confirmation: WriteConfirmation::Response,
                booking: None,
            })
        };
        let verify = move || async move {
            let order = self.order(order_id).await?;
            Ok((order.current_state == state_id).then_some(BookingUpdated {
                order_id,
                confirmation: WriteConfirmation::Verified,
                booking: None,
            }))
        };
        let done = self
            .write_confirmed("set order state", post, verify)
            .await?;
        tracing::info!(order_id, state_id, confirmation = ?done.confirmation, "QloApps order state set");
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id_product: u64, from: &str, to: &str, cancelled: bool) -> RoomBookingLine {
        RoomBookingLine {
            id_product,
            date_from: from.parse().ok(),
            date_to: to.parse().ok(),
            is_cancelled: cancelled,
            ..RoomBookingLine::default()
        }
    }

    #[test]
    fn room_lines_match_ignores_cancelled_and_counts_rooms() {
        let json = r#"{"id_property":1,"currency":"USD","associations":{"customer_detail":
            {"firstname":"A","lastname":"B","email":"a@b.c"},"room_types":[
            {"id_room_type":2,"checkin_date":"2026-12-21","checkout_date":"2026-12-23","number_of_rooms":2}]}}"#;
        let req: BookingRequest = serde_json::from_str(json).unwrap();
        let want = requested_lines(&req);
        let lines = vec![
            line(2, "2026-12-21", "2026-12-23", false),
            line(2, "2026-12-21", "2026-12-23", false),
            line(1, "2026-12-01", "2026-12-03", true),
        ];
        assert_eq!(active_lines(&lines), want);
        assert_ne!(active_lines(&lines[..1]), want);
    }
}
