//! Every environment setting of the four processes as one table, so each binary's `--help`
//! lists the settings it reads with their variable and default (the names and defaults of
//! `.env.example`), and `check-config` can print the effective values with secrets redacted.
//!
//! The settings are still parsed by each section's `from_env` (`sync_core::config` and the
//! binaries' `config.rs`): clap only documents them and accepts them as flags. A flag given on
//! the command line is exported into the process environment by [`export_command_line`] before
//! the runtime starts, so every reader (including the ones that read the environment at run
//! time) sees one value.

use clap::parser::ValueSource;
use clap::{Arg, ArgMatches};

/// How a setting's value is shown by `check-config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrecy {
    /// Printed as is.
    Public,
    /// Never printed: only whether it is set.
    Secret,
    /// A URL (or comma-separated URLs) whose password is replaced by `***`.
    UrlWithPassword,
}

/// One environment variable.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The variable, as in `.env.example`.
    pub name: &'static str,
    /// The default as text; `None` when the setting is required or derived (see `help`).
    pub default: Option<&'static str>,
    pub help: &'static str,
    pub secrecy: Secrecy,
}

const fn public(name: &'static str, default: &'static str, help: &'static str) -> Setting {
    Setting {
        name,
        default: Some(default),
        help,
        secrecy: Secrecy::Public,
    }
}

const fn unset(name: &'static str, help: &'static str, secrecy: Secrecy) -> Setting {
    Setting {
        name,
        default: None,
        help,
        secrecy,
    }
}

/// Database, keys and logging: every process.
pub const COMMON: &[Setting] = &[
    Setting {
        name: "DATABASE_URL",
        default: None,
        help: "REQUIRED. PostgreSQL connection URL (its password is a secret)",
        secrecy: Secrecy::UrlWithPassword,
    },
    public("DATABASE_MAX_CONNECTIONS", "10", "Pool size per process"),
    unset(
        "QLOSYNC_ENCRYPTION_KEY",
        "REQUIRED. AES-256-GCM key (base64 of 32 bytes, `api gen-key`) of the stored QloApps keys",
        Secrecy::Secret,
    ),
    unset(
        "QLOSYNC_ENCRYPTION_KEY_ID",
        "Id stored with every ciphertext [default: derived from the key]",
        Secrecy::Public,
    ),
    unset(
        "QLOSYNC_PREVIOUS_ENCRYPTION_KEYS",
        "Keys that still decrypt during a rotation: \"id:base64,id:base64\" [default: none]",
        Secrecy::Secret,
    ),
    public("LOG_FORMAT", "pretty", "Log output: json or pretty"),
    public("RUST_LOG", "info", "tracing filter directives"),
    unset(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTLP/HTTP collector base URL; spans go to <url>/v1/traces [default: unset, nothing exported]",
        Secrecy::UrlWithPassword,
    ),
    unset(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "Full OTLP/HTTP traces URL, instead of <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces [default: unset]",
        Secrecy::UrlWithPassword,
    ),
    unset(
        "OTEL_EXPORTER_OTLP_HEADERS",
        "Headers sent to the collector, \"k=v,k=v\" (e.g. an authorization) [default: none]",
        Secrecy::Secret,
    ),
    unset(
        "OTEL_SERVICE_NAME",
        "service.name of the exported spans [default: the binary's name]",
        Secrecy::Public,
    ),
];

/// The broker and the queue topology: the api (relay) and the workers.
pub const BROKER: &[Setting] = &[
    Setting {
        name: "RABBITMQ_URL",
        default: None,
        help: "amqp:// URL, or several nodes of one cluster comma-separated (REQUIRED for the workers)",
        secrecy: Secrecy::UrlWithPassword,
    },
    public("QLOSYNC_QUEUE_TYPE", "quorum", "quorum or classic; the same on every process"),
    unset(
        "QLOSYNC_QUEUE_PREFIX",
        "Prefix of every queue and exchange name [default: none]",
        Secrecy::Public,
    ),
    public("QLOSYNC_QUEUE_MAX_LENGTH", "10000", "Messages a work queue holds"),
    public(
        "QLOSYNC_QUEUE_MESSAGE_TTL_MS",
        "86400000",
        "Time a message may wait in a work queue before it is dead-lettered",
    ),
    public("QLOSYNC_QUEUE_RETRY_DELAY_MS", "2000", "Delay before a failed message is retried"),
    public(
        "QLOSYNC_QUEUE_DEFER_DELAY_MS",
        "30000",
        "Delay before a message for an open circuit (or an absent database) is tried again",
    ),
];

