//! Integration tests of the inbound worker: its handler against PostgreSQL and `qlo-sim`, and
//! the whole worker consuming a real RabbitMQ queue.

// test helpers outside #[test] functions: a failed setup should fail the test loudly
#![allow(clippy::unwrap_used)]

mod consumer;
mod handler;
mod helpers;
