//! Shared test plumbing: a private prefix per test on the real broker, deleted afterwards.

use std::{
    future::Future,
    net::SocketAddr,
    time::{Duration, Instant},
};

use chrono::Utc;
use lapin::{
    message::BasicGetMessage,
    options::{BasicAckOptions, BasicGetOptions},
    BasicProperties, Channel, Connection,
};
use sync_core::{
    messages::{Envelope, OutboundMessage, ReservationEvent},
    testing::proxy::TcpProxy,
};
use sync_queue::queue::{connect, ConfirmPublisher, QueueConfig, Topology};
use uuid::Uuid;

/// Logs to the test output when `TEST_LOG=1`; silent otherwise.
pub fn init_tracing() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        if std::env::var("TEST_LOG").is_ok_and(|v| v == "1") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("sync_core=debug,info")
                .with_test_writer()
                .try_init();
        }
    });
}

pub fn amqp_url() -> String {
    std::env::var("RABBITMQ_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

pub fn broker_addr() -> SocketAddr {
    "127.0.0.1:5672".parse().unwrap()
}

/// A proxy to the broker and the AMQP URL that goes through it.
pub async fn broker_proxy() -> (TcpProxy, String) {
    let proxy = TcpProxy::start(broker_addr()).await.unwrap();
    let url = proxy.rewrite_url(&amqp_url(), broker_addr());
    assert_ne!(
        url,
        amqp_url(),
        "RABBITMQ_URL must name 127.0.0.1:5672 for the proxy tests"
    );
    (proxy, url)
}

/// A queue config with a fresh prefix and short delays.
pub fn test_config() -> QueueConfig {
    QueueConfig {
        prefix: format!("t{}.", &Uuid::new_v4().simple().to_string()[..12]),
        retry_delay: Duration::from_millis(100),
        defer_delay: Duration::from_millis(200),
        ..QueueConfig::default()
    }
}

/// The topology of one test, declared on creation and deleted on drop (even after a panic).
pub struct TestBroker {
    pub topology: Topology,
    pub connection: Connection,
    pub publisher: ConfirmPublisher,
}

impl TestBroker {
    pub async fn new(config: QueueConfig) -> Self {
        init_tracing();
        let topology = Topology::new(config);
        let connection = connect(&amqp_url(), "qlosync test").await.unwrap();
        let publisher = ConfirmPublisher::open(&connection).await.unwrap();
        topology.declare(publisher.channel()).await.unwrap();
        TestBroker {
            topology,
            connection,
            publisher,
        }
    }

    pub fn channel(&self) -> &Channel {
        self.publisher.channel()
    }

    /// Publishes raw bytes to `queue` with confirms.
    pub async fn publish_raw(&self, queue: &str, body: &[u8], props: BasicProperties) {
        self.publisher
            .publish_to_queue(queue, body, props)
            .await
            .unwrap();
    }

    /// Takes the next message from `queue`, waiting up to `timeout`.
    pub async fn get(&self, queue: &str, timeout: Duration) -> Option<BasicGetMessage> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self
                .channel()
                .basic_get(queue, BasicGetOptions::default())
                .await
                .unwrap();
            if let Some(msg) = got {
                msg.delivery
                    .acker
                    .ack(BasicAckOptions::default())
                    .await
                    .unwrap();
                return Some(msg);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Every message now in `queue`.
    pub async fn drain(&self, queue: &str) -> Vec<BasicGetMessage> {
        let mut all = Vec::new();
        while let Some(msg) = self.get(queue, Duration::ZERO).await {
            all.push(msg);
        }
        all
    }

    pub async fn depth(&self, queue: &str) -> u32 {
        sync_queue::queue::queue_depth(&self.connection, queue)
            .await
            .unwrap()
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        let topology = self.topology.clone();
        // Drop cannot await: delete on a thread of its own, with its own runtime
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let conn = connect(&amqp_url(), "qlosync test cleanup").await?;
                let channel = conn.create_channel().await?;
                topology.delete(&channel).await?;
                conn.close(200, "done").await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        });
        if let Ok(Err(e)) = cleanup.join() {
            eprintln!(
                "could not delete test queues of {}: {e}",
                self.topology.prefix()
            );
        }
    }
}

pub fn reservation_message(config_id: Uuid) -> OutboundMessage {
    OutboundMessage::ReservationCreate(ReservationEvent {
        envelope: Envelope::new(config_id, Some("test".into())),
        reservation_id: Uuid::new_v4(),
    })
}

/// Properties like a real publisher's, optionally backdated.
pub fn props_for(msg: &OutboundMessage, created_secs_ago: i64) -> BasicProperties {
    use sync_core::messages::Message;
    let env = msg.envelope();
    sync_queue::queue::message_properties(
        &env.message_id.to_string(),
        msg.event_type(),
        None,
        Utc::now().timestamp() - created_secs_ago,
        &env.config_id.to_string(),
    )
}

/// Polls `check` until it returns true or `timeout` passes.
pub async fn wait_until<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn header_str(msg: &BasicGetMessage, name: &str) -> Option<String> {
    sync_queue::queue::headers::get_str(msg.delivery.properties.headers().as_ref(), name)
}

pub fn header_u32(msg: &BasicGetMessage, name: &str) -> Option<u32> {
    sync_queue::queue::headers::get_u32(msg.delivery.properties.headers().as_ref(), name)
}

/// `rabbitmqctl list_queues name type` for the queues whose name starts with `prefix`: the
/// type each queue really has on the broker (AMQP itself does not tell it).
pub fn queue_types(prefix: &str) -> std::collections::HashMap<String, String> {
    let output = std::process::Command::new("rabbitmqctl")
        .args([
            "list_queues",
            "--quiet",
            "--no-table-headers",
            "name",
            "type",
        ])
        .output()
        .expect(
            "rabbitmqctl must be installed to read queue types (apt-get install rabbitmq-server)",
        );
    assert!(
        output.status.success(),
        "rabbitmqctl list_queues failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            let (name, kind) = (cols.next()?, cols.next()?);
            name.starts_with(prefix)
                .then(|| (name.to_owned(), kind.to_owned()))
        })
        .collect()
}
