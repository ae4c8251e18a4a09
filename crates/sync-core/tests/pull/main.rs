//! Integration tests of the pull service against PostgreSQL (a fresh database per test) and
//! `qlo-sim`: runs, paging, mapping, guest matching, echoes, conflicts and locks.

// test helpers outside #[test] functions: a failed setup should fail the test loudly
#![allow(clippy::unwrap_used)]

mod conflicts;
mod echo;
mod failures;
mod guests;
mod helpers;
mod locks;
mod mapping;
mod paging;
mod runs;
mod timezones;
