//! QloApps calls for a 365-night rate change and a 365-night availability change with realistic
//! patterns, versus the minimum: one write per contiguous run of equal rate / equal shortfall.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{Datelike, NaiveDate, Weekday};
use qlo_sim::{SimConfig, SimServer};
use rust_decimal::Decimal;
use sync_core::crypto::KeyRing;
use sync_core::domain::{ConfigId, RoomTypeId};
use sync_core::nightly::availability::AvailabilityService;
use sync_core::nightly::rates::{RateService, SyncMode};
use sync_core::qlo_clients::{ClientSettings, QloClients};
use uuid::Uuid;

use crate::db::BenchDb;
use crate::report::{progress, Figure, Goal};
use crate::stack::{Demo, Stack};
use crate::Opts;

const NAME: &str = "call-budget";
/// Rooms per room type in the simulator's demo hotel.
const ROOMS: i32 = 5;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A hotel's year: weekday / weekend (Friday and Saturday nights), a summer season, and
/// single-night exceptions.
fn rate(night: NaiveDate) -> Decimal {
    let exceptions = [
        (date(2030, 12, 24), 300),
        (date(2030, 12, 31), 400),
        (date(2030, 2, 14), 250),
        (date(2030, 5, 1), 90),
    ];
    if let Some((_, r)) = exceptions.iter().find(|(n, _)| *n == night) {
        return Decimal::from(*r);
    }
    let weekend = matches!(night.weekday(), Weekday::Fri | Weekday::Sat);
    let season = (date(2030, 7, 1)..=date(2030, 8, 31)).contains(&night);
    Decimal::from(match (season, weekend) {
        (false, false) => 100,
        (false, true) => 140,
        (true, false) => 180,
        (true, true) => 220,
    })
}

/// Rooms the PMS still sells: all on weekdays, 3 on weekends (sold elsewhere), none during a
/// fair fortnight, 4 in the summer season.
fn available(night: NaiveDate) -> i32 {
    if (date(2030, 3, 10)..=date(2030, 3, 23)).contains(&night) {
        return 0;
    }
    if (date(2030, 7, 1)..=date(2030, 8, 31)).contains(&night) {
        return 4;
    }
    match night.weekday() {
        Weekday::Fri | Weekday::Sat => 3,
        _ => ROOMS,
    }
}

/// Contiguous runs of equal `value`, ignoring nights where `value` is `None`.
fn runs<T: PartialEq>(nights: &[NaiveDate], value: impl Fn(NaiveDate) -> Option<T>) -> usize {
    let values: Vec<Option<T>> = nights.iter().map(|n| value(*n)).collect();
    let mut count = 0;
    for (i, v) in values.iter().enumerate() {
        if v.is_some() && (i == 0 || values[i - 1] != *v) {
            count += 1;
        }
    }
    count
}

fn writes(sim: &SimServer, resource: &str) -> u64 {
    ["POST", "PUT", "DELETE"]
        .iter()
        .map(|m| sim.request_count(resource, m))
        .sum()
}

pub async fn run(opts: &Opts) -> anyhow::Result<Vec<Figure>> {
    let nights_count = if opts.smoke { 60 } else { 365 };
    let from = date(2030, 1, 1);
    let nights: Vec<NaiveDate> = from.iter_days().take(nights_count).collect();
    let to = *nights.last().context("nights")?;
    progress(
        NAME,
        format!("{nights_count} nights of rates and availability"),
    );
    let stack = Stack::start(BenchDb::create(4).await?, &[]).await?;
    let sim = SimServer::start(SimConfig::default()).await?;
    let demo = Demo::create(&stack, &sim.api_url(), sim.api_key()).await?;
    let config = ConfigId(Uuid::parse_str(&demo.config_id)?);
    let rt = |i: usize| -> anyhow::Result<RoomTypeId> {
        Ok(RoomTypeId(Uuid::parse_str(&demo.room_types[i])?))
    };
    let pool = &stack.db.pool;
    for night in &nights {
        sync_core::db::rates::set_rates(pool, rt(0)?, *night, *night, rate(*night)).await?;
        sync_core::db::availability::set_availability(
            pool,
            rt(1)?,
            *night,
            *night,
            available(*night),
        )
        .await?;
    }
    let mut settings = ClientSettings {
        timeout: Duration::from_secs(10),
        ..ClientSettings::default()
    };
    settings.rate_limit.capacity = 100_000_000;
    let keys = Arc::new(KeyRing::single(crate::stack::KEY_ID, crate::stack::KEY));
    let clients = Arc::new(QloClients::new(keys, settings, None));

    sim.clear_request_log();
    RateService::new(pool.clone(), clients.clone())
        .sync_rates(config, rt(0)?, (from, to), SyncMode::Trust)
        .await
        .context("the rate sync")?;
    let rate_runs = runs(&nights, |n| Some(rate(n)));
    let rate_writes = writes(&sim, "feature_prices");
    let rate_calls = sim.request_log_handle().total();
    progress(
        NAME,
        format!("rates: {rate_writes} writes, {rate_calls} calls, {rate_runs} runs"),
    );

    sim.clear_request_log();
    AvailabilityService::new(pool.clone(), clients)
        .sync_availability(config, rt(1)?, (from, to), SyncMode::Trust)
        .await
        .context("the availability sync")?;
    let shortfall_runs = runs(&nights, |n| Some(ROOMS - available(n)).filter(|s| *s > 0));
    let hold_writes = writes(&sim, "bookings");
    let hold_calls = sim.request_log_handle().total();
    progress(
        NAME,
        format!("availability: {hold_writes} writes, {hold_calls} calls, {shortfall_runs} runs"),
    );
    sim.shutdown().await;
    stack.stop().await?;
    let label = |what: &str| format!("{what} ({nights_count} nights)");
    Ok(vec![
        Figure::new(NAME, label("rate writes"), rate_writes as f64, "calls").against(
            rate_runs as f64,
            "runs",
            Goal::AtMost(1.0),
        ),
        Figure::new(NAME, label("rate calls, all"), rate_calls as f64, "calls").against(
            rate_runs as f64,
            "runs",
            Goal::None,
        ),
        Figure::new(
            NAME,
            label("availability writes"),
            hold_writes as f64,
            "calls",
        )
        .against(shortfall_runs as f64, "runs", Goal::AtMost(1.0)),
        Figure::new(
            NAME,
            label("availability calls, all"),
            hold_calls as f64,
            "calls",
        )
        .against(shortfall_runs as f64, "runs", Goal::None),
    ])
}
