//! AES-256-GCM encryption of the secrets qlosync stores (QloApps API keys).
//!
//! Stored form: `<key id>:<base64(nonce(12) || ciphertext || tag(16))>`. A fresh random nonce
//! is drawn for every encryption. The key id lets keys rotate: the current key encrypts, the
//! current and previous keys decrypt (`QLOSYNC_PREVIOUS_ENCRYPTION_KEYS`). Callers pass a
//! context (associated data), e.g. [`api_key_context`], so a ciphertext copied to another row
//! does not decrypt there.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use uuid::Uuid;

mod settings;

pub use settings::{check_key_id, decode_key, CryptoSettings, KeySetting};

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why a stored secret could not be decrypted. Messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("stored secret is malformed: {0}")]
    Malformed(&'static str),
    #[error("stored secret is truncated: {len} bytes, an AES-GCM value needs at least {min}")]
    Truncated { len: usize, min: usize },
    #[error("stored secret was encrypted with key id {0:?}, which is not configured (QLOSYNC_ENCRYPTION_KEY / QLOSYNC_PREVIOUS_ENCRYPTION_KEYS)")]
    UnknownKeyId(String),
    #[error("stored secret failed authentication with key id {0:?}: it was altered, or that key is not the one it was encrypted with")]
    Authentication(String),
    #[error("invalid encryption key: {0}")]
    InvalidKey(String),
}

struct NamedKey {
    id: String,
    key: SecretBox<[u8; 32]>,
}

/// The configured keys: the first one encrypts; all of them decrypt by id.
pub struct KeyRing {
    keys: Vec<NamedKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("KeyRing").field("key_ids", &ids).finish()
    }
}

impl KeyRing {
    pub fn from_settings(settings: &CryptoSettings) -> Result<Self, CryptoError> {
        let mut ring = KeyRing { keys: Vec::new() };
        for setting in std::iter::once(&settings.current).chain(&settings.previous) {
            let bytes =
                decode_key(setting.key_base64.expose_secret()).map_err(CryptoError::InvalidKey)?;
            ring.keys.push(NamedKey {
                id: setting.id.clone(),
                key: SecretBox::new(Box::new(bytes)),
            });
        }
        Ok(ring)
    }

    /// A ring with one key, for tests and tools.
    pub fn single(id: &str, key: [u8; 32]) -> Self {
        KeyRing {
            keys: vec![NamedKey {
                id: id.to_owned(),
                key: SecretBox::new(Box::new(key)),
            }],
        }
    }

    /// Adds a decrypt-only key (a previous key).
    pub fn with_previous(mut self, id: &str, key: [u8; 32]) -> Self {
        self.keys.push(NamedKey {
            id: id.to_owned(),
            key: SecretBox::new(Box::new(key)),
        });
        self
    }

    pub fn encrypt(&self, plaintext: &str, context: &[u8]) -> Result<String, CryptoError> {
        let current = self
            .keys
            .first()
            .ok_or(CryptoError::InvalidKey("no key configured".into()))?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = cipher(&current.key)
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context,
                },
            )
            .map_err(|_| CryptoError::InvalidKey("encryption failed".into()))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        Ok(format!(
            "{}:{}",
            current.id,
            base64::engine::general_purpose::STANDARD.encode(blob)
        ))
    }

    pub fn decrypt(&self, stored: &str, context: &[u8]) -> Result<SecretString, CryptoError> {
        let (id, body) = stored
            .split_once(':')
            .ok_or(CryptoError::Malformed("no key id"))?;
        let blob = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| CryptoError::Malformed("payload is not base64"))?;
        let min = NONCE_LEN + TAG_LEN;
        if blob.len() < min {
            return Err(CryptoError::Truncated {
                len: blob.len(),
                min,
            });
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| CryptoError::UnknownKeyId(id.to_owned()))?;
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let plain = cipher(&key.key)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| CryptoError::Authentication(id.to_owned()))?;
        let text = String::from_utf8(plain)
            .map_err(|_| CryptoError::Malformed("plaintext is not UTF-8"))?;
        Ok(SecretString::from(text))
    }
}

fn cipher(key: &SecretBox<[u8; 32]>) -> Aes256Gcm {
    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.expose_secret()))
}

/// Associated data binding a QloApps API key ciphertext to its `qloapps_config` row.
pub fn api_key_context(config_id: Uuid) -> Vec<u8> {
    format!("qloapps_config.api_key:{config_id}").into_bytes()
}

/// A new random 32-byte key, base64 (what `api gen-key` prints).
pub fn generate_key() -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    base64::engine::general_purpose::STANDARD.encode(key)
}

