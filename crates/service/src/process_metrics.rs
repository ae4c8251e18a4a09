//! The standard process metrics every Prometheus client library exports (`process_*`, the
//! names dashboards and alerts expect), read from `/proc/self` at each scrape on Linux and
//! appended to `/metrics`. Elsewhere nothing is rendered.
//!
//! They are rendered as text here rather than recorded through the `metrics` facade because
//! `process_cpu_seconds_total` is a fractional counter, which the facade's integer counters
//! cannot hold.

use std::fmt::Write;

/// Clock ticks per second of `/proc/self/stat` (`USER_HZ`): 100 on every Linux architecture
/// qlosync is built for (the kernel fixes it for user space).
const TICKS_PER_SECOND: f64 = 100.0;
const PROC: &str = "/proc/self";

/// One sample of the process metrics; `None` where `/proc` could not be read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProcessSample {
    pub cpu_seconds: Option<f64>,
    pub resident_bytes: Option<f64>,
    pub virtual_bytes: Option<f64>,
    pub open_fds: Option<f64>,
    pub max_fds: Option<f64>,
    pub start_time_seconds: Option<f64>,
    pub threads: Option<f64>,
}

/// Reads `/proc/self` now.
pub fn sample() -> ProcessSample {
    let stat = std::fs::read_to_string(format!("{PROC}/stat")).ok();
    let status = std::fs::read_to_string(format!("{PROC}/status")).ok();
    let limits = std::fs::read_to_string(format!("{PROC}/limits")).ok();
    let boot_time = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| field_after(&s, "btime"));
    let fields = stat.as_deref().map(stat_fields).unwrap_or_default();
    // fields after the command name, 0-based from field 3 ("state") of proc(5)
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    let cpu_seconds = match (ticks(11), ticks(12)) {
        (Some(utime), Some(stime)) => Some((utime + stime) / TICKS_PER_SECOND),
        _ => None,
    };
    let start_time_seconds = match (ticks(19), boot_time) {
        (Some(start), Some(boot)) => Some(boot + start / TICKS_PER_SECOND),
        _ => None,
    };
    let kib = |name: &str| {
        status
            .as_deref()
            .and_then(|s| field_after(s, name))
            .map(|v| v * 1024.0)
    };
    ProcessSample {
        cpu_seconds,
        resident_bytes: kib("VmRSS:"),
        virtual_bytes: kib("VmSize:"),
        open_fds: std::fs::read_dir(format!("{PROC}/fd"))
            .ok()
            .map(|entries| entries.count() as f64),
        max_fds: limits.as_deref().and_then(max_open_files),
        start_time_seconds,
        threads: status.as_deref().and_then(|s| field_after(s, "Threads:")),
    }
}

/// The fields of `/proc/self/stat` after `(comm)`, which may itself hold spaces.
fn stat_fields(stat: &str) -> Vec<String> {
    stat.rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The number after `name` on the line that starts with it.
fn field_after(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// The soft limit of "Max open files" in `/proc/self/limits`.
fn max_open_files(limits: &str) -> Option<f64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
}

/// The Prometheus text of `sample`, with `# HELP` and `# TYPE` for each metric.
pub fn render(sample: &ProcessSample) -> String {
    let mut out = String::new();
    let metrics: [(&str, &str, &str, Option<f64>); 7] = [
        (
            "process_cpu_seconds_total",
            "counter",
            "Total user and system CPU time spent in seconds.",
            sample.cpu_seconds,
        ),
        (
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
            sample.resident_bytes,
        ),
        (
            "process_virtual_memory_bytes",
            "gauge",
            "Virtual memory size in bytes.",
            sample.virtual_bytes,
        ),
        (
            "process_open_fds",
            "gauge",
            "Number of open file descriptors.",
            sample.open_fds,
        ),
        (
            "process_max_fds",
            "gauge",
            "Maximum number of open file descriptors.",
            sample.max_fds,
        ),
        (
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since unix epoch in seconds.",
            sample.start_time_seconds,
        ),
        (
            "process_threads",
            "gauge",
            "Number of OS threads in the process.",
            sample.threads,
        ),
    ];
    for (name, kind, help, value) in metrics {
        if let Some(value) = value {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        }
    }
    out
}

/// The exporter's text followed by the process metrics: what `/metrics` answers.
pub fn with_process_metrics(mut rendered: String) -> String {
    if !rendered.is_empty() && !rendered.ends_with('\n') {
        rendered.push('\n');
    }
    rendered.push_str(&render(&sample()));
    rendered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_reports_cpu_memory_and_descriptors_on_linux() {
        if !std::path::Path::new(PROC).exists() {
            return;
        }
        let s = sample();
        assert!(s.cpu_seconds.is_some_and(|v| v >= 0.0), "{s:?}");
        assert!(s.resident_bytes.is_some_and(|v| v > 0.0), "{s:?}");
        assert!(s.open_fds.is_some_and(|v| v >= 1.0), "{s:?}");
        let text = render(&s);
        assert!(
            text.contains("# TYPE process_cpu_seconds_total counter"),
            "{text}"
        );
        assert!(text.contains("\nprocess_open_fds "), "{text}");
    }

    #[test]
    fn a_command_name_with_spaces_does_not_shift_the_fields() {
        let fields = stat_fields("42 (my (odd) name) S 1 2 3");
        assert_eq!(fields[0], "S");
        assert_eq!(fields[1], "1");
    }
}
