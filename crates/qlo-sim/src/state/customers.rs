//! Customers (`customers`), with an email index for the bookings API's customer matching.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

/// A customer (`ps_customer`, plus the phone QloApps keeps in `cart_customer_guest_detail`).
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub id: u32,
    pub firstname: String,
    pub lastname: String,
    pub email: String,
    pub phone: String,
    pub passwd: String,
    pub secure_key: String,
    pub id_default_group: u32,
    pub groups: Vec<u32>,
    pub id_lang: u32,
    pub id_gender: u32,
    pub birthday: String,
    pub newsletter: bool,
    pub optin: bool,
    pub active: bool,
    pub is_guest: bool,
    pub deleted: bool,
    pub company: String,
    pub note: String,
    pub date_add: NaiveDateTime,
    pub date_upd: NaiveDateTime,
}

/// All customers, indexed by id and by lower-cased email.
#[derive(Debug, Default, Clone)]
pub struct Customers {
    by_id: BTreeMap<u32, Customer>,
    by_email: HashMap<String, u32>,
    next_id: u32,
}

impl Customers {
    pub fn get(&self, id: u32) -> Option<&Customer> {
        self.by_id.get(&id)
    }

    /// MySQL's default collation compares emails case-insensitively.
    pub fn find_by_email(&self, email: &str) -> Option<&Customer> {
        self.by_email
            .get(&email.trim().to_lowercase())
            .and_then(|id| self.by_id.get(id))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Customer> {
        self.by_id.values()
    }

    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.by_id.keys().copied()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The id the next inserted customer gets.
    pub fn next_id(&self) -> u32 {
        self.next_id.max(1)
    }

    /// Inserts (or replaces) a customer; `customer.id == 0` assigns the next id.
    pub fn insert(&mut self, mut customer: Customer) -> u32 {
        if customer.id == 0 {
            customer.id = self.next_id();
        }
        if let Some(old) = self.by_id.get(&customer.id) {
            let old_email = old.email.to_lowercase();
            self.by_email.remove(&old_email);
        }
        let id = customer.id;
        self.next_id = self.next_id.max(id + 1);
        self.by_email
            .entry(customer.email.trim().to_lowercase())
            .or_insert(id);
        self.by_id.insert(id, customer);
        id
    }
}
