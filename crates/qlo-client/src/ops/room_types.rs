//! `room_types`, `hotel_room_types`, `hotels`, `hotel_rooms`.

use crate::client::{any_of, QloClient};
use crate::error::Error;
use crate::models::room_types::{Hotel, HotelRoom, HotelRoomType, RoomType};
use crate::transport::Request;

impl QloClient {
    /// Every room type, full objects, names in the client's language.
    pub async fn room_types(&self) -> Result<Vec<RoomType>, Error> {
        let request = Request::get("room_types").query("display", "full");
        self.send(&request).await?.list("room_types", "room_types")
    }

    /// Room types of the configured hotel with their occupancy and LOS limits
    /// (`hotel_room_types?filter[id_hotel]=[H]`; `room_types` cannot filter by hotel).
    pub async fn hotel_room_types(&self) -> Result<Vec<HotelRoomType>, Error> {
        let request = Request::get("hotel_room_types")
            .query("display", "full")
            .query("filter[id_hotel]", any_of(&[self.config().hotel_id]));
        self.send(&request)
            .await?
            .list("hotel_room_types", "hotel_room_types")
    }

    /// The configured hotel.
    pub async fn hotel(&self) -> Result<Hotel, Error> {
        let request = Request::get("hotels").id(self.config().hotel_id);
        self.send(&request).await?.single("hotels", "hotel")
    }

    /// Physical rooms of the configured hotel (JSON node `rooms`).
    pub async fn hotel_rooms(&self) -> Result<Vec<HotelRoom>, Error> {
        let request = Request::get("hotel_rooms")
            .query("display", "full")
            .query("filter[id_hotel]", any_of(&[self.config().hotel_id]));
        self.send(&request).await?.list("hotel_rooms", "rooms")
    }
}
