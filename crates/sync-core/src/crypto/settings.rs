//! The encryption keys' settings: the current key (`QLOSYNC_ENCRYPTION_KEY`, its id) and the
//! previous ones kept for decryption during a rotation (`QLOSYNC_PREVIOUS_ENCRYPTION_KEYS`).

use base64::Engine;
use secrecy::SecretString;

use crate::config::{required, ConfigError};

/// One AES-256 key: its id (stored with every ciphertext) and its base64 text.
#[derive(Debug, Clone)]
pub struct KeySetting {
    pub id: String,
    pub key_base64: SecretString,
}

/// Keys for the secrets stored in PostgreSQL (QloApps API keys).
#[derive(Debug, Clone)]
pub struct CryptoSettings {
    /// `QLOSYNC_ENCRYPTION_KEY` (+ `QLOSYNC_ENCRYPTION_KEY_ID`): encrypts and decrypts.
    pub current: KeySetting,
    /// `QLOSYNC_PREVIOUS_ENCRYPTION_KEYS` ("id:base64,..."): decrypt only, for rotation.
    pub previous: Vec<KeySetting>,
}

impl CryptoSettings {
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        const KEY: &str = "QLOSYNC_ENCRYPTION_KEY";
        const ID: &str = "QLOSYNC_ENCRYPTION_KEY_ID";
        const PREVIOUS: &str = "QLOSYNC_PREVIOUS_ENCRYPTION_KEYS";
        let key = required(env, KEY)?;
        let bytes = decode_key(&key).map_err(|p| ConfigError::new(KEY, p))?;
        let id = match env(ID) {
            Some(id) => check_key_id(id.trim()).map_err(|p| ConfigError::new(ID, p))?,
            None => super::derive_key_id(&bytes),
        };
        let current = KeySetting {
            id,
            key_base64: SecretString::from(key.trim().to_owned()),
        };
        let previous = match env(PREVIOUS) {
            None => Vec::new(),
            Some(list) => parse_previous_keys(&list).map_err(|p| ConfigError::new(PREVIOUS, p))?,
        };
        if previous.iter().any(|k| k.id == current.id) {
            return Err(ConfigError::new(
                PREVIOUS,
                format!("key id {} is also the current key id", current.id),
            ));
        }
        Ok(CryptoSettings { current, previous })
    }
}

fn parse_previous_keys(list: &str) -> Result<Vec<KeySetting>, String> {
    let mut keys: Vec<KeySetting> = Vec::new();
    for (i, entry) in list
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .enumerate()
    {
        let (id, key) = entry
            .split_once(':')
            .ok_or(format!("entry {} is not \"id:base64\"", i + 1))?;
        let id = check_key_id(id.trim()).map_err(|p| format!("entry {}: {p}", i + 1))?;
        decode_key(key).map_err(|p| format!("entry {} ({id}): {p}", i + 1))?;
        if keys.iter().any(|k| k.id == id) {
            return Err(format!("key id {id} appears twice"));
        }
        keys.push(KeySetting {
            id,
            key_base64: SecretString::from(key.trim().to_owned()),
        });
    }
    Ok(keys)
}

/// Decodes a base64 AES-256 key; the error never contains the key.
pub fn decode_key(text: &str) -> Result<[u8; 32], String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| "is not valid base64".to_owned())?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| format!("must decode to 32 bytes, got {}", bytes.len()))
}

/// Key ids are stored in front of each ciphertext, separated by ':'.
pub fn check_key_id(id: &str) -> Result<String, String> {
    let ok = !id.is_empty()
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(id.to_owned())
    } else {
        Err("key ids are 1-32 characters of A-Z a-z 0-9 - _".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn crypto_settings_derive_an_id_and_parse_previous_keys() {
        let s = CryptoSettings::from_env(&env_of(&[
            ("QLOSYNC_ENCRYPTION_KEY", KEY_A),
            (
                "QLOSYNC_PREVIOUS_ENCRYPTION_KEYS",
                &format!("old1:{}", super::super::generate_key()),
            ),
        ]))
        .unwrap();
        assert!(s.current.id.starts_with('k'), "{}", s.current.id);
        assert_eq!(s.previous.len(), 1);
        assert_eq!(s.previous[0].id, "old1");
    }

    #[test]
    fn crypto_settings_errors_name_the_variable_and_never_echo_the_key() {
        let short = "c2hvcnQ=";
        let err =
            CryptoSettings::from_env(&env_of(&[("QLOSYNC_ENCRYPTION_KEY", short)])).unwrap_err();
        assert_eq!(err.var, "QLOSYNC_ENCRYPTION_KEY");
        assert!(!err.to_string().contains(short));
        let err = CryptoSettings::from_env(&env_of(&[
            ("QLOSYNC_ENCRYPTION_KEY", KEY_A),
            ("QLOSYNC_PREVIOUS_ENCRYPTION_KEYS", "nocolon"),
        ]))
        .unwrap_err();
        assert_eq!(err.var, "QLOSYNC_PREVIOUS_ENCRYPTION_KEYS");
        let err = CryptoSettings::from_env(&env_of(&[
            ("QLOSYNC_ENCRYPTION_KEY", KEY_A),
            ("QLOSYNC_ENCRYPTION_KEY_ID", "bad id!"),
        ]))
        .unwrap_err();
        assert_eq!(err.var, "QLOSYNC_ENCRYPTION_KEY_ID");
    }
}
