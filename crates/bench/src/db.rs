//! A fresh database per run (`qlosync_bench_<random>`), migrated, dropped at the end.

use anyhow::Context as _;
use qlosync_stack::database_url;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection as _, PgConnection, PgPool};

pub struct BenchDb {
    pub pool: PgPool,
    /// The URL of this database (for processes and child processes).
    pub url: String,
    name: String,
}

impl BenchDb {
    /// Creates and migrates `qlosync_bench_<random>`; the pool holds at most `max_connections`.
    pub async fn create(max_connections: u32) -> anyhow::Result<BenchDb> {
        let admin = database_url();
        let name = format!(
            "qlosync_bench_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let mut conn = PgConnection::connect(&admin)
            .await
            .with_context(|| format!("connecting to {admin}"))?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .context("creating the bench database")?;
        let _ = conn.close().await;
        let mut url = url::Url::parse(&admin).context("DATABASE_URL parses")?;
        url.set_path(&name);
        let url = url.to_string();
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(&url)
            .await
            .context("connecting to the bench database")?;
        sync_core::db::MIGRATOR
            .run(&pool)
            .await
            .context("migrating the bench database")?;
        Ok(BenchDb { pool, url, name })
    }

    /// Drops the database (closing every connection to it first).
    pub async fn drop_database(self) -> anyhow::Result<()> {
        self.pool.close().await;
        let mut conn = PgConnection::connect(&database_url()).await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await
        .context("dropping the bench database")?;
        let _ = conn.close().await;
        Ok(())
    }
}
