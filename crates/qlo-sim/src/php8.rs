//! The answers of stock QloApps 1.6.1 on PHP 8, where warnings in
//! `WebserviceSpecificManagementBookings` turn into HTTP 500 after the work is done
//! (`real/*_STRICTKEY.json`).

use serde_json::{json, Value};

use crate::render::{Reply, WsError};
use crate::routes::bookings::BookingRequest;

const FILE: &str = "/var/www/qloapps/classes/webservice/WebserviceSpecificManagementBookings.php";

fn warning_text(text: &str, line: u32) -> String {
    format!("[PHP Warning #2] {text} ({FILE}, line {line})")
}

fn warning(text: &str, line: u32) -> Value {
    json!({"code": 3, "message": warning_text(text, line)})
}

/// A booking refusal as PHP 8 answers it: one `total_tax` warning per room sent without a tax
/// (read before validation), then QloApps' own error.
pub fn after_untaxed_room_warnings(refusal: WsError, req: &BookingRequest) -> WsError {
    let untaxed = req
        .room_types
        .iter()
        .flat_map(|rt| rt.rooms.iter().flatten())
        .filter(|room| room.untaxed)
        .count();
    let mut errors = vec![(3, warning_text("Undefined array key \"total_tax\"", 504)); untaxed];
    errors.extend(refusal.errors);
    WsError { errors, ..refusal }
}

/// The 500 a booking POST or PUT answers after writing.
pub fn booking_write_500() -> Reply {
    Reply::with_status(
        http::StatusCode::INTERNAL_SERVER_ERROR,
        json!({"errors": [
            warning("Undefined array key \"total_tax\"", 504),
            warning("Undefined variable $useTax", 3463),
            warning("Undefined variable $useTax", 3494),
        ]}),
    )
}

/// The 500 every `GET bookings/{id}` answers.
pub fn booking_get_500() -> Reply {
    Reply::with_status(
        http::StatusCode::INTERNAL_SERVER_ERROR,
        json!({"errors": [
            warning("Undefined variable $useTax", 3463),
            warning("Undefined variable $useTax", 3494),
        ]}),
    )
}
