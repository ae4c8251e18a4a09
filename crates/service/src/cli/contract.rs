//! What every binary's command line promises, checked by running the built binary (each
//! binary crate's `tests/`, with `env!("CARGO_BIN_EXE_...")`): `--help` lists every setting
//! with its variable and default, `--version` names the version and commit, `check-config`
//! exits 0 on a good configuration and 2 on a bad one, and never prints a secret.

use std::path::Path;
use std::process::Command;

use super::settings::Setting;

/// A valid `QLOSYNC_ENCRYPTION_KEY` for the checks (32 bytes 0..31, base64).
pub const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
/// Secrets placed in the environment: none may appear in any output.
pub const SECRETS: &[&str] = &[KEY, "pg-hunter2", "mq-hunter2", "tok-0123456789abcdef"];

/// The environment of a valid configuration of every process (nothing is contacted).
pub fn good_env() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "DATABASE_URL",
            "postgres://qlosync:pg-hunter2@127.0.0.1:5432/qlosync",
        ),
        ("RABBITMQ_URL", "amqp://guest:mq-hunter2@127.0.0.1:5672/%2f"),
        ("QLOSYNC_ENCRYPTION_KEY", KEY),
        ("API_TOKENS", "tok-0123456789abcdef"),
    ]
}

/// Runs `bin` with only `env` (and PATH); returns the exit code, stdout and stderr.
pub fn run(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let output = Command::new(bin)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "a secret was printed:\n{text}");
    }
}

/// Every check above, for one binary and the settings it reads; `check_config` is how the
/// binary is asked (`["check-config"]`).
pub fn check_binary(bin: &Path, name: &str, settings: &[Setting], check_config: &[&str]) {
    let (code, help, _) = run(bin, &["--help"], &good_env());
    assert_eq!(code, 0, "--help exits 0");
    assert_no_secret(&help);
    for setting in settings {
        assert!(
            help.contains(&format!("[env: {}", setting.name)),
            "--help names {}:\n{help}",
            setting.name
        );
        if let Some(default) = setting.default {
            assert!(
                help.contains(&format!("[default: {default}]")),
                "--help shows the default of {}",
                setting.name
            );
        }
    }

    let (code, version, _) = run(bin, &["--version"], &[]);
    assert_eq!(code, 0);
    assert!(
        version.starts_with(&format!("{name} {}", env!("CARGO_PKG_VERSION")))
            && version.contains("(commit "),
        "{version}"
    );

    let (code, out, err) = run(bin, check_config, &good_env());
    assert_eq!(code, 0, "a good configuration is valid:\n{out}\n{err}");
    assert!(out.contains("configuration valid"), "{out}");
    assert!(out.contains("postgres://qlosync:***@127.0.0.1"), "{out}");
    for setting in settings {
        assert!(
            out.contains(setting.name),
            "check-config prints {}",
            setting.name
        );
    }
    assert_no_secret(&format!("{out}{err}"));

    let mut bad = good_env();
    bad.push(("DATABASE_MAX_CONNECTIONS", "many"));
    let (code, out, err) = run(bin, check_config, &bad);
    assert_eq!(code, 2, "an invalid configuration exits 2:\n{out}\n{err}");
    assert!(err.contains("DATABASE_MAX_CONNECTIONS"), "{err}");
    assert_no_secret(&format!("{out}{err}"));

    let (code, _, err) = run(bin, check_config, &[]);
    assert_eq!(code, 2, "a missing DATABASE_URL exits 2");
    assert!(err.contains("DATABASE_URL"), "{err}");
}
