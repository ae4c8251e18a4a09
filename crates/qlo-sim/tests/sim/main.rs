//! Integration tests of the simulator over real HTTP (127.0.0.1:0).

mod access;
mod admin;
mod bookings;
mod bookings_put;
mod conformance;
mod faults;
mod helpers;
mod pull;
mod smoke;
mod writes;
