//! Integration tests of the scheduler loop against PostgreSQL and `qlo-sim`.

// test helpers outside #[test] functions: a failed setup should fail the test loudly
#![allow(clippy::unwrap_used)]

mod helpers;
mod scheduling;
