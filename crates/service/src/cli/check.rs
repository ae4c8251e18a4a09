//! `check-config`: validate a process's whole configuration, print the effective value of every
//! setting it reads (secrets redacted) and exit 0 when valid, 2 when not.

use std::io::Write;
use std::process::ExitCode;

use super::settings::{shown, Setting};
use sync_core::config::process_env;

/// Exit code of an invalid configuration.
pub const INVALID: u8 = 2;

/// Where a setting's effective value comes from.
fn source_of(name: &str) -> Option<&'static str> {
    let set = |var: &str| std::env::var(var).is_ok_and(|v| !v.trim().is_empty());
    if set(name) {
        Some("environment")
    } else if set(&format!("{name}_FILE")) {
        Some("file")
    } else {
        None
    }
}

/// The report: one line per setting, `NAME = value (source)`.
pub fn report(
    out: &mut impl Write,
    process: &str,
    version: &str,
    settings: &[Setting],
    lookup: &impl Fn(&str) -> Option<String>,
) -> std::io::Result<()> {
    writeln!(out, "{process} {version}: effective configuration")?;
    let width = settings.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for setting in settings {
        let line = match (lookup(setting.name), setting.default) {
            (Some(value), _) => format!(
                "{} ({})",
                shown(setting, &value),
                source_of(setting.name).unwrap_or("environment")
            ),
            (None, Some(default)) => format!("{} (default)", shown(setting, default)),
            (None, None) => "(unset)".to_owned(),
        };
        writeln!(out, "  {:width$} = {line}", setting.name)?;
    }
    Ok(())
}

/// Prints the report to stdout, then whether `validate` accepted the configuration; the
/// problem (which names a variable, never a secret's value) goes to stderr.
pub fn run(
    process: &str,
    version: &str,
    settings: &[Setting],
    validate: impl FnOnce() -> Result<(), String>,
) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    if report(&mut stdout, process, version, settings, &process_env).is_err() {
        return ExitCode::from(INVALID);
    }
    match validate() {
        Ok(()) => {
            let _ = writeln!(stdout, "configuration valid");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            drop(stdout);
            eprintln!("configuration invalid: {problem}");
            ExitCode::from(INVALID)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::settings::COMMON;
    use super::*;

    #[test]
    fn the_report_redacts_secrets_and_names_defaults() {
        let lookup = |name: &str| match name {
            "DATABASE_URL" => Some("postgres://app:hunter2@db/q".to_owned()),
            "QLOSYNC_ENCRYPTION_KEY" => Some("c2VjcmV0LWtleQ==".to_owned()),
            _ => None,
        };
        let mut out = Vec::new();
        report(&mut out, "test", "0.0.0", COMMON, &lookup).expect("written");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            !text.contains("hunter2") && !text.contains("c2VjcmV0LWtleQ=="),
            "{text}"
        );
        assert!(text.contains("postgres://app:***@db/q"), "{text}");
        let line = |name: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(&format!("{name} ")))
                .unwrap_or_default()
                .to_owned()
        };
        assert!(
            line("DATABASE_MAX_CONNECTIONS").ends_with("= 10 (default)"),
            "{text}"
        );
        assert!(text.contains("QLOSYNC_ENCRYPTION_KEY_ID") && text.contains("(unset)"));
    }
}
