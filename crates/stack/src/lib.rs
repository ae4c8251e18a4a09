//! One whole qlosync installation in this process: the `api` (with its outbox relay) and any
//! number of outbound workers, each a task reading one [`Env`], talking over real sockets to the
//! machine's PostgreSQL and RabbitMQ. The e2e harness (`tests/harness/lib.rs`) and the bench
//! (`crates/bench/src/stack.rs`) both stand their stacks up with it; what they add around it
//! (a simulator, broker proxies, a database of their own) and their tuning stay theirs.
//!
//! Nothing here panics: every failure is an error for the caller to report or to expect.

mod demo;
mod env;

use std::time::Duration;

use anyhow::{bail, Context as _};
use serde_json::Value;
use sync_queue::queue::{QueueConfig, Topology};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use demo::Demo;
pub use env::{database_url, rabbitmq_url, Env, Installation};

/// How long a stopping process has to finish before it is left behind.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

type Task = (CancellationToken, JoinHandle<anyhow::Result<()>>);

/// A running api (with its relay) and the outbound workers started on it.
pub struct Stack {
    /// What the workers read by default, and whose queues [`Stack::stop`] deletes.
    pub env: Env,
    pub api_url: String,
    pub http: reqwest::Client,
    token: String,
    api: Option<Task>,
    workers: Vec<Worker>,
}

/// One outbound worker task.
pub struct Worker {
    cancel: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
    /// Where its `/health`, `/ready` and `/metrics` answer.
    pub ops_url: String,
}

impl Stack {
    /// Starts the api (with its relay) reading `api_env`, which is `env` unless the caller
    /// changes how the api reaches something (the harness puts a proxy before the broker).
    pub async fn start(env: Env, api_env: &Env) -> anyhow::Result<Stack> {
        let settings =
            api::config::Settings::from_env(&api_env.lookup()).context("api settings")?;
        let application = api::Application::build(&settings)
            .await
            .context("building the api")?;
        let api_url = format!("http://127.0.0.1:{}", application.port());
        let cancel = CancellationToken::new();
        let task = tokio::spawn(application.run_until_stopped(cancel.clone()));
        let token = env
            .get("API_TOKENS")
            .split(',')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        Ok(Stack {
            env,
            api_url,
            http: reqwest::Client::new(),
            token,
            api: Some((cancel, task)),
            workers: Vec::new(),
        })
    }

    /// Starts an outbound worker reading `env` (usually [`Stack::env`]); returns its index.
    pub async fn start_worker(&mut self, env: &Env) -> anyhow::Result<usize> {
        let config =
            outbound_worker::WorkerConfig::from_lookup(&env.lookup()).context("worker settings")?;
        let worker = outbound_worker::OutboundWorker::build(config)
            .await
            .context("building an outbound worker")?;
        let ops_url = format!(
            "http://{}",
            worker.ops_addr().context("the worker's ops address")?
        );
        let cancel = CancellationToken::new();
        let task = tokio::spawn(worker.run_until_stopped(cancel.clone()));
        self.workers.push(Worker {
            cancel,
            task,
            ops_url,
        });
        Ok(self.workers.len() - 1)
    }

    /// Worker `i`, if started.
    pub fn worker(&self, i: usize) -> Option<&Worker> {
        self.workers.get(i)
    }

    /// Aborts worker `i`'s task without letting it finish (what it had not acked stays with
    /// its broker connection until that closes).
    pub fn abort_worker(&self, i: usize) {
        if let Some(worker) = self.workers.get(i) {
            worker.task.abort();
        }
    }

    /// An authenticated api call under `/api/v1`: (status, body as JSON, or as a string when
    /// it is not JSON).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.api_url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.context("calling the api")?;
        let status = response.status().as_u16();
        let text = response.text().await.context("reading the api's answer")?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// [`Stack::call`] that requires a 2xx and returns the body.
    pub async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let (status, answer) = self.call(method.clone(), path, body).await?;
        if !(200..300).contains(&status) {
            bail!("{method} {path} → {status}: {answer}");
        }
        Ok(answer)
    }

    /// Stops the workers, then the api (each given 10 s to finish), then deletes the
    /// stack's queues from the broker.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        for worker in self.workers.drain(..) {
            worker.cancel.cancel();
            let _ = tokio::time::timeout(STOP_TIMEOUT, worker.task).await;
        }
        if let Some((cancel, task)) = self.api.take() {
            cancel.cancel();
            let _ = tokio::time::timeout(STOP_TIMEOUT, task).await;
        }
        delete_queues(&self.env).await
    }
}

/// Deletes every queue of `env`'s prefix.
pub async fn delete_queues(env: &Env) -> anyhow::Result<()> {
    let topology = Topology::new(QueueConfig::from_lookup(env.lookup()).context("queue config")?);
    let connection = sync_queue::queue::connect(&env.get("RABBITMQ_URL"), "qlosync-stack")
        .await
        .context("connecting to RabbitMQ")?;
    let channel = connection
        .create_channel()
        .await
        .context("a broker channel")?;
    let deleted = topology.delete(&channel).await.context("deleting queues");
    let _ = connection.close(200, "stack stopped").await;
    deleted
}
