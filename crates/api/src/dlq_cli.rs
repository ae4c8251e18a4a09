//! `api dlq list | replay | discard`: the dead-letter queue tools from a shell, talking to
//! RabbitMQ directly (`RABBITMQ_URL`, `QLOSYNC_QUEUE_*`); no database or token needed.

use std::io::Write;

use anyhow::{bail, Context};
use clap::builder::TypedValueParser;
use clap::{Args, Subcommand};
use sync_queue::dlq::{
    DeadLetterInfo, DeadLetterList, DeadLetterQueue, DlqFilter, ReplayReport, Selection,
    DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, REASONS,
};
use sync_queue::queue::{QueueConfig, Topology};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum DlqCommand {
    /// Show the oldest dead-lettered messages and why they failed (they stay in the queue).
    List {
        /// How many messages to show (1-1000).
        #[arg(long, default_value_t = DEFAULT_LIST_LIMIT,
            value_parser = clap::value_parser!(u16).range(1..=MAX_LIST_LIMIT as i64).map(usize::from))]
        limit: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Publish the selected messages to the queue they failed in, with fresh retry counters.
    Replay {
        #[command(flatten)]
        select: SelectArgs,
        #[arg(long)]
        json: bool,
    },
    /// Remove the selected messages for good.
    Discard {
        #[command(flatten)]
        select: SelectArgs,
        #[arg(long)]
        json: bool,
    },
}

/// Which messages: `--id`, any of the filters (combined with AND), or `--all`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
#[group(required = true, multiple = true)]
pub struct SelectArgs {
    /// The id shown by `api dlq list`.
    #[arg(long)]
    pub id: Option<String>,
    /// e.g. reservation.create
    #[arg(long)]
    pub event_type: Option<String>,
    #[arg(long)]
    pub config_id: Option<Uuid>,
    /// permanent, retries_exhausted, invalid_message, deferred_too_long, expired, maxlen,
    /// rejected or unknown
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(REASONS.iter().copied()))]
    pub reason: Option<String>,
    /// Every message in the dead-letter queue.
    #[arg(long, conflicts_with_all = ["id", "event_type", "config_id", "reason"])]
    pub all: bool,
}

impl SelectArgs {
    pub fn selection(&self) -> anyhow::Result<Selection> {
        if self.all {
            return Ok(Selection::All);
        }
        let filter = DlqFilter {
            id: self.id.clone(),
            event_type: self.event_type.clone(),
            config_id: self.config_id.map(|c| c.to_string()),
            reason: self.reason.clone(),
        };
        Selection::matching(filter)
            .context("select messages with --id, --event-type, --config-id or --reason, or --all")
    }
}

/// Runs `command` with settings from `env`, writing the result to `out`. Fails (a non-zero exit
/// code) when RabbitMQ cannot be reached or a selected message could not be replayed.
pub async fn run(
    command: &DlqCommand,
    env: &impl Fn(&str) -> Option<String>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let url = env("RABBITMQ_URL")
        .filter(|u| !u.trim().is_empty())
        .context("RABBITMQ_URL is not set: the dlq commands talk to RabbitMQ directly")?;
    let queue = QueueConfig::from_lookup(|name| env(name)).context("QLOSYNC_QUEUE_* settings")?;
    let dlq = DeadLetterQueue::new(url, Topology::new(queue));
    let name = dlq.queue();
    match command {
        DlqCommand::List { limit, json } => {
            let list = dlq
                .list(*limit)
                .await
                .with_context(|| format!("listing {name}"))?;
            match json {
                true => writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?,
                false => write_table(out, &list)?,
            }
        }
        DlqCommand::Replay { select, json } => {
            let report = dlq
                .replay(&select.selection()?)
                .await
                .with_context(|| format!("replaying from {name}"))?;
            match json {
                true => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
                false => write_replay(out, &report)?,
            }
            if report.failed > 0 {
                bail!("{} selected messages could not be replayed", report.failed);
            }
        }
        DlqCommand::Discard { select, json } => {
            let report = dlq
                .discard(&select.selection()?)
                .await
                .with_context(|| format!("discarding from {name}"))?;
            match json {
                true => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
                false => writeln!(
                    out,
                    "discarded {}, left {} in the dead-letter queue",
                    report.discarded, report.skipped
                )?,
            }
        }
    }
    Ok(())
}

