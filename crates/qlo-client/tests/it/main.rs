//! Integration tests: the client against `qlo-sim` over real HTTP on 127.0.0.1:0.

// Helpers outside `#[test]` functions are test code too.
#![allow(clippy::unwrap_used)]

mod helpers;

mod idempotency;
mod operations;
mod resilience;
mod secrets;
