//! Key checks in the order of `WebserviceRequest::authenticate` and `checkResource`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use http::StatusCode;

use crate::config::KeyConfig;
use crate::render::{Payload, Reply, WsError};

/// Run-time switches shared by the server, the library handle and the admin API.
#[derive(Debug, Default)]
pub struct Settings {
    keys: RwLock<Vec<KeyConfig>>,
    stock_php8: AtomicBool,
    latency: Mutex<Duration>,
}

impl Settings {
    pub fn new(keys: Vec<KeyConfig>, stock_php8: bool, latency: Duration) -> Self {
        Self {
            keys: RwLock::new(keys),
            stock_php8: AtomicBool::new(stock_php8),
            latency: Mutex::new(latency),
        }
    }

    pub fn stock_php8(&self) -> bool {
        self.stock_php8.load(Ordering::SeqCst)
    }

    pub fn set_stock_php8(&self, on: bool) {
        self.stock_php8.store(on, Ordering::SeqCst);
    }

    pub fn latency(&self) -> Duration {
        *self.latency.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_latency(&self, latency: Duration) {
        *self.latency.lock().unwrap_or_else(|e| e.into_inner()) = latency;
    }

    /// Adds or replaces a key.
    pub fn put_key(&self, key: KeyConfig) {
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.retain(|k| k.key != key.key);
        keys.push(key);
    }

    fn find(&self, key: &str) -> Option<KeyConfig> {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|k| k.key == key)
            .cloned()
    }
}

/// What an accepted key may use: `None` = every resource.
pub type Allowed = Option<Vec<String>>;

/// Checks the key; the error is the complete answer.
pub fn authenticate(settings: &Settings, key: Option<&str>) -> Result<Allowed, Reply> {
    let Some(key) = key else {
        return Err(Reply {
            status: StatusCode::UNAUTHORIZED,
            payload: Payload::Text("401 Unauthorized".to_owned()),
            headers: vec![(
                "WWW-Authenticate",
                "Basic realm=\"Welcome to QloApps Webservice, please enter the authentication key as the login. No password required.\"".to_owned(),
            )],
        });
    };
    if key.chars().count() != 32 {
        return Err(WsError::new(
            StatusCode::UNAUTHORIZED,
            18,
            "Invalid authentication key format",
        )
        .into());
    }
    match settings.find(key) {
        Some(k) => Ok(k.resources),
        None => Err(WsError::new(
            StatusCode::UNAUTHORIZED,
            20,
            "Authentification key is not active",
        )
        .into()),
    }
}

/// 401 code 26 for a resource the key may not use.
pub fn check_resource(allowed: &Allowed, resource: &str) -> Result<(), WsError> {
    match allowed {
        Some(list) if !list.iter().any(|r| r == resource) => Err(WsError::new(
            StatusCode::UNAUTHORIZED,
            26,
            format!("Resource of type \"{resource}\" is not allowed with this authentication key"),
        )),
        _ => Ok(()),
    }
}
