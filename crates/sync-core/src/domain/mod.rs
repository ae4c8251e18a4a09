//! PMS domain types: what qlosync stores about properties, room types, guests, reservations,
//! availability and rates, and the QloApps integration state.
//!
//! Row types derive `sqlx::FromRow` and serialise as camelCase JSON (the api returns them);
//! money is `rust_decimal::Decimal`, serialised as a string.

pub mod guest;
mod ids;
pub mod inventory;
pub mod order_source;
pub mod property;
mod qlo_ids;
pub mod qloapps;
pub mod reservation;
pub mod room_type;

pub use guest::{normalize_phone, Guest};
pub use ids::{ConfigId, GuestId, PropertyId, ReservationId, RoomTypeId};
pub use inventory::{NightAvailability, NightRate};
pub use property::{ChannelManager, Property};
pub use qlo_ids::{QloHotelId, QloOrderId, QloRoomTypeId};
pub use qloapps::{
    NotSyncing, OutOfSyncReservation, PullFailure, QloappsConfig, ReservationMapping,
    ReservationSync, RoomTypeMapping, SyncDirection, SyncLogEntry, SyncOutcome, SyncStanding,
    SyncState, SyncStatus,
};
pub use reservation::{Reservation, ReservationSource, ReservationStatus};
pub use room_type::RoomType;

/// A string-valued enum stored in a TEXT column and serialised as that same string.
///
/// Its OpenAPI schema is written here rather than derived: the derive does not see the
/// `#[serde(rename = ...)]` of a macro-built variant and would document the Rust names
/// (`Qloapps`), so a generated client would send values the api rejects.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {} {other:?}", stringify!($name))),
                }
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                text.trim_end().parse().map_err(Into::into)
            }
        }
    };
}
pub(crate) use text_enum;
