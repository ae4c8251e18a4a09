//! A private, declared topology on the machine's RabbitMQ, with dead letters as a worker
//! writes them.

use chrono::Utc;
use serde_json::json;
use sync_core::messages::QueueKind;
use sync_queue::dlq::DeadLetterQueue;
use sync_queue::queue::{connect, headers as h, ConfirmPublisher, QueueConfig, Topology};
use uuid::Uuid;

pub fn amqp_url() -> String {
    std::env::var("RABBITMQ_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// A private, declared topology, deleted when dropped.
pub struct Broker {
    pub topology: Topology,
    publisher: ConfirmPublisher,
}

impl Broker {
    pub async fn new() -> Broker {
        let topology = Topology::new(QueueConfig {
            prefix: format!("api{}.", &Uuid::new_v4().simple().to_string()[..12]),
            ..QueueConfig::default()
        });
        let connection = connect(&amqp_url(), "api dlq test").await.expect("broker");
        let publisher = ConfirmPublisher::open(&connection).await.expect("channel");
        topology
            .declare(publisher.channel())
            .await
            .expect("declare");
        Broker {
            topology,
            publisher,
        }
    }

    pub fn dlq(&self) -> DeadLetterQueue {
        DeadLetterQueue::new(amqp_url(), self.topology.clone())
    }

    /// A dead letter as a worker writes it; returns its id.
    pub async fn dead_letter(&self, config_id: Uuid, reason: &str, with_queue: bool) -> String {
        let id = Uuid::new_v4().to_string();
        let body = json!({"eventType": "reservation.create", "messageId": id, "configId": config_id,
            "reservationId": Uuid::new_v4(), "timestamp": Utc::now()});
        let props = sync_queue::queue::message_properties(
            &id,
            "reservation.create",
            None,
            Utc::now().timestamp(),
            &config_id.to_string(),
        );
        let mut headers = props.headers().clone().unwrap_or_default();
        h::set_str(&mut headers, h::DEAD_LETTER_REASON, reason);
        h::set_error(&mut headers, "room type 4 is not mapped");
        h::set_u32(&mut headers, h::ATTEMPTS, 1);
        h::set_time(&mut headers, h::LAST_FAILURE_AT, Utc::now());
        if with_queue {
            let work = self.topology.work_queue(QueueKind::Outbound);
            h::set_str(&mut headers, h::ORIGINAL_QUEUE, &work);
        }
        let dlq = self.topology.dead_letter_queue();
        let payload = body.to_string().into_bytes();
        let props = props.with_headers(headers);
        self.publisher
            .publish_to_queue(&dlq, &payload, props)
            .await
            .expect("published");
        id
    }

    pub async fn depth(&self, queue: &str) -> u32 {
        let connection = connect(&amqp_url(), "api dlq test depth")
            .await
            .expect("broker");
        let depth = sync_queue::queue::queue_depth(&connection, queue)
            .await
            .expect("depth");
        let _ = connection.close(200, "done").await;
        depth
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let topology = self.topology.clone();
        // Drop cannot await: delete on a thread with its own runtime, even after a panic
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let connection = connect(&amqp_url(), "api dlq test cleanup").await?;
                let channel = connection.create_channel().await?;
                topology.delete(&channel).await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
    }
}
