//! 10,000 and 100,000 bookings in the simulator pulled into PostgreSQL: time, rows per second,
//! peak memory; versus inserting the same rows with batched INSERTs. The simulator and the
//! pull each run in a child process, so the memory figure is the pulling side's alone.

use std::time::Instant;

use anyhow::Context as _;
use uuid::Uuid;

use crate::child::{pull_in_child, PullResult, SimChild};
use crate::db::BenchDb;
use crate::report::{progress, Figure, Goal};
use crate::stack::{Demo, Stack};
use crate::Opts;

const NAME: &str = "pull";
/// Rows per INSERT statement and per transaction: the pull's page size.
const BATCH: usize = 100;

pub async fn run(opts: &Opts) -> anyhow::Result<Vec<Figure>> {
    let (small, large) = if opts.smoke {
        (100, 1_000)
    } else {
        (10_000, 100_000)
    };
    let mut figures = Vec::new();
    let mut results = Vec::new();
    for size in [small, large] {
        let pulled = pull(size).await?;
        let reference = batched_inserts(size).await?;
        let label = format!("{}k", size / 1000);
        let label = if size < 1000 { size.to_string() } else { label };
        let rate = pulled.created as f64 / pulled.seconds;
        progress(
            NAME,
            format!(
                "{size}: pull {:.1}s ({rate:.0} rows/s, {} pages), batched INSERTs {:.0} rows/s",
                pulled.seconds, pulled.pages, reference
            ),
        );
        figures.push(Figure::new(
            NAME,
            format!("{label} time"),
            pulled.seconds,
            "s",
        ));
        figures.push(
            Figure::new(NAME, format!("{label} rows per second"), rate, "rows/s").against(
                reference,
                "rows/s",
                Goal::AtLeast(0.3),
            ),
        );
        figures.push(Figure::new(
            NAME,
            format!("{label} peak RSS growth"),
            growth_mb(&pulled),
            "MB",
        ));
        results.push(pulled);
    }
    if let [a, b] = &results[..] {
        figures.push(
            Figure::new(NAME, "time large / time small", b.seconds, "s").against(
                a.seconds,
                "s",
                Goal::AtMost(10.5),
            ),
        );
        figures.push(
            Figure::new(NAME, "peak RSS growth large / small", growth_mb(b), "MB").against(
                growth_mb(a),
                "MB",
                Goal::AtMost(1.2),
            ),
        );
    }
    Ok(figures)
}

fn growth_mb(r: &PullResult) -> f64 {
    r.hwm_after_kb.saturating_sub(r.rss_before_kb) as f64 / 1024.0
}

async fn pull(size: u32) -> anyhow::Result<PullResult> {
    progress(
        NAME,
        format!("seeding {size} bookings in a simulator child"),
    );
    let sim = SimChild::spawn(size).await?;
    let stack = Stack::start(BenchDb::create(4).await?, &[]).await?;
    let demo = Demo::create(&stack, &sim.api_url, &sim.key).await?;
    progress(NAME, format!("pulling {size} bookings in a child process"));
    let result = pull_in_child(&stack.db.url, &demo.config_id).await;
    stack.stop().await?;
    drop(sim);
    let result = result?;
    anyhow::ensure!(
        result.created == u64::from(size) && result.failed == 0,
        "the pull created {} of {size} reservations ({} failed)",
        result.created,
        result.failed
    );
    Ok(result)
}

/// The rows a pull writes per booking (reservation, mapping, sync log item), inserted with
/// batched INSERTs of one page each into a fresh database: rows (bookings) per second.
async fn batched_inserts(size: u32) -> anyhow::Result<f64> {
    let stack = Stack::start(BenchDb::create(4).await?, &[]).await?;
    let demo = Demo::create(&stack, "http://127.0.0.1:9/api", qlo_sim::DEMO_API_KEY).await?;
    let pool = stack.db.pool.clone();
    let property = Uuid::parse_str(&demo.property_id)?;
    let config = Uuid::parse_str(&demo.config_id)?;
    let guest = Uuid::parse_str(&demo.guest_id)?;
    let room_types: Vec<Uuid> = demo
        .room_types
        .iter()
        .map(|r| Uuid::parse_str(r))
        .collect::<Result<_, _>>()?;
    let first = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).context("a date")?;
    let started = Instant::now();
    let size = size as usize;
    for start in (0..size).step_by(BATCH) {
        let ks: Vec<usize> = (start..(start + BATCH).min(size)).collect();
        let ids: Vec<Uuid> = ks.iter().map(|_| Uuid::new_v4()).collect();
        let types: Vec<Uuid> = ks.iter().map(|k| room_types[k % 4]).collect();
        let check_in: Vec<chrono::NaiveDate> = ks
            .iter()
            .map(|k| first + chrono::Days::new((k / 20) as u64))
            .collect();
        let check_out: Vec<chrono::NaiveDate> =
            check_in.iter().map(|d| *d + chrono::Days::new(1)).collect();
        let order_ids: Vec<i64> = ks.iter().map(|k| *k as i64 + 1).collect();
        let hashes: Vec<String> = ks.iter().map(|k| format!("{k:064x}")).collect();
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO reservations (id, property_id, room_type_id, guest_id, check_in, check_out,
                 adults, total_price, currency, source)
             SELECT id, $2, rt, $3, ci, co, 2, 120.00, 'USD', 'qloapps'
             FROM unnest($1::uuid[], $4::uuid[], $5::date[], $6::date[]) AS t(id, rt, ci, co)",
        )
        .bind(&ids)
        .bind(property)
        .bind(guest)
        .bind(&types)
        .bind(&check_in)
        .bind(&check_out)
        .execute(&mut *tx)
        .await
        .context("inserting reservations")?;
        sqlx::query(
            "INSERT INTO qloapps_reservation_mappings (id, config_id, property_id, local_reservation_id,
                 qloapps_booking_id, last_pulled_hash, last_synced_at)
             SELECT gen_random_uuid(), $2, $3, id, oid, h, now()
             FROM unnest($1::uuid[], $4::bigint[], $5::text[]) AS t(id, oid, h)",
        )
        .bind(&ids)
        .bind(config)
        .bind(property)
        .bind(&order_ids)
        .bind(&hashes)
        .execute(&mut *tx)
        .await
        .context("inserting mappings")?;
        sqlx::query(
            "INSERT INTO qloapps_sync_log (config_id, direction, operation, entity_type, local_entity_id,
                 qloapps_entity_id, success, outcome, message)
             SELECT $2, 'inbound', 'pull', 'reservation', id, oid, true, 'created', 'created from QloApps'
             FROM unnest($1::uuid[], $3::bigint[]) AS t(id, oid)",
        )
        .bind(&ids)
        .bind(config)
        .bind(&order_ids)
        .execute(&mut *tx)
        .await
        .context("inserting sync log items")?;
        tx.commit().await?;
    }
    let rate = size as f64 / started.elapsed().as_secs_f64();
    stack.stop().await?;
    Ok(rate)
}
