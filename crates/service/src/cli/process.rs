//! The command line of the processes that run until stopped (the two workers and the
//! scheduler): `<name> [run]` runs (the default), `<name> check-config` (or `--check-config`)
//! validates the configuration and prints it with secrets redacted, exit 0 or 2. Every setting
//! is a flag and an environment variable (`--help`, `.env.example`).

use std::future::Future;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use super::settings::{self as table, Setting};

/// One process's command line: its name, what it does, what it reads and how it validates it.
pub struct ProcessSpec {
    pub name: &'static str,
    pub about: &'static str,
    /// Every setting the process reads.
    pub settings: fn() -> Vec<Setting>,
    /// The whole configuration as `check-config` validates it.
    pub validate: fn() -> Result<(), String>,
}

#[derive(Debug, Parser)]
pub struct ProcessCli {
    /// Validate the configuration, print its effective values (secrets redacted) and exit:
    /// 0 when valid, 2 when not. The same as the `check-config` command.
    #[arg(long)]
    pub check_config: bool,
    #[command(subcommand)]
    pub command: Option<ProcessCommand>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum ProcessCommand {
    /// Run until SIGTERM (the default).
    Run,
    /// Validate the configuration, print its effective values (secrets redacted) and exit:
    /// 0 when valid, 2 when not.
    CheckConfig,
}

impl ProcessCli {
    pub fn command(&self) -> ProcessCommand {
        if self.check_config {
            return ProcessCommand::CheckConfig;
        }
        self.command.unwrap_or(ProcessCommand::Run)
    }
}

/// clap's description of the process's command line, its settings as flags.
pub fn describe(spec: &ProcessSpec) -> clap::Command {
    <ProcessCli as CommandFactory>::command()
        .name(spec.name)
        .bin_name(spec.name)
        .about(spec.about)
        .version(qlosync_build_info::long_version())
        .args(table::args(&(spec.settings)()))
}

/// The process's `main`: parses the command line (exporting the settings given as flags), then
/// checks the configuration or runs `run` on a tokio runtime.
pub fn main<F, Fut>(spec: &ProcessSpec, run: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let settings = (spec.settings)();
    let matches = describe(spec).get_matches();
    table::export_command_line(&matches, &settings);
    let cli = ProcessCli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command() {
        ProcessCommand::CheckConfig => Ok(super::check::run(
            spec.name,
            qlosync_build_info::long_version(),
            &settings,
            spec.validate,
        )),
        ProcessCommand::Run => {
            tokio::runtime::Runtime::new()?.block_on(run())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ProcessSpec = ProcessSpec {
        name: "a-worker",
        about: "a process",
        settings: || table::collect(&[table::COMMON]),
        validate: || Ok(()),
    };

    #[test]
    fn run_is_the_default_and_check_config_is_a_command_and_a_flag() {
        let parse = |args: &[&str]| {
            let matches = describe(&SPEC).try_get_matches_from(args).expect("parses");
            ProcessCli::from_arg_matches(&matches)
                .expect("arguments")
                .command()
        };
        assert_eq!(parse(&["a-worker"]), ProcessCommand::Run);
        assert_eq!(parse(&["a-worker", "run"]), ProcessCommand::Run);
        assert_eq!(
            parse(&["a-worker", "check-config"]),
            ProcessCommand::CheckConfig
        );
        assert_eq!(
            parse(&["a-worker", "--check-config"]),
            ProcessCommand::CheckConfig
        );
        describe(&SPEC).debug_assert();
    }
}
