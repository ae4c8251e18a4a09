//! Demo data created through the api, the way an operator would: a property, four room types
//! mapped to the simulator's, a QloApps config, and a guest.

use qlo_sim::SimServer;
use reqwest::Method;
use serde_json::json;

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
    pub async fn create(stack: &Stack, sim: &SimServer, hotel_id: u32) -> Demo {
        let id = |v: serde_json::Value| v["id"].as_str().expect("id in response").to_owned();
        let property_id = id(stack
            .ok(
                Method::POST,
                "/properties",
                Some(json!({"name": "Hotel Prime PMS", "currency": "USD"})),
            )
            .await);
        let mut room_types = Vec::new();
        for (i, name) in ["General", "Delux", "Executive", "Luxury"]
            .iter()
            .enumerate()
        {
            let body = json!({"code": format!("RT{}", i + 1), "name": name, "totalRooms": 5});
            room_types.push(id(stack
                .ok(
                    Method::POST,
                    &format!("/properties/{property_id}/room-types"),
                    Some(body),
                )
                .await));
        }
        let config = json!({
            "propertyId": property_id, "name": "QloApps (simulator)", "baseUrl": sim.api_url(),
            "apiKey": sim.api_key(), "qloappsHotelId": hotel_id
        });
        let config_id = id(stack
            .ok(Method::POST, "/qloapps/configs", Some(config))
            .await);
        for (i, room_type) in room_types.iter().enumerate() {
            let body = json!({"localRoomTypeId": room_type, "qloappsRoomTypeId": i + 1});
            stack
                .ok(
                    Method::POST,
                    &format!("/qloapps/configs/{config_id}/room-type-mappings"),
                    Some(body),
                )
                .await;
        }
        let guest = json!({"firstName": "Anna", "lastName": "Keller", "email": "anna.keller@example.com", "phone": "+41 79 123 45 67"});
        let guest_id = id(stack
            .ok(
                Method::POST,
                &format!("/properties/{property_id}/guests"),
                Some(guest),
            )
            .await);
        Demo {
            property_id,
            config_id,
            room_types,
            guest_id,
        }
    }

    /// Creates a reservation through the api; returns its id.
    pub async fn reserve(
        &self,
        stack: &Stack,
        room_type: usize,
        check_in: &str,
        check_out: &str,
        total: &str,
    ) -> String {
        let body = crate::reservation_body(
            &self.room_types[room_type],
            &self.guest_id,
            check_in,
            check_out,
            total,
        );
        let created = stack
            .ok(
                Method::POST,
                &format!("/properties/{}/reservations", self.property_id),
                Some(body),
            )
            .await;
        created["id"].as_str().expect("reservation id").to_owned()
    }
}