/// A stable, non-secret id for a key when `QLOSYNC_ENCRYPTION_KEY_ID` is not set: "k" + 8 hex
/// digits of the GCM tag of a fixed label under the key (a keyed PRF, so it reveals nothing
/// about the key). Rotating to a new key then changes the id without anyone having to pick one.
pub fn derive_key_id(key: &[u8; 32]) -> String {
    let tag = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key))
        .encrypt(
            Nonce::from_slice(&[0u8; NONCE_LEN]),
            Payload {
                msg: b"",
                aad: b"qlosync key id",
            },
        )
        .expect("AES-GCM encryption of an empty message cannot fail");
    let hex: String = tag.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("k{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: [u8; 32] = [7u8; 32];
    const KEY_B: [u8; 32] = [9u8; 32];
    const PLAIN: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456";

    #[test]
    fn encrypt_then_decrypt_returns_the_plaintext() {
        let ring = KeyRing::single("k1", KEY_A);
        let stored = ring.encrypt(PLAIN, b"ctx").unwrap();
        assert!(stored.starts_with("k1:"));
        assert!(!stored.contains(PLAIN));
        assert_eq!(
            ring.decrypt(&stored, b"ctx").unwrap().expose_secret(),
            PLAIN
        );
    }

    #[test]
    fn every_encryption_uses_a_fresh_nonce() {
        let ring = KeyRing::single("k1", KEY_A);
        assert_ne!(
            ring.encrypt(PLAIN, b"").unwrap(),
            ring.encrypt(PLAIN, b"").unwrap()
        );
    }

    #[test]
    fn tampered_ciphertext_is_rejected() {
        let ring = KeyRing::single("k1", KEY_A);
        let stored = ring.encrypt(PLAIN, b"").unwrap();
        let (id, body) = stored.split_once(':').unwrap();
        let mut blob = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        blob[NONCE_LEN + 3] ^= 0x01;
        let tampered = format!(
            "{id}:{}",
            base64::engine::general_purpose::STANDARD.encode(blob)
        );
        assert_eq!(
            ring.decrypt(&tampered, b"").unwrap_err(),
            CryptoError::Authentication("k1".into())
        );
    }

    #[test]
    fn wrong_key_and_wrong_context_are_rejected() {
        let stored = KeyRing::single("k1", KEY_A)
            .encrypt(PLAIN, b"row-1")
            .unwrap();
        let other = KeyRing::single("k1", KEY_B);
        assert!(matches!(
            other.decrypt(&stored, b"row-1"),
            Err(CryptoError::Authentication(_))
        ));
        let same = KeyRing::single("k1", KEY_A);
        assert!(matches!(
            same.decrypt(&stored, b"row-2"),
            Err(CryptoError::Authentication(_))
        ));
    }

    #[test]
    fn truncated_and_malformed_values_are_rejected_with_a_clear_error() {
        let ring = KeyRing::single("k1", KEY_A);
        let stored = ring.encrypt(PLAIN, b"").unwrap();
        let short = format!(
            "k1:{}",
            base64::engine::general_purpose::STANDARD.encode([1u8; 20])
        );
        assert_eq!(
            ring.decrypt(&short, b"").unwrap_err(),
            CryptoError::Truncated { len: 20, min: 28 }
        );
        let cut = &stored[..stored.len() - 8];
        assert!(ring.decrypt(cut, b"").is_err());
        assert!(matches!(
            ring.decrypt("no-separator", b""),
            Err(CryptoError::Malformed(_))
        ));
        assert!(matches!(
            ring.decrypt("k1:***", b""),
            Err(CryptoError::Malformed(_))
        ));
    }

    #[test]
    fn previous_keys_decrypt_and_the_current_key_encrypts() {
        let old = KeyRing::single("old", KEY_A);
        let stored_old = old.encrypt(PLAIN, b"").unwrap();
        let rotated = KeyRing::single("new", KEY_B).with_previous("old", KEY_A);
        assert_eq!(
            rotated.decrypt(&stored_old, b"").unwrap().expose_secret(),
            PLAIN
        );
        assert!(rotated.encrypt(PLAIN, b"").unwrap().starts_with("new:"));
        let unknown = KeyRing::single("new", KEY_B);
        assert_eq!(
            unknown.decrypt(&stored_old, b"").unwrap_err(),
            CryptoError::UnknownKeyId("old".into())
        );
    }

    #[test]
    fn derived_key_ids_are_stable_and_differ_per_key() {
        assert_eq!(derive_key_id(&KEY_A), derive_key_id(&KEY_A));
        assert_ne!(derive_key_id(&KEY_A), derive_key_id(&KEY_B));
        assert_eq!(derive_key_id(&KEY_A).len(), 9);
    }

    #[test]
    fn generated_keys_are_32_bytes_of_base64() {
        let key = generate_key();
        assert_eq!(decode_key(&key).unwrap().len(), 32);
        assert_ne!(key, generate_key());
    }

    #[test]
    fn debug_output_shows_key_ids_only() {
        let ring = KeyRing::single("k1", KEY_A);
        assert_eq!(format!("{ring:?}"), "KeyRing { key_ids: [\"k1\"] }");
    }
}
