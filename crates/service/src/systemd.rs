//! systemd's notify protocol for the `Type=notify` units in `deploy/systemd`: `READY=1` once a
//! process has started (its listener bound, its loops running), `WATCHDOG=1` every half
//! `WatchdogSec` while its runtime schedules tasks, `STOPPING=1` on shutdown. Outside systemd
//! (`NOTIFY_SOCKET` unset) every call does nothing.
//!
//! `READY=1` means "started", not "ready for traffic": a worker whose broker is away at boot
//! must not fail its start job; traffic readiness is `/ready`. The watchdog pings come from a
//! runtime task, so a wedged runtime stops them and systemd restarts the process; an outage
//! of PostgreSQL or RabbitMQ does not (the process waits it out, as documented in the README).

use std::time::Duration;

use sd_notify::NotifyState;
use tokio_util::sync::CancellationToken;

fn send(state: NotifyState<'_>) {
    if let Err(error) = sd_notify::notify(false, &[state]) {
        tracing::debug!(%error, "systemd notification not sent");
    }
}

/// The watchdog interval systemd asked for (`WATCHDOG_USEC` for this process), if any.
pub fn watchdog_interval() -> Option<Duration> {
    let mut usec = 0u64;
    sd_notify::watchdog_enabled(false, &mut usec).then(|| Duration::from_micros(usec))
}

/// Sends `READY=1`, pings the watchdog until `shutdown`, then sends `STOPPING=1`.
pub fn started(shutdown: &CancellationToken) {
    send(NotifyState::Ready);
    let shutdown = shutdown.clone();
    tokio::spawn(async move {
        let every = watchdog_interval().map(|i| i / 2);
        loop {
            if let Some(every) = every {
                send(NotifyState::Watchdog);
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(every) => {}
                }
            } else {
                shutdown.cancelled().await;
                break;
            }
        }
        send(NotifyState::Stopping);
    });
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixDatagram;

    /// One test in this process sets NOTIFY_SOCKET; no other test reads it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ready_and_watchdog_reach_the_notify_socket() {
        let dir = std::env::temp_dir().join(format!("qlosync-notify-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("notify.sock");
        let _ = std::fs::remove_file(&path);
        let socket = UnixDatagram::bind(&path).expect("binds");
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .expect("timeout");
        std::env::set_var("NOTIFY_SOCKET", &path);
        std::env::set_var("WATCHDOG_USEC", "200000");
        std::env::set_var("WATCHDOG_PID", std::process::id().to_string());
        let shutdown = tokio_util::sync::CancellationToken::new();
        super::started(&shutdown);
        let mut buffer = [0u8; 256];
        let mut seen = Vec::new();
        while !(seen.iter().any(|m: &String| m.contains("READY=1"))
            && seen.iter().any(|m| m.contains("WATCHDOG=1")))
        {
            let n = socket.recv(&mut buffer).expect("a notification");
            seen.push(String::from_utf8_lossy(&buffer[..n]).into_owned());
        }
        shutdown.cancel();
        let stopping = loop {
            let n = socket.recv(&mut buffer).expect("a notification");
            let message = String::from_utf8_lossy(&buffer[..n]).into_owned();
            if message.contains("STOPPING=1") {
                break message;
            }
        };
        assert!(stopping.contains("STOPPING=1"));
        std::env::remove_var("NOTIFY_SOCKET");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
