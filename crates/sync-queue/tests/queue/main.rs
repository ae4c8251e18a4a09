//! Integration tests of the messaging layer against the machine's RabbitMQ and PostgreSQL.
//! Each test declares its own prefixed topology and deletes it afterwards.

// test helpers outside #[test] functions: a failed setup should fail the test loudly
#![allow(clippy::unwrap_used)]

mod connect;
mod consumer;
mod consumer_failures;
mod dlq;
mod handler;
mod helpers;
mod relay;
mod topology;
