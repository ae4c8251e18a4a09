//! An update as stock QloApps 1.6.1 takes it (`crates/qlo-sim/tests/fixtures/README.md`):
//!
//! - **State is QloApps'.** A PUT with `booking_status` moves the order to that state (1 is
//!   "Awaiting payment", whatever the hotel recorded as paid), so an update sends none and no
//!   remark (each one would be added as another customer message); cancel goes through
//!   `order_histories`.
//! - **Rooms stay put where QloApps allows it.** A line whose dates change is a new line, and
//!   QloApps picks its room unless `id_room` is sent. Each line is pinned to the room it has now
//!   when the dates are the same or do not overlap the old ones; on overlapping dates QloApps
//!   still counts the order's own room as taken, so a pin would be refused and QloApps is left
//!   to choose. If a pinned room is taken on the new dates, the update is sent once more
//!   without the pins.

use qlo_client::{BookingRequest, Error as QloError, RoomBookingLine};

use super::reservation::Push;
use crate::sync_error::SyncError;

impl Push<'_> {
    /// Sends `request` as the order's new content, keeping state and rooms as above.
    pub(super) async fn put_order(
        &self,
        order_id: u64,
        request: &BookingRequest,
    ) -> Result<(), SyncError> {
        let request = BookingRequest {
            booking_status: None,
            payment_status: None,
            remark: None,
            ..request.clone()
        };
        let lines = self.client.room_bookings_by_orders(&[order_id]).await?;
        let (pinned, moved) = pin_rooms(&request, &lines);
        match self.client.update_booking(order_id, &pinned).await {
            Err(QloError::RoomsUnavailable { message }) if moved => {
                tracing::info!(order_id, %message, "a pinned room is taken on the new dates; QloApps chooses");
                self.client.update_booking(order_id, &request).await?;
            }
            other => {
                other?;
            }
        }
        Ok(())
    }
}

/// `request` with each room pinned to the room of a current line of its room type, where
/// QloApps would accept it; `true` when a pin is on new dates (and may be refused).
fn pin_rooms(request: &BookingRequest, lines: &[RoomBookingLine]) -> (BookingRequest, bool) {
    let mut pinned = request.clone();
    let mut moved = false;
    let mut used = vec![false; lines.len()];
    for stay in &mut pinned.associations.room_types {
        let (from, to) = (stay.checkin_date, stay.checkout_date);
        for room in stay.rooms.iter_mut().filter(|r| r.id_room.is_none()) {
            let same = |l: &RoomBookingLine| l.date_from == Some(from) && l.date_to == Some(to);
            let candidate = |l: &RoomBookingLine, i: usize| {
                !used[i] && l.is_active() && l.id_product == stay.id_room_type && l.id_room > 0
            };
            // a line with the same dates first: QloApps keeps it as it is
            let pick = (0..lines.len())
                .find(|&i| candidate(&lines[i], i) && same(&lines[i]))
                .or_else(|| (0..lines.len()).find(|&i| candidate(&lines[i], i)));
            let Some(i) = pick else { continue };
            used[i] = true;
            let line = &lines[i];
            let apart = match (line.date_from, line.date_to) {
                (Some(old_from), Some(old_to)) => old_to <= from || to <= old_from,
                _ => false,
            };
            if same(line) || apart {
                room.id_room = Some(line.id_room);
                moved |= !same(line);
            }
        }
    }
    (pinned, moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use qlo_client::{RoomRequest, RoomTypeRequest};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).expect("date")
    }

    fn request(from: u32, to: u32, rooms: usize) -> BookingRequest {
        let mut r = BookingRequest::default();
        r.associations.room_types = vec![RoomTypeRequest {
            id_room_type: 3,
            checkin_date: day(from),
            checkout_date: day(to),
            number_of_rooms: u32::try_from(rooms).expect("rooms"),
            rooms: vec![RoomRequest::default(); rooms],
        }];
        r
    }

    fn line(id_room: u64, from: u32, to: u32) -> RoomBookingLine {
        RoomBookingLine {
            id_product: 3,
            id_room,
            date_from: Some(day(from)),
            date_to: Some(day(to)),
            ..RoomBookingLine::default()
        }
    }

    fn rooms(r: &BookingRequest) -> Vec<Option<u64>> {
        r.associations.room_types[0]
            .rooms
            .iter()
            .map(|r| r.id_room)
            .collect()
    }

    #[test]
    fn same_dates_keep_their_rooms_without_a_retry() {
        let (pinned, moved) = pin_rooms(&request(1, 3, 2), &[line(12, 1, 3), line(14, 1, 3)]);
        assert_eq!((rooms(&pinned), moved), (vec![Some(12), Some(14)], false));
    }

    #[test]
    fn dates_apart_pin_the_old_room_and_overlapping_ones_leave_it_to_qloapps() {
        let (pinned, moved) = pin_rooms(&request(10, 12, 1), &[line(12, 1, 3)]);
        assert_eq!((rooms(&pinned), moved), (vec![Some(12)], true));
        let (pinned, moved) = pin_rooms(&request(2, 4, 1), &[line(12, 1, 3)]);
        assert_eq!((rooms(&pinned), moved), (vec![None], false));
    }

    #[test]
    fn other_room_types_and_cancelled_lines_are_never_pinned() {
        let mut other = line(7, 1, 3);
        other.id_product = 2;
        let mut cancelled = line(12, 1, 3);
        cancelled.is_cancelled = true;
        let (pinned, _) = pin_rooms(&request(1, 3, 1), &[other, cancelled]);
        assert_eq!(rooms(&pinned), vec![None]);
    }
}
