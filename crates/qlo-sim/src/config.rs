//! Start-up settings of a simulator instance.

use std::net::SocketAddr;
use std::time::Duration;

/// The demo key of `SimConfig::default()` (32 characters, like a real webservice key).
pub const DEMO_API_KEY: &str = "QLOSIMDEMOKEY0123456789ABCDEFGHI";

/// One more webservice key, optionally restricted to a list of resources
/// (`ps_webservice_permission` rows); `None` allows every resource.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyConfig {
    pub key: String,
    pub resources: Option<Vec<String>>,
}

/// How the simulated shop starts.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The main key (what `SimServer::api_key()` returns).
    pub api_key: String,
    /// Restrict the main key to these resources (`None` = all resources).
    pub api_key_resources: Option<Vec<String>>,
    /// Further keys, e.g. a restricted one for permission tests.
    pub extra_keys: Vec<KeyConfig>,
    /// `PS_TIMEZONE`: IANA name ("UTC", "Europe/Zurich"); timestamps are shop-local.
    pub timezone: String,
    /// Number of demo hotels, each with 4 room types of 5 rooms (the fresh-install pattern).
    pub hotels: u32,
    /// Stock QloApps 1.6.1 on PHP 8: booking POST/PUT write then answer 500, `GET bookings/{id}` 500s.
    pub stock_php8: bool,
    /// Latency added to every webservice request.
    pub latency: Duration,
    /// A single-language shop renders i18n fields as plain strings even without `language=ID`
    /// (like the captured stock install). When false, they are `[{"id":"1","value":..}]`
    /// unless `language=ID` is given.
    pub single_language: bool,
    /// Price of the services QloApps auto-adds per night; included in `hotel_ari` prices only
    /// (the captured demo shows base price + 250).
    pub auto_services_per_night: rust_decimal::Decimal,
    /// `PS_SHOP_DOMAIN`, the default `source` of orders created through the API.
    pub shop_domain: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_key: DEMO_API_KEY.to_owned(),
            api_key_resources: None,
            extra_keys: Vec::new(),
            timezone: "UTC".to_owned(),
            hotels: 1,
            stock_php8: false,
            latency: Duration::ZERO,
            single_language: false,
            auto_services_per_night: rust_decimal::Decimal::from(250),
            shop_domain: "localhost".to_owned(),
        }
    }
}
