//! End-to-end tests: the api, the outbox relay, RabbitMQ, the workers and qlo-sim together,
//! each test on its own database, queue prefix and simulator.

mod push;
mod push_faults;
mod push_isolation;
mod observability;
