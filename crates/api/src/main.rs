//! `api`: serve the REST API (default), apply migrations, print a new encryption key, or work
//! the dead-letter queue (`api dlq`).

use std::process::ExitCode;

use anyhow::Context;
use api::cli::{self, Cli, Command};
use api::config::Settings;
use api::startup::{migrate_database, shutdown_signal, Application};
use sync_core::config::{process_env, DatabaseSettings, LogSettings};
use tokio_util::sync::CancellationToken;

fn main() -> anyhow::Result<ExitCode> {
    // parsed before any thread starts: settings given as flags are exported to the environment
    let cli = Cli::parse_with_settings();
    if cli.command() == Command::CheckConfig {
        return Ok(qlosync_service::cli::check::run(
            "api",
            qlosync_build_info::long_version(),
            &cli::settings(),
            cli::validate,
        ));
    }
    tokio::runtime::Runtime::new()?.block_on(run(cli.command()))?;
    Ok(ExitCode::SUCCESS)
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::CheckConfig => Ok(()),
        Command::GenKey => {
            let key = sync_core::crypto::generate_key();
            let bytes = sync_core::crypto::decode_key(&key).map_err(anyhow::Error::msg)?;
            println!("{key}");
            eprintln!(
                "key id {} (derived; QLOSYNC_ENCRYPTION_KEY_ID overrides it)",
                sync_core::crypto::derive_key_id(&bytes)
            );
            Ok(())
        }
        Command::Openapi => {
            println!("{}", api::openapi::document_json()?);
            Ok(())
        }
        Command::Migrate => {
            qlosync_service::telemetry::init(&LogSettings::from_env(&process_env)?);
            let database = DatabaseSettings::from_env(&process_env)?;
            migrate_database(&database).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::DemoSetup {
            qloapps_url,
            hotel_id,
            fresh_qloapps,
        } => {
            qlosync_service::telemetry::init_to_stderr(&LogSettings::from_env(&process_env)?);
            let api_key = process_env("QLO_API_KEY")
                .context("QLO_API_KEY (or QLO_API_KEY_FILE): the demo QloApps key is required")?;
            let database = DatabaseSettings::from_env(&process_env)?;
            let crypto = sync_core::crypto::CryptoSettings::from_env(&process_env)?;
            let keys = sync_core::crypto::KeyRing::from_settings(&crypto)?;
            let pool = migrate_database(&database).await?;
            let target = api::demo::DemoTarget {
                qloapps_url,
                api_key,
                hotel_id,
                fresh_qloapps,
            };
            let ids = api::demo::ensure_demo(&pool, &keys, &target).await?;
            println!("{}", serde_json::to_string_pretty(&ids)?);
            Ok(())
        }
        Command::Dlq { command } => {
            api::dlq_cli::run(&command, &process_env, &mut std::io::stdout()).await
        }
        Command::Serve => {
            let settings = Settings::from_env(&process_env).context("configuration")?;
            qlosync_service::telemetry::init(&settings.log);
            let application = Application::build(&settings).await?;
            let shutdown = CancellationToken::new();
            let on_signal = shutdown.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                on_signal.cancel();
            });
            let stopped = application.run_until_stopped(shutdown).await;
            // the spans of the last requests reach the collector (when OTLP export is on)
            qlosync_service::telemetry::shutdown().await;
            stopped
        }
    }
}
