//! `api`: serve the REST API (default), apply migrations, or print a new encryption key.

use anyhow::Context;
use api::cli::{Cli, Command};
use api::config::Settings;
use api::startup::{migrate, shutdown_signal, Application};
use clap::Parser;
use sync_core::config::{process_env, DatabaseSettings, LogSettings};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command() {
        Command::GenKey => {
            let key = sync_core::crypto::generate_key();
            let bytes = sync_core::config::decode_key(&key).map_err(anyhow::Error::msg)?;
            println!("{key}");
            eprintln!(
                "key id {} (derived; QLOSYNC_ENCRYPTION_KEY_ID overrides it)",
                sync_core::crypto::derive_key_id(&bytes)
            );
            Ok(())
        }
        Command::Migrate => {
            sync_core::telemetry::init(&LogSettings::from_env(&process_env)?);
            let database = DatabaseSettings::from_env(&process_env)?;
            let pool = sync_core::db::connect_lazy(&DatabaseSettings {
                max_connections: 1,
                ..database
            })?;
            migrate(&pool).await?;
            pool.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Serve => {
            let settings = Settings::from_env(&process_env).context("configuration")?;
            sync_core::telemetry::init(&settings.log);
            let application = Application::build(&settings).await?;
            let shutdown = CancellationToken::new();
            let on_signal = shutdown.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                on_signal.cancel();
            });
            application.run_until_stopped(shutdown).await
        }
    }
}
