//! The raw RabbitMQ reference: publish with confirm + consume + ack, persistent messages on a
//! durable queue, measured by this program on the same broker.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::StreamExt as _;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicQosOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use sync_queue::queue::ConfirmPublisher;

/// A durable queue of its own, a confirming publisher and a consumer on another connection.
pub struct RawLoop {
    publisher_conn: Connection,
    consumer_conn: Connection,
    publisher: ConfirmPublisher,
    consumer: lapin::Consumer,
    queue: String,
}

impl RawLoop {
    pub async fn open(url: &str, prefetch: u16) -> anyhow::Result<RawLoop> {
        let queue = format!(
            "bench-raw-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let publisher_conn = Connection::connect(url, ConnectionProperties::default())
            .await
            .context("connecting to RabbitMQ")?;
        let consumer_conn = Connection::connect(url, ConnectionProperties::default()).await?;
        let publisher = ConfirmPublisher::open(&publisher_conn).await?;
        let declare = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };
        publisher
            .channel()
            .queue_declare(&queue, declare, FieldTable::default())
            .await?;
        let channel = consumer_conn.create_channel().await?;
        channel
            .basic_qos(prefetch, BasicQosOptions::default())
            .await?;
        let consumer = channel
            .basic_consume(
                &queue,
                "bench-raw",
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        Ok(RawLoop {
            publisher_conn,
            consumer_conn,
            publisher,
            consumer,
            queue,
        })
    }

    fn properties() -> BasicProperties {
        BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
    }

    /// `count` messages of `size` bytes through publish-confirm (a window of `window` pending
    /// confirms, as the relay pipelines a batch) and consume-ack: messages per second.
    pub async fn throughput(
        &mut self,
        count: usize,
        size: usize,
        window: usize,
    ) -> anyhow::Result<f64> {
        let payload = vec![b'x'; size];
        let started = Instant::now();
        let publisher = self.publisher.clone();
        let queue = self.queue.clone();
        let publishing = tokio::spawn(async move {
            let mut pending: VecDeque<sync_queue::queue::PendingConfirm> = VecDeque::new();
            for _ in 0..count {
                if pending.len() >= window {
                    if let Some(confirm) = pending.pop_front() {
                        confirm.wait().await?;
                    }
                }
                pending.push_back(
                    publisher
                        .send("", &queue, &payload, RawLoop::properties())
                        .await?,
                );
            }
            for confirm in pending {
                confirm.wait().await?;
            }
            anyhow::Ok(())
        });
        for _ in 0..count {
            self.consume_one().await?;
        }
        publishing.await.context("publisher task")??;
        Ok(count as f64 / started.elapsed().as_secs_f64())
    }

    /// One message: publish, confirm, deliver, ack. Returns the round trip.
    pub async fn round_trip(&mut self, size: usize) -> anyhow::Result<Duration> {
        let payload = vec![b'x'; size];
        let started = Instant::now();
        self.publisher
            .publish_to_queue(&self.queue, &payload, RawLoop::properties())
            .await?;
        self.consume_one().await?;
        Ok(started.elapsed())
    }

    async fn consume_one(&mut self) -> anyhow::Result<()> {
        let delivery = tokio::time::timeout(Duration::from_secs(30), self.consumer.next())
            .await
            .context("no delivery within 30 s")?
            .context("consumer closed")??;
        delivery.ack(BasicAckOptions::default()).await?;
        Ok(())
    }

    pub async fn close(self) -> anyhow::Result<()> {
        self.publisher
            .channel()
            .queue_delete(&self.queue, QueueDeleteOptions::default())
            .await?;
        let _ = self.consumer_conn.close(200, "bench done").await;
        let _ = self.publisher_conn.close(200, "bench done").await;
        Ok(())
    }
}
