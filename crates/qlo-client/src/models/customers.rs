//! `customers` (docs/qloapps-api.md, "Customers").

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::lenient;

/// The only customer fields the client ever asks for: never `passwd` or `secure_key`.
pub const CUSTOMER_FIELDS: &[&str] = &["id", "firstname", "lastname", "email", "phone", "date_upd"];

/// A QloApps customer (guest).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Customer {
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    #[serde(default, deserialize_with = "lenient::string")]
    pub firstname: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub lastname: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: String,
    /// A virtual field (stored with the guest details); may be empty.
    #[serde(default, deserialize_with = "lenient::string")]
    pub phone: String,
    #[serde(default, deserialize_with = "lenient::opt_datetime")]
    pub date_upd: Option<NaiveDateTime>,
}

/// A customer to create (`POST customers`, XML). The client adds a random `passwd`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewCustomer {
    /// `isName`, at most 32 characters.
    pub firstname: String,
    /// `isName`, at most 32 characters.
    pub lastname: String,
    pub email: String,
    /// Required when `PS_ONE_PHONE_AT_LEAST=1`.
    pub phone: Option<String>,
    /// Default group; 3 (Customer) when `None`.
    pub id_default_group: Option<u64>,
    /// Groups association; `[id_default_group]` when empty.
    pub groups: Vec<u64>,
}
