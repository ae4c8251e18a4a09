//! The data of a fresh QloApps 1.6.1 install, and extra demo hotels.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::settings::{install_configuration, install_order_states};
use super::{
    Configuration, Currency, Customer, CustomerGroup, Customers, Hotel, OrderBook, Room, RoomType,
    Shop, ROOM_ACTIVE,
};
use crate::booking::random_hex;
use crate::config::SimConfig;

/// (name, base price, room number prefix, link_rewrite) of the 4 demo room types.
const ROOM_TYPES: [(&str, i64, &str, &str); 4] = [
    ("General Rooms", 1000, "GR", "general-rooms"),
    ("Delux Rooms", 1500, "DR", "delux-rooms"),
    ("Executive Rooms", 2000, "ER", "executive-rooms"),
    ("Luxury Rooms", 2500, "LR", "luxury-rooms"),
];

impl Shop {
    /// A fresh install: `config.hotels` hotels of 4 room types x 5 rooms, customer 1
    /// John Doe, groups 1–3, order states 1–12, USD.
    pub fn demo(config: &SimConfig) -> anyhow::Result<Shop> {
        let tz: chrono_tz::Tz = config
            .timezone
            .parse()
            .map_err(|_| anyhow::anyhow!("unknown time zone {:?}", config.timezone))?;
        let mut shop = Shop {
            hotels: BTreeMap::new(),
            room_types: BTreeMap::new(),
            rooms: BTreeMap::new(),
            customers: Customers::default(),
            orders: OrderBook::default(),
            feature_prices: BTreeMap::new(),
            configurations: Vec::new(),
            order_states: install_order_states(),
            currencies: vec![Currency {
                id: 1,
                iso_code: "USD".to_owned(),
                name: "US Dollar".to_owned(),
                sign: "$".to_owned(),
            }],
            groups: [(1, "Visitor"), (2, "Guest"), (3, "Customer")]
                .into_iter()
                .map(|(id, name)| CustomerGroup {
                    id,
                    name: name.to_owned(),
                })
                .collect(),
            single_language: config.single_language,
            tz,
            clock: Default::default(),
        };
        let now = shop.now();
        shop.configurations = install_configuration(&config.timezone, &config.shop_domain)
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| Configuration {
                id: u32::try_from(i + 1).unwrap_or(u32::MAX),
                name,
                value,
                date_add: now,
                date_upd: now,
            })
            .collect();
        shop.customers.insert(Customer {
            id: 1,
            firstname: "John".to_owned(),
            lastname: "Doe".to_owned(),
            email: "pub@qloapps.com".to_owned(),
            phone: String::new(),
            passwd: format!("$2y$10${}", random_hex(53)),
            secure_key: random_hex(32),
            id_default_group: 3,
            groups: vec![3],
            id_lang: 1,
            id_gender: 1,
            birthday: "1970-01-15".to_owned(),
            newsletter: true,
            optin: true,
            active: true,
            is_guest: false,
            deleted: false,
            company: String::new(),
            note: String::new(),
            date_add: now,
            date_upd: now,
        });
        for _ in 0..config.hotels.max(1) {
            shop.add_demo_hotel(config.auto_services_per_night);
        }
        Ok(shop)
    }

    /// Adds a hotel with the demo pattern (4 room types x 5 rooms); returns its id.
    pub fn add_demo_hotel(&mut self, auto_services_per_night: Decimal) -> u32 {
        let now = self.now();
        let id = self.hotels.keys().next_back().copied().unwrap_or(0) + 1;
        let suffix = if id == 1 {
            String::new()
        } else {
            format!(" {id}")
        };
        self.hotels.insert(
            id,
            Hotel {
                id,
                name: format!("The Hotel Prime{suffix}"),
                email: "hotelprime@htl.com".to_owned(),
                phone: "0987654321".to_owned(),
                address: "Monticello Dr, Montgomery, 10010".to_owned(),
                city: "Demo City".to_owned(),
                state_name: "Alabama".to_owned(),
                country_name: "United States".to_owned(),
                zipcode: "19296".to_owned(),
                id_country: 21,
                id_state: 1,
                id_category: 8,
                rating: 3,
                check_in: "12:00".to_owned(),
                check_out: "11:00".to_owned(),
                active: true,
                short_description: "The Hotel Prime is the perfect destination for both business and leisure travelers seeking a memorable stay.".to_owned(),
                description: "<div><h4><strong>Welcome to The Hotel Prime!</strong></h4></div>".to_owned(),
                policies: "<div><div>- Accommodation will only be provided to guests whose details are registered with the hotel front desk.</div></div>".to_owned(),
                date_add: now,
                date_upd: now,
            },
        );
        let prefix = if id == 1 {
            String::new()
        } else {
            format!("H{id}-")
        };
        for (name, price, code, link) in ROOM_TYPES {
            let rt_id = self.room_types.keys().next_back().copied().unwrap_or(0) + 1;
            self.room_types.insert(
                rt_id,
                RoomType {
                    id: rt_id,
                    id_hotel: id,
                    name: name.to_owned(),
                    price: Decimal::from(price),
                    adults: 2,
                    children: 2,
                    max_adults: 2,
                    max_children: 2,
                    max_guests: 4,
                    min_los: 1,
                    max_los: 0,
                    active: true,
                    id_tax_rules_group: 1,
                    link_rewrite: link.to_owned(),
                    description_short: format!("Our {name} offer space and comfort."),
                    description: format!("Make yourself at home in our {name}."),
                    auto_services_per_night,
                    date_add: now,
                    date_upd: now,
                },
            );
            for n in 1..=5 {
                let room_id = self.rooms.keys().next_back().copied().unwrap_or(0) + 1;
                self.rooms.insert(
                    room_id,
                    Room {
                        id: room_id,
                        id_room_type: rt_id,
                        id_hotel: id,
                        room_num: format!("{prefix}{code}-10{n}"),
                        id_status: ROOM_ACTIVE,
                        floor: "First".to_owned(),
                        comment: String::new(),
                        date_add: now,
                        date_upd: now,
                    },
                );
            }
        }
        id
    }
}
