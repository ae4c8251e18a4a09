//! The QloApps circuit breaker of each config kept in PostgreSQL (`circuit_breaker_state`), so
//! every process fails fast together and operators see the state (docs/architecture.md, "Resilience").

use std::{sync::Mutex, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qlo_client::{
    BreakerConfig, BreakerPermit, BreakerState, BreakerTransition, CallOutcome, CircuitBreaker,
    Error, TransitionCallback,
};
use sqlx::{PgConnection, PgExecutor, PgPool};
use tokio::sync::broadcast;
use uuid::Uuid;

use qlo_client::breaker_machine::{Machine, Mode};

/// [`qlo_client::CircuitBreaker`] backed by one `circuit_breaker_state` row per config.
///
/// A CLOSED breaker costs one plain read per call and a conditional write only after a
/// failure streak ends. State changes lock the row (`SELECT ... FOR UPDATE`), so two processes
/// never both take the single HALF_OPEN probe. Times come from the database clock. Transitions
/// this instance makes go to the log, the `qlosync_circuit_state{config_id}` gauge,
/// `qlosync_circuit_transitions_total{to}`, an optional callback and [`CircuitBreaker::subscribe`].
///
/// If the database cannot be reached, calls are refused (`CircuitOpen`, retry in 1 s): a
/// worker without its database cannot do useful work anyway, and a breaker that cannot see
/// its state must not let every process hammer a QloApps that may be down.
pub struct PgCircuitBreaker {
    pool: PgPool,
    config_id: Uuid,
    config: BreakerConfig,
    events: broadcast::Sender<BreakerTransition>,
    callback: Option<TransitionCallback>,
    last_known: Mutex<BreakerState>,
}

#[derive(sqlx::FromRow)]
struct Row {
    state: String,
    consecutive_failures: i32,
    opened_at: Option<DateTime<Utc>>,
    open_until: Option<DateTime<Utc>>,
    half_open_probes: i32,
    probe_started_at: Option<DateTime<Utc>>,
    generation: i64,
}

impl From<Row> for Machine {
    fn from(r: Row) -> Machine {
        Machine {
            mode: Mode::from_name(&r.state),
            failures: u32::try_from(r.consecutive_failures).unwrap_or(0),
            opened_at: r.opened_at,
            open_until: r.open_until,
            probes: u32::try_from(r.half_open_probes).unwrap_or(0),
            probe_started_at: r.probe_started_at,
            generation: u64::try_from(r.generation).unwrap_or(0),
        }
    }
}

const COLUMNS: &str = "state, consecutive_failures, opened_at, open_until, half_open_probes, \
                       probe_started_at, generation";

const DB_RETRY: Duration = Duration::from_secs(1);

impl PgCircuitBreaker {
    pub fn new(pool: PgPool, config_id: Uuid, config: BreakerConfig) -> Self {
        let (events, _) = broadcast::channel(64);
        PgCircuitBreaker {
            pool,
            config_id,
            config,
            events,
            callback: None,
            last_known: Mutex::new(BreakerState::Closed),
        }
    }

    /// Adds a callback run on every transition this instance makes.
    pub fn with_callback(mut self, callback: TransitionCallback) -> Self {
        self.callback = Some(callback);
        self
    }

    /// The stored state and the database's clock, without locking.
    async fn read(&self) -> sqlx::Result<(Machine, DateTime<Utc>)> {
        let sql = format!(
            "SELECT {COLUMNS}, clock_timestamp() AS now
             FROM circuit_breaker_state WHERE config_id = $1"
        );
        let row: Option<(DateTime<Utc>, Row)> = sqlx::query_as::<_, RowAt>(&sql)
            .bind(self.config_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| (r.now, r.row));
        match row {
            Some((now, row)) => Ok((row.into(), now)),
            None => Ok((Machine::default(), db_now(&self.pool).await?)),
        }
    }

    /// Runs `change` on the locked row (created if missing) and saves it if it changed.
    async fn change<T>(
        &self,
        change: impl FnOnce(&mut Machine, DateTime<Utc>, &mut Vec<BreakerTransition>) -> T,
    ) -> sqlx::Result<T> {
        let mut tx = self.pool.begin().await?;
        let before = lock_row(&mut tx, self.config_id).await?;
        let now = db_now(&mut *tx).await?;
        let mut machine = before.clone();
        let mut transitions = Vec::new();
        let result = change(&mut machine, now, &mut transitions);
        if machine != before {
            save(&mut tx, self.config_id, &machine, now).await?;
        }
        tx.commit().await?;
        self.remember(machine.public(now));
        for transition in transitions {
            self.report(transition);
        }
        Ok(result)
    }

    fn remember(&self, state: BreakerState) {
        if let Ok(mut last) = self.last_known.lock() {
            *last = state;
        }
    }

    fn report(&self, transition: BreakerTransition) {
        let config_id = self.config_id.to_string();
        tracing::warn!(%config_id, from = %transition.from, to = %transition.to,
            "QloApps circuit breaker transition (shared)");
        metrics::gauge!("qlosync_circuit_state", "config_id" => config_id)
            .set(transition.to.gauge());
        metrics::counter!("qlosync_circuit_transitions_total", "to" => transition.to.name())
            .increment(1);
        if let Some(callback) = &self.callback {
            callback(&transition);
        }
        let _ = self.events.send(transition);
    }
}

#[derive(sqlx::FromRow)]
struct RowAt {
    now: DateTime<Utc>,
    #[sqlx(flatten)]
    row: Row,
}

async fn db_now(executor: impl PgExecutor<'_>) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(executor)
        .await
}

async fn lock_row(conn: &mut PgConnection, config_id: Uuid) -> sqlx::Result<Machine> {
    let select =
        format!("SELECT {COLUMNS} FROM circuit_breaker_state WHERE config_id = $1 FOR UPDATE");
    sqlx::query("INSERT INTO circuit_breaker_state (config_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(config_id)
        .execute(&mut *conn)
        .await?;
    let row: Row = sqlx::query_as(&select)
        .bind(config_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.into())
}

async fn save(
    conn: &mut PgConnection,
    config_id: Uuid,
    m: &Machine,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE circuit_breaker_state SET state = $2, consecutive_failures = $3, opened_at = $4,
             open_until = $5, half_open_probes = $6, probe_started_at = $7, generation = $8,
             updated_at = $9
         WHERE config_id = $1",
    )
    .bind(config_id)
    .bind(m.mode.name())
    .bind(i32::try_from(m.failures).unwrap_or(i32::MAX))
    .bind(m.opened_at)
    .bind(m.open_until)
    .bind(i32::try_from(m.probes).unwrap_or(i32::MAX))
    .bind(m.probe_started_at)
    .bind(i64::try_from(m.generation).unwrap_or(i64::MAX))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[async_trait]
impl CircuitBreaker for PgCircuitBreaker {
    async fn try_acquire(&self) -> Result<BreakerPermit, Error> {
        let unavailable = |e: sqlx::Error| {
            let config_id = self.config_id;
            tracing::warn!(%config_id, error = %e, "circuit breaker state unavailable");
            Error::CircuitOpen { retry_in: DB_RETRY }
        };
        let (machine, now) = self.read().await.map_err(unavailable)?;
        self.remember(machine.public(now));
        match machine.public(now) {
            BreakerState::Closed => {
                return Ok(BreakerPermit {
                    probe: false,
                    generation: machine.generation,
                });
            }
            BreakerState::Open { until } => {
                let retry_in = (until - now).to_std().unwrap_or_default();
                return Err(Error::CircuitOpen { retry_in });
            }
            BreakerState::HalfOpen => {}
        }
        let config = self.config;
        self.change(|m, now, out| m.acquire(&config, now, out))
            .await
            .map_err(unavailable)?
    }

    async fn record(&self, permit: BreakerPermit, outcome: CallOutcome) {
        let config = self.config;
        let result = match (outcome, permit.probe) {
            // the common case: one conditional statement, no lock unless a streak ends
            (CallOutcome::Success, false) => sqlx::query(
                "UPDATE circuit_breaker_state SET consecutive_failures = 0, updated_at = now()
                 WHERE config_id = $1 AND generation = $2 AND state = 'CLOSED'
                   AND consecutive_failures > 0",
            )
            .bind(self.config_id)
            .bind(i64::try_from(permit.generation).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await
            .map(|_| ()),
            _ => {
                self.change(|m, now, out| {
                    m.record(&config, &permit, outcome, now, out);
                })
                .await
            }
        };
        if let Err(e) = result {
            let config_id = self.config_id;
            tracing::warn!(%config_id, error = %e, "could not record a QloApps call outcome");
        }
    }

    async fn state(&self) -> BreakerState {
        match self.read().await {
            Ok((machine, now)) => {
                let state = machine.public(now);
                self.remember(state);
                state
            }
            Err(e) => {
                let config_id = self.config_id;
                tracing::warn!(%config_id, error = %e, "circuit breaker state unavailable");
                self.last_known
                    .lock()
                    .map(|s| *s)
                    .unwrap_or(BreakerState::Closed)
            }
        }
    }

    fn subscribe(&self) -> Option<broadcast::Receiver<BreakerTransition>> {
        Some(self.events.subscribe())
    }
}

/// A config's stored breaker as the settings page shows it: the state as stored ("CLOSED",
/// "OPEN", "HALF_OPEN"), until when it is open, the failure streak; `None` before any call.
pub async fn standing(
    db: impl sqlx::PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> sqlx::Result<Option<(String, Option<DateTime<Utc>>, i32)>> {
    sqlx::query_as(
        "SELECT state, open_until, consecutive_failures FROM circuit_breaker_state WHERE config_id = $1",
    )
    .bind(config_id)
    .fetch_optional(db)
    .await
}

/// Forgets every row of `config_id` here: the QloApps side is a new shop (`api demo-setup
/// --fresh-qloapps`, through `shop_state::forget`).
pub async fn delete_of_config(
    db: impl sqlx::PgExecutor<'_>,
    config_id: crate::domain::ConfigId,
) -> Result<(), sqlx::Error> {
    crate::db::delete_config_rows(db, "circuit_breaker_state", config_id).await
}
