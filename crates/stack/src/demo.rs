//! Demo data created through the api, the way an operator would: a property, four room types
//! mapped to QloApps room types 1-4, a QloApps config, and a guest.

use anyhow::Context as _;
use reqwest::Method;
use serde_json::{json, Value};

use crate::Stack;

#[derive(Debug, Clone)]
pub struct Demo {
    pub property_id: String,
    pub config_id: String,
    /// PMS room types mapped to QloApps room types 1..=4, in that order.
    pub room_types: Vec<String>,
    pub guest_id: String,
}

impl Demo {
    /// A property named `property_name` whose QloApps config reaches `qloapps_url` with
    /// `api_key` as hotel `hotel_id`.
    pub async fn create(
        stack: &Stack,
        property_name: &str,
        qloapps_url: &str,
        api_key: &str,
        hotel_id: u32,
    ) -> anyhow::Result<Demo> {
        let id = |v: Value| -> anyhow::Result<String> {
            Ok(v["id"].as_str().context("id in response")?.to_owned())
        };
        let property = json!({"name": property_name, "currency": "USD"});
        let property_id = id(stack
            .ok(Method::POST, "/properties", Some(&property))
            .await?)?;
        let mut room_types = Vec::new();
        for (i, name) in ["General", "Delux", "Executive", "Luxury"]
            .iter()
            .enumerate()
        {
            let body = json!({"code": format!("RT{}", i + 1), "name": name, "totalRooms": 5});
            let path = format!("/properties/{property_id}/room-types");
            room_types.push(id(stack.ok(Method::POST, &path, Some(&body)).await?)?);
        }
        let config = json!({
            "propertyId": property_id, "name": "QloApps (simulator)", "baseUrl": qloapps_url,
            "apiKey": api_key, "qloappsHotelId": hotel_id
        });
        let config_id = id(stack
            .ok(Method::POST, "/qloapps/configs", Some(&config))
            .await?)?;
        for (i, room_type) in room_types.iter().enumerate() {
            let body = json!({"localRoomTypeId": room_type, "qloappsRoomTypeId": i + 1});
            let path = format!("/qloapps/configs/{config_id}/room-type-mappings");
            stack.ok(Method::POST, &path, Some(&body)).await?;
        }
        let guest = json!({"firstName": "Anna", "lastName": "Keller",
            "email": "anna.keller@example.com", "phone": "+41 79 123 45 67"});
        let path = format!("/properties/{property_id}/guests");
        let guest_id = id(stack.ok(Method::POST, &path, Some(&guest)).await?)?;
        Ok(Demo {
            property_id,
            config_id,
            room_types,
            guest_id,
        })
    }

    /// A body for `POST /properties/{id}/reservations`: the demo guest, two adults, USD.
    pub fn reservation_body(
        &self,
        room_type: usize,
        check_in: &str,
        check_out: &str,
        total: &str,
    ) -> Value {
        json!({
            "roomTypeId": self.room_types.get(room_type), "guestId": self.guest_id,
            "checkIn": check_in, "checkOut": check_out,
            "adults": 2, "totalPrice": total, "currency": "USD"
        })
    }

    /// Creates a reservation with `body` through the api; returns its id.
    pub async fn create_reservation(&self, stack: &Stack, body: &Value) -> anyhow::Result<String> {
        let path = format!("/properties/{}/reservations", self.property_id);
        let created = stack.ok(Method::POST, &path, Some(body)).await?;
        Ok(created["id"]
            .as_str()
            .context("reservation id in response")?
            .to_owned())
    }
}