/// The queue consumers (the workers).
pub const CONSUMER: &[Setting] = &[
    public(
        "QLOSYNC_QUEUE_PREFETCH",
        "1",
        "Messages a consumer takes at once",
    ),
    public(
        "QLOSYNC_QUEUE_MAX_RETRIES",
        "3",
        "Attempts after the first before a message goes to the DLQ",
    ),
    public(
        "QLOSYNC_QUEUE_SHUTDOWN_GRACE_MS",
        "30000",
        "Time in-flight messages get to finish on shutdown",
    ),
    public(
        "QLOSYNC_QUEUE_RECONNECT_MAX_MS",
        "30000",
        "Longest wait between reconnection attempts to RabbitMQ",
    ),
];

/// The QloApps client: every process that calls QloApps.
pub const CLIENT: &[Setting] = &[
    public(
        "QLOAPPS_TIMEOUT_MS",
        "30000",
        "Per-request timeout of a QloApps call",
    ),
    public(
        "QLOAPPS_RATE_LIMIT",
        "100",
        "Calls per window to one QloApps config, over every process",
    ),
    public("QLOAPPS_RATE_WINDOW_MS", "60000", "The rate limit's window"),
    unset(
        "QLOAPPS_RATE_BURST",
        "Calls that may go at once after a quiet spell [default: a tenth of the limit]",
        Secrecy::Public,
    ),
    unset(
        "QLOAPPS_RATE_GUARD_MS",
        "Added to the window to absorb in-flight delay [default: 1 % of the window]",
        Secrecy::Public,
    ),
    public(
        "QLOAPPS_BREAKER_FAILURES",
        "5",
        "Consecutive failures that open the circuit",
    ),
    public(
        "QLOAPPS_BREAKER_COOLDOWN_MS",
        "30000",
        "How long an open circuit stays open",
    ),
    public("QLOAPPS_HTTP_RETRIES", "3", "Retries of transient failures"),
    public(
        "QLOAPPS_HTTP_RETRY_DELAY_MS",
        "500",
        "First retry delay (doubling, with jitter)",
    ),
];

/// Pulls from QloApps (inbound-worker and sync-scheduler).
pub const PULL: &[Setting] = &[
    public(
        "QLOAPPS_PULL_PAGE_SIZE",
        "100",
        "Orders read per page, 1-199",
    ),
    public(
        "QLOAPPS_PULL_OVERLAP_SECS",
        "60",
        "An incremental pull starts this long before the stored watermark",
    ),
    public(
        "QLOAPPS_PULL_RETRY_BACKOFF_SECS",
        "60",
        "First back-off of an order a pull could not apply",
    ),
    public(
        "QLOAPPS_PULL_RETRY_BACKOFF_MAX_SECS",
        "3600",
        "Longest back-off of an order a pull could not apply",
    ),
];

/// Every HTTP listener (the api's and the ops listeners).
pub const HTTP_LIMITS: &[Setting] = &[
    public(
        "HTTP_HEADER_READ_TIMEOUT_MS",
        "10000",
        "Time a client has to send a request's headers",
    ),
    public("HTTP_MAX_CONNECTIONS", "512", "Connections served at once"),
];

/// `OPS_LISTEN_ADDR` of a worker or the scheduler, whose default differs per process.
pub fn ops_listen(default: &'static str) -> Setting {
    public(
        "OPS_LISTEN_ADDR",
        default,
        "Address of /health, /ready and /metrics",
    )
}

