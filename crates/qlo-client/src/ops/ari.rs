//! `hotel_ari`: availability search (POST with an XML body; a read, so retried like a GET).

use http::Method;

use crate::client::QloClient;
use crate::error::Error;
use crate::models::ari::{AriEnvelope, AriNightsEnvelope, AriRequest, Availability};
use crate::models::lenient::DATE_FORMAT;
use crate::retry::Idempotency;
use crate::transport::{Body, Request};
use crate::xml::XmlBody;

fn flag(b: bool) -> u8 {
    u8::from(b)
}

pub(crate) fn ari_body(req: &AriRequest, hotel_id: u64, breakdown: bool) -> Result<Body, Error> {
    let mut xml = XmlBody::new("hotel_ari")?;
    xml.open("hotel_ari")?
        .field("id_hotel", req.id_hotel.unwrap_or(hotel_id))?
        .field("date_from", req.date_from.format(DATE_FORMAT))?
        .field("date_to", req.date_to.format(DATE_FORMAT))?;
    if let Some(room_type) = req.id_room_type {
        xml.field("id_room_type", room_type)?;
    }
    xml.field("get_available_rooms", flag(req.get_available_rooms))?
        .field("get_booked_rooms", flag(req.get_booked_rooms))?
        .field(
            "get_partial_available_rooms",
            flag(req.get_partial_available_rooms),
        )?
        .field("get_unavailable_rooms", flag(req.get_unavailable_rooms))?
        .field("date_wise_breakdown", flag(breakdown))?;
    if !req.occupancies.is_empty() {
        xml.open("associations")?.open("room_occupancies")?;
        for (adults, children) in &req.occupancies {
            xml.open("room_occupancy")?
                .field("adults", adults)?
                .field("children", children)?
                .close("room_occupancy")?;
        }
        xml.close("room_occupancies")?.close("associations")?;
    }
    xml.close("hotel_ari")?;
    Ok(Body::xml(xml.finish()?))
}

impl QloClient {
    fn ari_request(&self, req: &AriRequest, breakdown: bool) -> Result<Request, Error> {
        if req.date_to <= req.date_from {
            return Err(Error::Encode {
                resource: "hotel_ari".to_owned(),
                message: "date_to (departure) must be after date_from".to_owned(),
            });
        }
        let body = ari_body(req, u64::from(self.config().hotel_id), breakdown)?;
        Ok(
            Request::write(Method::POST, "hotel_ari", body, Idempotency::Idempotent)
                .without_language(),
        )
    }

    /// Availability and prices over the whole range (no per-night breakdown).
    pub async fn availability(&self, req: &AriRequest) -> Result<Availability, Error> {
        let request = self.ari_request(req, false)?;
        let envelope: AriEnvelope = self.send(&request).await?.json("hotel_ari")?;
        Ok(envelope.hotel_ari)
    }

    /// Availability per night (`date_wise_breakdown=1`): one entry per night. QloApps' counters
    /// are wrong in this mode (docs/qloapps-api.md, "Availability: hotel_ari"): count the room lists instead.
    pub async fn availability_by_night(
        &self,
        req: &AriRequest,
    ) -> Result<Vec<Availability>, Error> {
        let request = self.ari_request(req, true)?;
        let envelope: AriNightsEnvelope = self.send(&request).await?.json("hotel_ari")?;
        Ok(envelope.hotel_aris)
    }
}
