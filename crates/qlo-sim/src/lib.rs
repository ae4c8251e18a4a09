//! A stateful QloApps 1.6.1 webservice simulator, for tests, the demo and benchmarks.
//!
//! It answers like a stock QloApps 1.6.1 (PrestaShop core 1.6.1.23) on PHP 8.2, quirks
//! included: numbers as strings where the real server sends strings, `[]` for empty lists,
//! the `date=1` rule, 200 on booking POST and 201 on XML POSTs, the error envelope, the
//! plain-text 401. Faults (latency, error statuses, 429, hangs, dropped connections, "500
//! after write") are injectable per test through [`SimServer::faults`] or over HTTP under
//! `/__sim/` (see `admin`).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sim = qlo_sim::SimServer::start(qlo_sim::SimConfig::default()).await?;
//! let url = format!("{}/orders?output_format=JSON", sim.api_url());
//! # let _ = url;
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod admin;
mod auth;
mod availability;
mod booking;
mod config;
mod dispatch;
mod faults;
mod filters;
mod listing;
mod log;
mod php8;
mod pricing;
mod render;
mod request;
mod resources;
mod routes;
mod server;
pub mod state;
mod values;
mod xml;

pub use config::{KeyConfig, SimConfig, DEMO_API_KEY};
pub use faults::{ActiveFault, Fault, FaultInjector, FaultKind, FaultMatcher, FaultTimes};
pub use log::{LoggedRequest, RequestCounts, RequestLog};
pub use render::PSWS_VERSION;
pub use resources::ALL_RESOURCES;
pub use server::SimServer;
pub use state::{SeedReport, SeedSpec, Shop, SimState};
