//! Turns `NOTIFY qlosync_outbox` (sent by the outbox insert trigger) into a wake-up.

use std::{sync::Arc, time::Duration};

use sqlx::{postgres::PgListener, PgPool};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use crate::queue::Backoff;

/// The channel the trigger in `20261121000100_create_outbox.sql` notifies.
pub const OUTBOX_CHANNEL: &str = "qlosync_outbox";

/// Listens until cancelled, calling `wake.notify_one()` per notification. A wake-up is also
/// sent after every (re)connect, for rows inserted while nobody listened. Runs in its own task
/// so the relay never cancels a half-read notification.
pub(crate) async fn wake_on_notify(pool: PgPool, wake: Arc<Notify>, cancel: CancellationToken) {
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
    while !cancel.is_cancelled() {
        let mut listener = match subscribe(&pool).await {
            Ok(l) => l,
            Err(e) => {
                let delay = backoff.next_delay();
                warn!(error = %e, ?delay, "cannot LISTEN for outbox rows; polling only");
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(delay) => continue,
                }
            }
        };
        backoff.reset();
        wake.notify_one();
        loop {
            let received = tokio::select! {
                _ = cancel.cancelled() => return,
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(_)) => wake.notify_one(),
                // connection lost; the next try_recv reconnects and listens again
                Ok(None) => {
                    debug!("outbox LISTEN connection lost; reconnecting");
                    wake.notify_one();
                }
                Err(e) => {
                    warn!(error = %e, "outbox LISTEN failed; reconnecting");
                    break;
                }
            }
        }
    }
}

async fn subscribe(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(OUTBOX_CHANNEL).await?;
    Ok(listener)
}
