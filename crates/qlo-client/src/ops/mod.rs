//! Operations, grouped by QloApps resource. Each is an `impl QloClient` block.

pub(crate) mod ari;
mod bookings;
mod connection;
mod customers;
mod feature_prices;
mod orders;
mod room_types;

#[cfg(test)]
pub(crate) use ari::ari_body;
