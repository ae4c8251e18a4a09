//! End-to-end tests: the api, the outbox relay, RabbitMQ, the workers and qlo-sim together,
//! each test on its own database, queue prefix and simulator.

mod ari_recovery;
mod ari_support;
mod availability;
mod broker_failover;
mod broker_ready;
mod correlation;
mod db_restart;
mod dlq;
mod idempotency;
mod monitoring;
mod observability;
mod otlp;
mod pull;
mod push;
mod push_faults;
mod push_fidelity;
mod push_isolation;
mod push_pulled;
mod push_recreate;
mod queue_type;
mod rates;
mod reconcile;
mod reconcile_bookings;
mod trace;