/// The api's own settings.
pub const API: &[Setting] = &[
    public(
        "API_LISTEN_ADDR",
        "127.0.0.1:8080",
        "Address to listen on; port 0 picks a free port",
    ),
    unset(
        "API_TOKENS",
        "REQUIRED. Comma-separated bearer tokens, each at least 16 printable characters",
        Secrecy::Secret,
    ),
    unset(
        "API_READONLY_TOKENS",
        "Comma-separated read-only tokens (GET only) [default: none]",
        Secrecy::Secret,
    ),
    public(
        "API_CONSOLE_DIR",
        "web/dist",
        "The built console served at /",
    ),
    unset(
        "CORS_ALLOWED_ORIGINS",
        "Comma-separated origins allowed by CORS [default: none]",
        Secrecy::Public,
    ),
    public(
        "API_BODY_LIMIT_BYTES",
        "65536",
        "Largest accepted request body, in bytes",
    ),
    public(
        "QLOAPPS_TEST_TIMEOUT_MS",
        "10000",
        "Time limit of one test-connection call to QloApps",
    ),
    public(
        "API_QUEUE_SAMPLE_INTERVAL_MS",
        "15000",
        "How often the api reads the queue depths for the console's chart (1000-60000)",
    ),
    public(
        "QLOSYNC_RELAY_BATCH_SIZE",
        "100",
        "Outbox rows published per batch",
    ),
    public(
        "QLOSYNC_RELAY_POLL_INTERVAL_MS",
        "10000",
        "Outbox poll interval when no notification arrives",
    ),
    public(
        "QLOSYNC_RELAY_BACKOFF_MAX_MS",
        "30000",
        "Longest relay back-off while RabbitMQ is down",
    ),
    public(
        "QLOSYNC_RELAY_CONFIRM_TIMEOUT_MS",
        "30000",
        "Time the relay waits for a publisher confirm",
    ),
    public(
        "QLOAPPS_SYNC_INTERVAL_MS",
        "300000",
        "The scheduler's pull interval (validated by the api too)",
    ),
    unset(
        "QLO_API_URL",
        "Optional bootstrap QloApps config of the demo (with QLO_API_KEY) [default: none]",
        Secrecy::Public,
    ),
    unset(
        "QLO_API_KEY",
        "The bootstrap config's QloApps key [default: none]",
        Secrecy::Secret,
    ),
];

/// The outbound worker's own setting.
pub const OUTBOUND: &[Setting] = &[public(
    "QLOSYNC_QUEUE_DEPTH_INTERVAL_MS",
    "15000",
    "How often qlosync_queue_depth{queue} is refreshed",
)];

/// The scheduler's own settings.
pub const SCHEDULER: &[Setting] = &[
    public(
        "QLOAPPS_SYNC_INTERVAL_MS",
        "300000",
        "Incremental pull interval per config (jittered)",
    ),
    public(
        "QLOAPPS_SYNC_MAX_CONCURRENT",
        "4",
        "Pulls of different configs running at once",
    ),
    public(
        "QLOAPPS_SYNC_BACKOFF_BASE_MS",
        "60000",
        "Wait after a failed pull (doubling)",
    ),
    public(
        "QLOAPPS_SYNC_BACKOFF_MAX_MS",
        "900000",
        "Longest wait after failed pulls",
    ),
    public(
        "QLOAPPS_SYNC_TICK_MS",
        "1000",
        "How often the scheduler looks for due configs",
    ),
    public(
        "QLOSYNC_SHUTDOWN_GRACE_MS",
        "30000",
        "Time running pulls get to stop on SIGTERM",
    ),
    public(
        "QLOSYNC_GAUGES_INTERVAL_MS",
        "15000",
        "How often the per-config gauges of the shared state are read from PostgreSQL",
    ),
    public(
        "QLOSYNC_RECONCILE_INTERVAL_MS",
        "86400000",
        "How often each config's rates and availability are reconciled",
    ),
    public(
        "QLOSYNC_RECONCILE_HORIZON_DAYS",
        "365",
        "Nights from today the reconcile compares",
    ),
    public(
        "QLOSYNC_RECONCILE_FIX",
        "true",
        "Fix the drift found (true) or only report it",
    ),
    public(
        "QLOSYNC_RECONCILE_BOOKINGS",
        "true",
        "Also reconcile reservations with QloApps orders",
    ),
    public(
        "QLOSYNC_RECONCILE_BOOKINGS_PAST_DAYS",
        "7",
        "Bookings reconcile: stays from this many days ago",
    ),
    public(
        "QLOSYNC_RECONCILE_BOOKINGS_FUTURE_DAYS",
        "500",
        "Bookings reconcile: stays up to this many days ahead",
    ),
];

/// Every setting of `groups` once (a name in two groups keeps its first entry).
pub fn collect(groups: &[&[Setting]]) -> Vec<Setting> {
    let mut all: Vec<Setting> = Vec::new();
    for setting in groups.iter().flat_map(|g| g.iter()) {
        if !all.iter().any(|s| s.name == setting.name) {
            all.push(*setting);
        }
    }
    all
}

