//! Integration tests of the api: handlers through `app(state).oneshot(..)` on a fresh
//! PostgreSQL database per test; test-connection against `qlo-sim`; the binary's commands.

mod auth;
mod booking_events;
mod channel_managers;
mod cli;
mod connection_test;
mod console;
mod dlq;
mod guests;
mod health;
mod helpers;
mod idempotency;
mod inventory;
mod listener;
mod migrate;
mod openapi;
mod openapi_limits;
mod outbox_atomicity;
mod properties;
mod pull_failures;
mod qloapps_configs;
mod queue_depths;
mod reconcile;
mod reconcile_jobs;
mod requests;
mod reservation_listing;
mod reservations;
mod room_type_mappings;
mod room_types;
mod secrets;
mod sync;
mod text_input;
