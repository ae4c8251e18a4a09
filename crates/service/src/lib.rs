//! What every qlosync process runs around its work, shared by the four binaries: the command
//! line and its settings table (`cli`), logging and the Prometheus recorder (`telemetry`), the
//! HTTP listener rules (`http_server`), the ops server with `/health`, `/ready` and `/metrics`
//! (`ops_server`, `readiness`, `process_metrics`), systemd notifications (`systemd`) and the
//! shutdown signal (`shutdown`).

pub mod cli;
pub mod http_server;
pub mod ops_server;
pub mod otlp;
pub mod process_metrics;
pub mod readiness;
pub mod shutdown;
pub mod systemd;
pub mod telemetry;
