//! Test helpers shared with other crates' tests (feature `test-support`).
//!
//! [`TcpProxy`] sits between a client and a real server (RabbitMQ, PostgreSQL) so a test can
//! drop the connections or make the server unreachable without touching the shared server.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// A TCP forwarder on `127.0.0.1:0` to an upstream address.
///
/// - [`TcpProxy::cut`] closes every open connection (like a broker restart or a network blip);
///   new connections still go through.
/// - [`TcpProxy::set_reachable`]`(false)` also closes new connections as soon as they are
///   accepted, so the upstream looks down until it is set reachable again.
pub struct TcpProxy {
    addr: SocketAddr,
    reachable: Arc<AtomicBool>,
    generation: Arc<Mutex<CancellationToken>>,
    stop: CancellationToken,
}

impl TcpProxy {
    pub async fn start(upstream: SocketAddr) -> std::io::Result<TcpProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let proxy = TcpProxy {
            addr,
            reachable: Arc::new(AtomicBool::new(true)),
            generation: Arc::new(Mutex::new(CancellationToken::new())),
            stop: CancellationToken::new(),
        };
        let (reachable, generation, stop) = (
            Arc::clone(&proxy.reachable),
            Arc::clone(&proxy.generation),
            proxy.stop.clone(),
        );
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = stop.cancelled() => return,
                    accepted = listener.accept() => accepted,
                };
                let Ok((inbound, _)) = accepted else { continue };
                if !reachable.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let cut = lock(&generation).clone();
                tokio::spawn(forward(inbound, upstream, cut));
            }
        });
        Ok(proxy)
    }

    /// Where clients should connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `url` with its `host:port` replaced by the proxy's, e.g. an `amqp://` or `postgres://` URL.
    pub fn rewrite_url(&self, url: &str, upstream: SocketAddr) -> String {
        url.replacen(&upstream.to_string(), &self.addr.to_string(), 1)
    }

    /// Closes every connection open now.
    pub fn cut(&self) {
        let mut current = lock(&self.generation);
        current.cancel();
        *current = CancellationToken::new();
    }

    /// While unreachable, open connections are cut and new ones closed at once.
    pub fn set_reachable(&self, reachable: bool) {
        self.reachable.store(reachable, Ordering::SeqCst);
        if !reachable {
            self.cut();
        }
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.stop.cancel();
        lock(&self.generation).cancel();
    }
}

fn lock(m: &Mutex<CancellationToken>) -> std::sync::MutexGuard<'_, CancellationToken> {
    // a panic while holding this lock cannot leave the token half-updated
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn forward(mut inbound: TcpStream, upstream: SocketAddr, cut: CancellationToken) {
    let Ok(mut outbound) = TcpStream::connect(upstream).await else {
        return;
    };
    tokio::select! {
        _ = cut.cancelled() => {}
        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
    }
    // dropping both streams closes them; the client sees the connection end
}
