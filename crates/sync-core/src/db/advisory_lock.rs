//! Every PostgreSQL advisory lock qlosync takes, named by one type so that no two kinds of lock
//! can share a key, and hashed one way.
//!
//! Transaction-scoped locks ([`lock_xact`]) live in the one-bigint key space: an FNV-1a hash of
//! the kind's tag and its ids. The pull's session lock ([`try_lock_session`]) lives in the
//! two-int space, `(PULL_NAMESPACE, the config id folded to 32 bits)`, which never overlaps the
//! other. The server releases both when the transaction ends or the connection closes, so a
//! process that dies leaves no lock behind.

use sqlx::PgConnection;

use crate::domain::{ConfigId, ReservationId, RoomTypeId};

/// First key of every pull lock ("qlp1"), so qlosync's pull locks cannot collide with another
/// application's two-int advisory locks on the same database.
pub const PULL_NAMESPACE: i32 = 0x716c_7031;

/// What an advisory lock serialises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKey {
    /// One reservation's pushes, whichever process handles them.
    Reservation(ReservationId),
    /// One QloApps order's pushes (a pulled order's line groups are several reservations).
    Order(ConfigId, u64),
    /// One room type's rate runs in one config.
    Rates(ConfigId, RoomTypeId),
    /// One room type's availability runs in one config.
    Availability(ConfigId, RoomTypeId),
    /// One config's pulls (a session lock, held for the whole run).
    Pull(ConfigId),
    /// `api demo-setup`, so two concurrent runs cannot both create the demo property.
    DemoSetup,
}

impl LockKey {
    /// The key in the one-bigint space (every kind but [`LockKey::Pull`]).
    pub fn bigint(self) -> i64 {
        let mut h = Fnv::new(self.tag());
        match self {
            LockKey::Reservation(id) => h.bytes(id.0.as_bytes()),
            LockKey::Order(config, order) => {
                h.bytes(config.0.as_bytes());
                h.bytes(&order.to_be_bytes());
            }
            LockKey::Rates(config, room_type) | LockKey::Availability(config, room_type) => {
                h.bytes(config.0.as_bytes());
                h.bytes(room_type.0.as_bytes());
            }
            LockKey::Pull(config) => h.bytes(config.0.as_bytes()),
            LockKey::DemoSetup => {}
        }
        i64::from_ne_bytes(h.0.to_ne_bytes())
    }

    /// The key in the two-int space: only pulls use it.
    pub fn pair(self) -> (i32, i32) {
        let id = match self {
            LockKey::Pull(config) => config.0,
            _ => uuid::Uuid::nil(),
        };
        let folded = id.as_bytes().chunks_exact(4).fold([0u8; 4], |acc, chunk| {
            [
                acc[0] ^ chunk[0],
                acc[1] ^ chunk[1],
                acc[2] ^ chunk[2],
                acc[3] ^ chunk[3],
            ]
        });
        (PULL_NAMESPACE, i32::from_be_bytes(folded))
    }

    fn tag(self) -> &'static [u8] {
        match self {
            LockKey::Reservation(_) => b"reservation",
            LockKey::Order(..) => b"order",
            LockKey::Rates(..) => b"rates",
            LockKey::Availability(..) => b"availability",
            LockKey::Pull(_) => b"pull",
            LockKey::DemoSetup => b"demo-setup",
        }
    }
}

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Fnv {
    fn new(tag: &[u8]) -> Self {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        h.bytes(tag);
        h
    }
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Waits for `key` until the caller's transaction ends.
pub async fn lock_xact(conn: &mut PgConnection, key: LockKey) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key.bigint())
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the session lock `key` (two-int space) if it is free.
pub async fn try_lock_session(conn: &mut PgConnection, key: LockKey) -> Result<bool, sqlx::Error> {
    let (a, b) = key.pair();
    sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
        .bind(a)
        .bind(b)
        .fetch_one(conn)
        .await
}

/// Releases the session lock `key`.
pub async fn unlock_session(conn: &mut PgConnection, key: LockKey) -> Result<(), sqlx::Error> {
    let (a, b) = key.pair();
    sqlx::query("SELECT pg_advisory_unlock($1, $2)")
        .bind(a)
        .bind(b)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn keys_differ_by_kind_and_ids_and_are_stable() {
        let (c, r) = (ConfigId(Uuid::from_u128(1)), RoomTypeId(Uuid::from_u128(2)));
        let reservation = ReservationId(c.0);
        let keys = [
            LockKey::Reservation(reservation).bigint(),
            LockKey::Order(c, 7).bigint(),
            LockKey::Order(c, 8).bigint(),
            LockKey::Rates(c, r).bigint(),
            LockKey::Availability(c, r).bigint(),
            LockKey::Rates(c, RoomTypeId(Uuid::from_u128(3))).bigint(),
            LockKey::DemoSetup.bigint(),
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b, "{keys:?}");
            }
        }
        assert_eq!(LockKey::Rates(c, r).bigint(), LockKey::Rates(c, r).bigint());
    }

    #[test]
    fn pull_keys_are_in_the_namespace_and_spread() {
        let a = ConfigId(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef));
        let b = ConfigId(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdee));
        assert_eq!(LockKey::Pull(a).pair(), LockKey::Pull(a).pair());
        assert_eq!(LockKey::Pull(a).pair().0, PULL_NAMESPACE);
        assert_ne!(LockKey::Pull(a).pair(), LockKey::Pull(b).pair());
    }
}
