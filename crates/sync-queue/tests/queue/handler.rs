//! A scripted handler that records every call, and a way to run a consumer in the background.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use sync_core::messages::{Message, OutboundMessage, QueueKind};
use sync_queue::queue::{
    ConsumerConfig, Delivered, HandleError, MessageHandler, QueueConsumer, QueueError, Topology,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Call {
    pub at: Instant,
    pub message_id: Uuid,
    pub attempts: u32,
    pub deferrals: u32,
    pub redelivered: bool,
    pub finished: bool,
}

/// Decides a message's fate from the message and how many times it was handled before.
pub type Script = dyn Fn(&OutboundMessage, usize) -> Result<(), HandleError> + Send + Sync;

#[derive(Clone)]
pub struct Scripted {
    calls: Arc<Mutex<Vec<Call>>>,
    script: Arc<Script>,
    work: Duration,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
}

impl Scripted {
    pub fn new(
        script: impl Fn(&OutboundMessage, usize) -> Result<(), HandleError> + Send + Sync + 'static,
    ) -> Self {
        Scripted {
            calls: Arc::default(),
            script: Arc::new(script),
            work: Duration::ZERO,
            in_flight: Arc::default(),
            max_in_flight: Arc::default(),
        }
    }

    pub fn ok() -> Self {
        Self::new(|_, _| Ok(()))
    }

    /// Each call takes `work` before it returns.
    pub fn taking(mut self, work: Duration) -> Self {
        self.work = work;
        self
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub fn calls_for(&self, message_id: Uuid) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.message_id == message_id)
            .collect()
    }

    pub fn finished_for(&self, message_id: Uuid) -> usize {
        self.calls_for(message_id)
            .iter()
            .filter(|c| c.finished)
            .count()
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl MessageHandler<OutboundMessage> for Scripted {
    async fn handle(&self, msg: &Delivered<OutboundMessage>) -> Result<(), HandleError> {
        let envelope = msg.message.envelope();
        let index = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(Call {
                at: Instant::now(),
                message_id: envelope.message_id,
                attempts: msg.attempts,
                deferrals: msg.deferrals,
                redelivered: msg.redelivered,
                finished: false,
            });
            calls.len() - 1
        };
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.work).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let before = self.calls_for(envelope.message_id).len() - 1;
        let result = (self.script)(&msg.message, before);
        self.calls.lock().unwrap()[index].finished = true;
        result
    }
}

pub struct Running {
    pub cancel: CancellationToken,
    pub task: JoinHandle<Result<(), QueueError>>,
}

impl Running {
    pub async fn stop(self) {
        self.cancel.cancel();
        let result = tokio::time::timeout(Duration::from_secs(10), self.task).await;
        result.expect("consumer did not stop").unwrap().unwrap();
    }
}

pub fn start_consumer(
    url: &str,
    topology: &Topology,
    config: ConsumerConfig,
    handler: Scripted,
) -> Running {
    let cancel = CancellationToken::new();
    let consumer = QueueConsumer::new(url, topology.clone(), QueueKind::Outbound, config, handler);
    let task = tokio::spawn(consumer.run(cancel.clone()));
    Running { cancel, task }
}

pub fn consumer_config(max_retries: u32) -> ConsumerConfig {
    ConsumerConfig {
        max_retries,
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(500),
        ..ConsumerConfig::default()
    }
}
