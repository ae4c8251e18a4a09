//! Bulk seeding of bookings, fast enough for benchmarks of 100,000 orders.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Customer, GuestDetail, Shop};
use crate::booking::{place_order, random_hex, NewLine, NewOrder};

impl Shop {
    /// Creates many bookings fast (for benchmarks): one room, `nights` nights each, rooms
    /// used in turn and dates moving on so no two bookings collide.
    pub fn seed_bookings(&mut self, spec: &SeedSpec) -> SeedReport {
        let rooms: Vec<(u32, u32, u32)> = self
            .rooms
            .values()
            .filter(|r| r.is_active() && spec.id_hotel.is_none_or(|h| r.id_hotel == h))
            .map(|r| (r.id, r.id_room_type, r.id_hotel))
            .collect();
        if rooms.is_empty() || spec.count == 0 {
            return SeedReport::default();
        }
        let nights = i64::from(spec.nights.max(1));
        let latest_checkout = self.orders.lines().map(|l| l.date_to).max();
        let start = spec
            .start_date
            .or(latest_checkout)
            .unwrap_or_else(|| self.now().date() + Duration::days(1));
        let customer_ids: Vec<u32> = (0..spec.customers.max(1))
            .map(|i| self.seed_customer(i))
            .collect();
        let spread = Duration::seconds(spec.spread_secs);
        let base_now = self.now();
        let saved_clock = self.clock.clone();
        let count = i64::from(spec.count);
        let first_id = self.orders.next_order_id();
        for k in 0..count {
            let (id_room, id_room_type, id_hotel) =
                rooms[usize::try_from(k).unwrap_or(0) % rooms.len()];
            let round = k / i64::try_from(rooms.len()).unwrap_or(1);
            let from = start + Duration::days(round * nights);
            let to = from + Duration::days(nights);
            let price = self
                .room_types
                .get(&id_room_type)
                .map(|rt| rt.price * Decimal::from(nights))
                .unwrap_or_default();
            // Spread date_upd over the past so paging has realistic timestamps.
            self.freeze_clock(Some(
                base_now - spread * i32::try_from(count - 1 - k).unwrap_or(0),
            ));
            let id_customer = customer_ids[usize::try_from(k).unwrap_or(0) % customer_ids.len()];
            place_order(
                self,
                NewOrder {
                    id_customer,
                    id_hotel,
                    id_currency: 1,
                    id_lang: 1,
                    source: format!("{}{}", spec.source_prefix, k + 1),
                    payment: "Pay at hotel".to_owned(),
                    payment_type: 2,
                    transaction_id: None,
                    remarks: Vec::new(),
                    guest: self
                        .customers
                        .get(id_customer)
                        .map(|c| GuestDetail {
                            firstname: c.firstname.clone(),
                            lastname: c.lastname.clone(),
                            email: c.email.clone(),
                            phone: c.phone.clone(),
                        })
                        .unwrap_or_default(),
                    lines: vec![NewLine {
                        id_room_type,
                        id_room,
                        date_from: from,
                        date_to: to,
                        adults: 2,
                        children: 0,
                        child_ages: Vec::new(),
                        price_excl: price,
                    }],
                    total_paid: Decimal::ZERO,
                    state: spec.id_order_state.unwrap_or(1),
                    date_add: None,
                },
            );
        }
        self.clock = saved_clock;
        let last_id = self.orders.next_order_id() - 1;
        SeedReport {
            created: spec.count,
            first_id,
            last_id,
        }
    }

    fn seed_customer(&mut self, i: u32) -> u32 {
        let email = format!("seed-{}@qlosim.test", i + 1);
        if let Some(c) = self.customers.find_by_email(&email) {
            return c.id;
        }
        let now = self.now();
        self.customers.insert(Customer {
            id: 0,
            firstname: "Seed".to_owned(),
            lastname: format!("Guest{}", i + 1),
            email,
            phone: format!("+1555{:07}", i + 1),
            passwd: format!("$2y$10${}", random_hex(53)),
            secure_key: random_hex(32),
            id_default_group: 3,
            groups: vec![3],
            id_lang: 1,
            id_gender: 0,
            birthday: "0000-00-00".to_owned(),
            newsletter: false,
            optin: false,
            active: true,
            is_guest: false,
            deleted: false,
            company: String::new(),
            note: String::new(),
            date_add: now,
            date_upd: now,
        })
    }
}

/// What to seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedSpec {
    pub count: u32,
    /// Only this hotel's rooms (default: all hotels).
    pub id_hotel: Option<u32>,
    /// First check-in (default: after the last existing checkout, or tomorrow).
    pub start_date: Option<NaiveDate>,
    pub nights: u32,
    /// Distinct customers to spread the bookings over.
    pub customers: u32,
    /// `source` of booking k is `{source_prefix}{k}`.
    pub source_prefix: String,
    /// Seconds between consecutive orders' `date_upd` (0 = all in the same second).
    pub spread_secs: i64,
    /// Final order state (default 1, awaiting payment).
    pub id_order_state: Option<u32>,
}

impl Default for SeedSpec {
    fn default() -> Self {
        Self {
            count: 0,
            id_hotel: None,
            start_date: None,
            nights: 1,
            customers: 100,
            source_prefix: "seed-".to_owned(),
            spread_secs: 1,
            id_order_state: None,
        }
    }
}

/// What seeding created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedReport {
    pub created: u32,
    pub first_id: u32,
    pub last_id: u32,
}
