//! QloApps ids as types of their own: an order id cannot be passed where a room type id is
//! expected, and the conversion between QloApps' unsigned ids and PostgreSQL's signed columns
//! happens here once, as an error when a value does not fit, never as a silent 0 or MAX.
//!
//! Each id holds the `u64` the webservice uses (`qlo_client`); it is stored in the column type
//! its table uses: orders in `BIGINT`, hotels and room types in `INTEGER`.

use std::fmt;

use serde::{Deserialize, Serialize};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

macro_rules! qlo_id {
    ($($(#[$meta:meta])* $name:ident in $column:ty),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize,
            Deserialize, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = i64)]
        pub struct $name(pub u64);

        impl $name {
            /// The id as the webservice takes it.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                $name(id)
            }
        }

        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <$column as Type<Postgres>>::type_info()
            }
            fn compatible(ty: &PgTypeInfo) -> bool {
                <$column as Type<Postgres>>::compatible(ty)
            }
        }

        impl Encode<'_, Postgres> for $name {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                let stored = <$column>::try_from(self.0).map_err(|_| {
                    format!("{} {} does not fit the database column", stringify!($name), self.0)
                })?;
                <$column as Encode<Postgres>>::encode_by_ref(&stored, buf)
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let stored = <$column as Decode<Postgres>>::decode(value)?;
                u64::try_from(stored)
                    .map($name)
                    .map_err(|_| format!("stored {} {stored} is negative", stringify!($name)).into())
            }
        }
    )+};
}

qlo_id!(
    /// A QloApps order (`orders.id`, `id_order`), stored as `BIGINT`.
    QloOrderId in i64,
    /// A QloApps room type (`hotel_room_types` / product id), stored as `INTEGER`.
    QloRoomTypeId in i32,
    /// A QloApps hotel (`hotels.id`, `id_property` in bookings), stored as `INTEGER`.
    QloHotelId in i32,
);

impl QloHotelId {
    /// The hotel as the client's configuration takes it (QloApps hotel ids are small).
    pub fn as_u32(self) -> Option<u32> {
        u32::try_from(self.0).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = false)]
    async fn ids_round_trip_and_out_of_range_values_are_errors(pool: sqlx::PgPool) {
        let back: QloOrderId = sqlx::query_scalar("SELECT $1::bigint")
            .bind(QloOrderId(42))
            .fetch_one(&pool)
            .await
            .expect("round trip");
        assert_eq!(back, QloOrderId(42));
        let too_big = sqlx::query_scalar::<_, i32>("SELECT $1::int")
            .bind(QloRoomTypeId(u64::from(u32::MAX)))
            .fetch_one(&pool)
            .await;
        assert!(too_big.is_err(), "no silent MAX");
        let negative = sqlx::query_scalar::<_, QloHotelId>("SELECT (-3)::int")
            .fetch_one(&pool)
            .await;
        let error = negative.expect_err("no silent 0").to_string();
        assert!(error.contains("negative"), "{error}");
        assert_eq!(serde_json::to_string(&QloOrderId(7)).expect("json"), "7");
    }
}
