//! The answers of stock QloApps 1.6.1 on PHP 8, where warnings in
//! `WebserviceSpecificManagementBookings` turn into HTTP 500 after the work is done
//! (`real/*_STRICTKEY.json`).

use serde_json::{json, Value};

use crate::render::Reply;

const FILE: &str = "/var/www/qloapps/classes/webservice/WebserviceSpecificManagementBookings.php";

fn warning(text: &str, line: u32) -> Value {
    json!({"code": 3, "message": format!("[PHP Warning #2] {text} ({FILE}, line {line})")})
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