/// The flag of a variable: `DATABASE_URL` -> `database-url`.
pub fn flag_name(var: &str) -> String {
    var.to_ascii_lowercase().replace('_', "-")
}

/// One clap argument per setting: `--flag`, `env = NAME`, the default, and secrets' values
/// hidden from `--help` (`hide_env_values`).
pub fn args(settings: &[Setting]) -> Vec<Arg> {
    settings
        .iter()
        .map(|s| {
            let mut arg = Arg::new(s.name)
                // clap keeps flag names as &'static str; one small string per setting, once
                .long(&*Box::leak(flag_name(s.name).into_boxed_str()))
                .env(s.name)
                .value_name(s.name)
                .help(s.help)
                .global(true)
                .help_heading("Settings (flag, or the environment variable)");
            if let Some(default) = s.default {
                arg = arg.default_value(default);
            }
            if s.secrecy != Secrecy::Public {
                arg = arg.hide_env_values(true);
            }
            arg
        })
        .collect()
}

/// Exports every setting given as a flag into the process environment, so the `from_env`
/// readers see it. Call before any thread is started (in `main`, before the runtime).
pub fn export_command_line(matches: &ArgMatches, settings: &[Setting]) {
    for setting in settings {
        if matches.value_source(setting.name) == Some(ValueSource::CommandLine) {
            if let Some(value) = matches.get_one::<String>(setting.name) {
                std::env::set_var(setting.name, value);
            }
        }
    }
}

/// Parses the command line of `C` with `settings` added as flags, exits on `--help`,
/// `--version` or a usage error (clap's exit codes), and exports the settings given as flags.
pub fn parse<C: clap::Parser>(settings: &[Setting]) -> C {
    let matches = C::command().args(args(settings)).get_matches();
    export_command_line(&matches, settings);
    C::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The text `check-config` prints for a value: secrets never appear.
pub fn shown(setting: &Setting, value: &str) -> String {
    match setting.secrecy {
        Secrecy::Public => value.to_owned(),
        Secrecy::Secret => "<redacted>".to_owned(),
        Secrecy::UrlWithPassword => value
            .split(',')
            .map(redact_url_password)
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// `scheme://user:password@host/...` -> `scheme://user:***@host/...`.
fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<redacted: not a URL>".to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let password = if userinfo.contains(':') { ":***" } else { "" };
            // a password given as a query parameter is a secret too
            let tail = tail
                .split_once('?')
                .map_or(tail.to_owned(), |(path, _)| format!("{path}?<redacted>"));
            format!("{scheme}://{user}{password}@{host}{tail}")
        }
        None => {
            let tail = tail
                .split_once('?')
                .map_or(tail.to_owned(), |(path, _)| format!("{path}?<redacted>"));
            format!("{scheme}://{authority}{tail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_redacted_and_the_rest_kept() {
        let s = COMMON[0];
        assert_eq!(
            shown(&s, "postgres://app:hunter2@db:5432/qlosync"),
            "postgres://app:***@db:5432/qlosync"
        );
        assert_eq!(
            shown(&s, "amqp://u:p1@mq1/%2f,amqp://u:p2@mq2/%2f"),
            "amqp://u:***@mq1/%2f,amqp://u:***@mq2/%2f"
        );
        assert_eq!(
            shown(&s, "postgres://db/x?password=p"),
            "postgres://db/x?<redacted>"
        );
        assert_eq!(shown(&s, "hunter2"), "<redacted: not a URL>");
    }

    /// The table says what `.env.example` says: every setting is there with the same default.
    #[test]
    fn every_setting_and_default_matches_the_env_example() {
        let example = include_str!("../../../../.env.example");
        let groups: &[&[Setting]] = &[
            COMMON,
            BROKER,
            CONSUMER,
            CLIENT,
            PULL,
            HTTP_LIMITS,
            API,
            OUTBOUND,
            SCHEDULER,
        ];
        for setting in collect(groups) {
            let line = example
                .lines()
                .find(|l| {
                    l.trim_start_matches(['#', ' '])
                        .starts_with(&format!("{}=", setting.name))
                })
                .unwrap_or_else(|| panic!("{} is not in .env.example", setting.name));
            if let Some(default) = setting.default {
                let (_, value) = line.split_once('=').expect("NAME=value");
                if setting.name != "DATABASE_URL" && setting.name != "RABBITMQ_URL" {
                    assert_eq!(value, default, "{}", setting.name);
                }
            }
        }
    }
}
