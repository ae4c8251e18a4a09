//! Direct broker access for tests: peek at the dead-letter queue, publish raw bodies (a stack's
//! queues are deleted by `qlosync_stack::delete_queues`).

use std::net::SocketAddr;

use lapin::options::{BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Connection};
use sync_core::messages::QueueKind;
use sync_queue::queue::{QueueConfig, Topology};

use crate::Env;

pub fn broker_addr(env: &Env) -> SocketAddr {
    crate::socket_addr(&env.get("RABBITMQ_URL"))
}

fn topology(env: &Env) -> Topology {
    Topology::new(QueueConfig::from_lookup(env.lookup()).expect("queue config"))
}

async fn channel(env: &Env) -> (Connection, Channel) {
    let connection = sync_queue::queue::connect(&env.get("RABBITMQ_URL"), "e2e test")
        .await
        .expect("broker connection");
    let channel = connection.create_channel().await.expect("channel");
    (connection, channel)
}

/// One dead-lettered message as the DLQ holds it.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    pub body: String,
    pub error: Option<String>,
    pub reason: Option<String>,
    pub attempts: Option<u32>,
    pub original_queue: Option<String>,
}

/// Every message in the DLQ; they are left in place (read unacked, then requeued).
pub async fn dead_letters(env: &Env) -> Vec<DeadLetter> {
    let (connection, channel) = channel(env).await;
    let queue = topology(env).dead_letter_queue();
    let mut letters = Vec::new();
    while let Ok(Some(message)) = channel
        .basic_get(&queue, BasicGetOptions { no_ack: false })
        .await
    {
        let headers = message.delivery.properties.headers().as_ref();
        let text = |name: &str| sync_queue::queue::headers::get_str(headers, name);
        letters.push(DeadLetter {
            body: String::from_utf8_lossy(&message.delivery.data).into_owned(),
            error: text("x-qlosync-error"),
            reason: text("x-qlosync-dead-letter-reason"),
            attempts: sync_queue::queue::headers::get_u32(headers, "x-qlosync-attempts"),
            original_queue: text("x-qlosync-original-queue"),
        });
    }
    let _ = connection.close(200, "peeked").await; // unacked messages go back to the queue
    letters
}

/// Publishes `body` as-is to the outbound work queue, with a confirm.
pub async fn publish_raw(env: &Env, body: &[u8]) {
    let (connection, channel) = channel(env).await;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirms");
    let queue = topology(env).work_queue(QueueKind::Outbound);
    let properties = BasicProperties::default().with_delivery_mode(2);
    channel
        .basic_publish("", &queue, BasicPublishOptions::default(), body, properties)
        .await
        .expect("publish")
        .await
        .expect("confirm");
    let _ = connection.close(200, "published").await;
}
