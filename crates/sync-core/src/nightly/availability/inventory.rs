//! What QloApps would sell, night by night: free rooms read with `hotel_ari`.
//!
//! A 365-night breakdown takes about 20 s on a real server (docs/qloapps-api.md, "Availability: hotel_ari"), so
//! nights are read in per-night breakdown chunks of at most [`CHUNK_NIGHTS`] nights (about
//! 2 s each). The breakdown's counters are wrong on 1.6.1 and it lists inactive rooms
//! (`id_status` 2) as available (docs/qloapps-api.md, "Availability: hotel_ari"), so the room lists are counted
//! and filtered through one `hotel_rooms` read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use qlo_client::{AriRequest, QloClient};
use rust_decimal::Decimal;

/// Most nights per `hotel_ari` breakdown call.
pub const CHUNK_NIGHTS: u64 = 31;
/// `hotel_rooms.id_status` of a room that is out of service for every date.
const ROOM_INACTIVE: u32 = 2;

/// One night of one room type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Night {
    /// Rooms QloApps would sell that night.
    pub free: BTreeSet<u64>,
    /// `hotel_ari` nightly price excluding tax (auto-added services included).
    pub price: Option<Decimal>,
}

/// Free rooms per room type and night, as read from QloApps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// ISO code of the shop's currency (`hotel_ari`).
    pub currency: String,
    /// Rooms in service per room type (active or temporarily inactive).
    pub rooms: HashMap<u64, BTreeSet<u64>>,
    pub nights: HashMap<u64, BTreeMap<NaiveDate, Night>>,
}

impl Inventory {
    /// The nights of one room type (empty when QloApps sent none).
    pub fn room_type(&self, id: u64) -> BTreeMap<NaiveDate, Night> {
        self.nights.get(&id).cloned().unwrap_or_default()
    }

    /// Rooms in service of a room type.
    pub fn capacity(&self, id: u64) -> usize {
        self.rooms.get(&id).map_or(0, BTreeSet::len)
    }
}

/// The chunks `[from, departure)` covering the nights `from..=to`.
pub fn chunks(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start
            .checked_add_days(Days::new(CHUNK_NIGHTS))
            .unwrap_or(start)
            .min(to.succ_opt().unwrap_or(to));
        if end <= start {
            break;
        }
        out.push((start, end));
        start = end;
    }
    out
}

/// Reads the nights `from..=to` of one room type (or all of the hotel's with `None`):
/// one `hotel_rooms` call plus one `hotel_ari` call per chunk.
pub async fn read(
    client: &QloClient,
    room_type: Option<u64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Inventory, qlo_client::Error> {
    let mut inventory = Inventory::default();
    for room in client.hotel_rooms().await? {
        if room.id_status != ROOM_INACTIVE {
            inventory
                .rooms
                .entry(room.id_product)
                .or_default()
                .insert(room.id);
        }
    }
    for (start, departure) in chunks(from, to) {
        let mut request = AriRequest::new(start, departure);
        request.id_room_type = room_type;
        request.get_booked_rooms = false;
        for night in client.availability_by_night(&request).await? {
            let Some(date) = night.date_from else {
                continue;
            };
            if inventory.currency.is_empty() {
                inventory.currency = night.currency.clone();
            }
            for rt in night.room_types {
                if room_type.is_some_and(|id| id != rt.id_room_type) {
                    continue;
                }
                let in_service = inventory.rooms.get(&rt.id_room_type);
                let free = rt
                    .rooms
                    .available
                    .iter()
                    .map(|r| r.id_room)
                    .filter(|id| in_service.is_some_and(|s| s.contains(id)))
                    .collect();
                let entry = Night {
                    free,
                    price: Some(rt.base_price),
                };
                inventory
                    .nights
                    .entry(rt.id_room_type)
                    .or_default()
                    .insert(date, entry);
            }
        }
    }
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_year_is_read_in_chunks_of_at_most_31_nights() {
        let c = chunks(d("2026-12-01"), d("2027-11-30"));
        assert_eq!(c.len(), 12);
        assert_eq!(c[0], (d("2026-12-01"), d("2027-01-01")));
        assert_eq!(c.last().unwrap().1, d("2027-12-01"));
        assert!(c.iter().all(|(a, b)| (*b - *a).num_days() <= 31));
        assert_eq!(
            chunks(d("2026-12-05"), d("2026-12-05")),
            vec![(d("2026-12-05"), d("2026-12-06"))]
        );
        assert!(chunks(d("2026-12-06"), d("2026-12-05")).is_empty());
    }
}
