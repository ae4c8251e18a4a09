//! What one pull run is made of: its plan, the job (config, property, run row, settings) and
//! its progress; `run` executes it, `failures` retries within it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use qlo_client::Order;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::page::Details;
use super::record::Counts;
use super::watermark::{Mark, PreviousPull};
use super::PullSettings;
use crate::domain::order_source::OrderSource;
use crate::domain::{Property, QloappsConfig};

#[derive(Debug, Clone, Copy)]
pub enum Plan {
    /// Every order.
    Full,
    /// Due retries, then the orders changed since the stored watermark.
    Incremental,
    Booking(u64),
}

#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub counts: Counts,
    /// Where the run started (the stored watermark in the shop's current zone).
    pub start: Option<Mark>,
    /// The watermark of the committed pages.
    pub mark: Option<Mark>,
    pub pages: u32,
    pub peak_orders: usize,
    pub restarts: u32,
    /// Orders retried from the failure set.
    pub retried: u32,
    /// The `date_upd` of each order retried: the pages skip it in that same state.
    pub(super) retried_at: HashMap<u64, Option<NaiveDateTime>>,
    /// Orders with a `qloapps_pull_failures` row: a success deletes it.
    pub(super) failed_before: HashSet<u64>,
}

impl Progress {
    /// The watermark to store: what this run reached, never below where it started.
    pub fn watermark(&self) -> Option<Mark> {
        self.mark.or(self.start)
    }
}

pub struct Job<'a> {
    pub pool: &'a PgPool,
    pub config: &'a QloappsConfig,
    pub property: &'a Property,
    pub run_id: Uuid,
    pub settings: PullSettings,
    pub previous: &'a PreviousPull,
    pub started: DateTime<Utc>,
    pub cancel: &'a CancellationToken,
}

/// Room lines for every order but holds; customers only for bookings made in QloApps.
pub(super) fn details(order: &Order) -> Details {
    match OrderSource::parse(&order.source) {
        OrderSource::QloApps => Details::LinesAndCustomer,
        OrderSource::Pushed { .. } => Details::Lines,
        OrderSource::Hold => Details::None,
    }
}