fn write_table(out: &mut dyn Write, list: &DeadLetterList) -> std::io::Result<()> {
    let shown = list.messages.len();
    writeln!(
        out,
        "{}: {} messages, showing {shown}",
        list.queue, list.total
    )?;
    if shown == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "{:<38} {:<20} {:<18} {:>4}  {:<20} {:<20} {:<26} ERROR",
        "ID", "EVENT", "REASON", "TRY", "FIRST FAILURE", "LAST FAILURE", "QUEUE"
    )?;
    for m in &list.messages {
        writeln!(out, "{}", row(m))?;
    }
    Ok(())
}

fn row(m: &DeadLetterInfo) -> String {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "-".to_owned())
    };
    // the whole error, last on the line: the reason QloApps gave is what an operator needs
    let error = m.error.as_deref().unwrap_or("-");
    format!(
        "{:<38} {:<20} {:<18} {:>4}  {:<20} {:<20} {:<26} {}",
        m.id,
        m.event_type.as_deref().unwrap_or("-"),
        m.reason,
        m.attempts,
        time(m.first_failure_at),
        time(m.last_failure_at),
        m.original_queue.as_deref().unwrap_or("-"),
        error.replace('\n', " ")
    )
}

fn write_replay(out: &mut dyn Write, report: &ReplayReport) -> std::io::Result<()> {
    writeln!(
        out,
        "replayed {}, failed {}, left {} unselected in the dead-letter queue",
        report.replayed, report.failed, report.skipped
    )?;
    for failure in &report.failures {
        writeln!(out, "  not replayed {}: {}", failure.id, failure.error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> Result<DlqCommand, clap::Error> {
        let cli = Cli::try_parse_from(["api", "dlq"].iter().chain(args))?;
        match cli.command() {
            Command::Dlq { command } => Ok(command),
            other => panic!("not a dlq command: {other:?}"),
        }
    }

    #[test]
    fn dlq_commands_parse_and_need_an_explicit_selection() {
        let list = parse(&["list"]).unwrap();
        assert_eq!(
            list,
            DlqCommand::List {
                limit: 100,
                json: false
            }
        );
        assert!(parse(&["list", "--limit", "0"]).is_err());
        assert!(parse(&["list", "--limit", "1001"]).is_err());
        assert!(parse(&["replay"]).is_err(), "no selection");
        assert!(parse(&["discard", "--all", "--id", "x"]).is_err());
        assert!(parse(&["replay", "--reason", "bored"]).is_err());
        assert!(parse(&["replay", "--config-id", "not-a-uuid"]).is_err());
        let DlqCommand::Replay { select, .. } = parse(&[
            "replay",
            "--event-type",
            "reservation.create",
            "--reason",
            "permanent",
        ])
        .unwrap() else {
            panic!("replay")
        };
        let Selection::Matching(filter) = select.selection().unwrap() else {
            panic!("a filter")
        };
        assert_eq!(filter.event_type.as_deref(), Some("reservation.create"));
        assert_eq!(filter.reason.as_deref(), Some("permanent"));
        let DlqCommand::Discard { select, .. } = parse(&["discard", "--all"]).unwrap() else {
            panic!("discard")
        };
        assert_eq!(select.selection().unwrap(), Selection::All);
    }

    #[test]
    fn a_listed_row_carries_the_whole_error() {
        let error = format!(
            "QloApps has no rooms available for the request: [404] Requested room(s) not available; {}",
            "[3] [PHP Warning #2] Undefined array key \"total_tax\" (/var/www/qloapps/classes/webservice/WebserviceSpecificManagementBookings.php, line 504)"
        );
        let info = DeadLetterInfo {
            id: "m1".into(),
            message_id: Some("m1".into()),
            correlation_id: None,
            event_type: Some("reservation.update".into()),
            config_id: None,
            reason: "permanent".into(),
            error: Some(error.clone()),
            attempts: 1,
            deferrals: 0,
            original_queue: Some("qloapps.outbound".into()),
            first_failure_at: None,
            last_failure_at: None,
            replay_count: 0,
            last_replayed_at: None,
            size_bytes: 10,
            body_preview: String::new(),
        };
        assert!(row(&info).ends_with(&error), "{}", row(&info));
    }
}
