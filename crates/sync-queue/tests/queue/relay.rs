use std::{collections::HashSet, time::Duration};

use sqlx::PgPool;
use sync_core::{messages::QueueKind, outbox};
use sync_queue::{
    queue::{QueueConfig, Topology},
    relay::{outbox_backlog, OutboxRelay, RelayConfig, RelayError},
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::helpers::*;

const WAIT: Duration = Duration::from_secs(15);

struct RunningRelay {
    cancel: CancellationToken,
    task: JoinHandle<Result<(), RelayError>>,
}

impl RunningRelay {
    async fn stop(self) {
        self.cancel.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("relay did not stop")
            .unwrap()
            .expect("the relay ends without an error");
    }
}

fn start_relay(pool: &PgPool, url: &str, topology: &Topology, config: RelayConfig) -> RunningRelay {
    let cancel = CancellationToken::new();
    let relay = OutboxRelay::new(pool.clone(), url, topology.clone(), config);
    let task = tokio::spawn(relay.run(cancel.clone()));
    RunningRelay { cancel, task }
}

fn relay_config() -> RelayConfig {
    RelayConfig {
        batch_size: 10,
        poll_interval: Duration::from_secs(60),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(300),
        confirm_timeout: Duration::from_secs(5),
    }
}

async fn enqueue(pool: &PgPool, n: usize) -> Vec<Uuid> {
    let mut ids = Vec::new();
    let mut tx = pool.begin().await.unwrap();
    for _ in 0..n {
        ids.push(
            outbox::enqueue(&mut tx, &reservation_message(Uuid::new_v4()))
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    ids
}

async fn unsent(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_relay_publishes_each_row_once_with_its_properties_and_marks_it_sent(pool: PgPool) {
    let broker = TestBroker::new(test_config()).await;
    let ids = enqueue(&pool, 25).await;
    let relay = start_relay(&pool, &amqp_url(), &broker.topology, relay_config());

    assert!(wait_until(WAIT, || async { unsent(&pool).await == 0 }).await);
    relay.stop().await;

    let published = broker
        .drain(&broker.topology.work_queue(QueueKind::Outbound))
        .await;
    let got: Vec<Uuid> = published
        .iter()
        .map(|m| {
            m.delivery
                .properties
                .message_id()
                .as_ref()
                .unwrap()
                .as_str()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(got, ids, "each row once, in order");
    let props = &published[0].delivery.properties;
    assert_eq!(props.delivery_mode(), &Some(2), "persistent");
    assert_eq!(
        props.kind().as_ref().unwrap().as_str(),
        "reservation.create"
    );
    assert_eq!(
        props.content_type().as_ref().unwrap().as_str(),
        "application/json"
    );
    assert_eq!(props.correlation_id().as_ref().unwrap().as_str(), "test");
    let body: serde_json::Value = serde_json::from_slice(&published[0].delivery.data).unwrap();
    assert_eq!(body["messageId"], ids[0].to_string());
    let attempts: Vec<i32> = sqlx::query_scalar("SELECT publish_attempts FROM outbox")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(attempts.iter().all(|a| *a == 1));
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn two_relays_on_one_table_publish_each_row_once(pool: PgPool) {
    let broker = TestBroker::new(test_config()).await;
    let ids = enqueue(&pool, 300).await;
    let config = RelayConfig {
        batch_size: 7,
        ..relay_config()
    };
    let a = start_relay(&pool, &amqp_url(), &broker.topology, config.clone());
    let b = start_relay(&pool, &amqp_url(), &broker.topology, config);

    assert!(wait_until(WAIT, || async { unsent(&pool).await == 0 }).await);
    a.stop().await;
    b.stop().await;

    let published = broker
        .drain(&broker.topology.work_queue(QueueKind::Outbound))
        .await;
    let distinct: HashSet<String> = published
        .iter()
        .map(|m| {
            m.delivery
                .properties
                .message_id()
                .as_ref()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        published.len(),
        ids.len(),
        "a row was published twice or not at all"
    );
    assert_eq!(distinct.len(), ids.len());
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_notification_wakes_the_relay_long_before_its_poll(pool: PgPool) {
    let broker = TestBroker::new(test_config()).await;
    // polls every 60 s
    let relay = start_relay(&pool, &amqp_url(), &broker.topology, relay_config());
    tokio::time::sleep(Duration::from_millis(700)).await; // connected, listening, idle

    let started = std::time::Instant::now();
    enqueue(&pool, 1).await;
    let queue = broker.topology.work_queue(QueueKind::Outbound);
    let got = broker.get(&queue, Duration::from_secs(3)).await;
    let took = started.elapsed();
    relay.stop().await;
    assert!(got.is_some(), "not woken by NOTIFY");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn rows_written_while_the_broker_is_unreachable_are_kept_and_published_when_it_returns(
    pool: PgPool,
) {
    let broker = TestBroker::new(test_config()).await;
    let (proxy, url) = broker_proxy().await;
    proxy.set_reachable(false);
    let relay = start_relay(&pool, &url, &broker.topology, relay_config());
    let ids = enqueue(&pool, 3).await;

    let failing = || async {
        let (attempts, errors): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE publish_attempts >= 2), count(last_error)
             FROM outbox WHERE sent_at IS NULL",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        attempts == 3 && errors == 3
    };
    assert!(
        wait_until(WAIT, failing).await,
        "failed attempts not recorded on the rows"
    );
    let queue = broker.topology.work_queue(QueueKind::Outbound);
    assert_eq!(broker.depth(&queue).await, 0);

    proxy.set_reachable(true);
    assert!(
        wait_until(WAIT, || async { unsent(&pool).await == 0 }).await,
        "not published after the broker returned"
    );
    relay.stop().await;
    let published = broker.drain(&queue).await;
    assert_eq!(published.len(), ids.len());
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn the_backlog_reports_unsent_rows_and_the_oldest_age(pool: PgPool) {
    let empty = outbox_backlog(&pool).await.unwrap();
    assert_eq!((empty.count, empty.oldest_age), (0, None));
    enqueue(&pool, 3).await;
    sqlx::query(
        "UPDATE outbox SET created_at = now() - interval '90 seconds'
         WHERE id = (SELECT min(id) FROM outbox)",
    )
    .execute(&pool)
    .await
    .unwrap();

    let backlog = outbox_backlog(&pool).await.unwrap();
    assert_eq!(backlog.count, 3);
    let age = backlog.oldest_age.unwrap();
    assert!(
        age >= Duration::from_secs(90) && age < Duration::from_secs(100),
        "{age:?}"
    );

    let broker = TestBroker::new(test_config()).await;
    let relay = start_relay(&pool, &amqp_url(), &broker.topology, relay_config());
    assert!(
        wait_until(WAIT, || async {
            outbox_backlog(&pool).await.unwrap().count == 0
        })
        .await
    );
    relay.stop().await;
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_full_quorum_queue_back_pressures_the_relay_which_keeps_the_rows_until_it_drains(
    pool: PgPool,
) {
    let broker = TestBroker::new(QueueConfig {
        max_length: 3,
        ..test_config()
    })
    .await;
    let queue = broker.topology.work_queue(QueueKind::Outbound);
    let ids = enqueue(&pool, 12).await;
    let config = RelayConfig {
        batch_size: 4,
        // generous: a confirm that times out would be published again (a duplicate)
        confirm_timeout: Duration::from_secs(30),
        ..relay_config()
    };
    let relay = start_relay(&pool, &amqp_url(), &broker.topology, config);

    // no consumer: the queue fills, then the broker nacks and the rows stay in the outbox
    let refused = || async {
        let (kept, nacked): (i64, i64) = sqlx::query_as(
            "SELECT count(*), count(*) FILTER (WHERE last_error LIKE '%nacked%')
             FROM outbox WHERE sent_at IS NULL",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        kept > 0 && nacked > 0
    };
    assert!(
        wait_until(WAIT, refused).await,
        "a full queue must nack the relay and leave the rows unsent"
    );
    // RabbitMQ 3.10 lets a quorum queue reach its limit + 1 (tests/queue/topology.rs)
    assert!(
        broker.depth(&queue).await <= 4,
        "the queue grew past its limit"
    );
    assert_eq!(broker.depth(&broker.topology.dead_letter_queue()).await, 0);

    // a consumer drains the queue: the relay delivers the kept rows on its retries
    let mut got: Vec<Uuid> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let drained = loop {
        for m in broker.drain(&queue).await {
            let id = m
                .delivery
                .properties
                .message_id()
                .as_ref()
                .unwrap()
                .as_str();
            got.push(id.parse().unwrap());
        }
        if got.len() >= ids.len() && unsent(&pool).await == 0 {
            break true;
        }
        if std::time::Instant::now() > deadline {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    relay.stop().await;
    assert!(drained, "only {} of 12 rows delivered", got.len());
    for m in broker.drain(&queue).await {
        let id = m
            .delivery
            .properties
            .message_id()
            .as_ref()
            .unwrap()
            .as_str();
        got.push(id.parse().unwrap());
    }
    let distinct: HashSet<Uuid> = got.iter().copied().collect();
    assert_eq!(distinct, ids.iter().copied().collect(), "a row was lost");
    assert_eq!(got.len(), ids.len(), "a row was delivered twice");
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_relay_meeting_classic_queues_when_told_quorum_stops_with_the_migration_error_and_keeps_the_rows(
    pool: PgPool,
) {
    let classic = QueueConfig {
        queue_type: sync_queue::queue::QueueType::Classic,
        ..test_config()
    };
    let broker = TestBroker::new(classic.clone()).await;
    let quorum = Topology::new(QueueConfig {
        queue_type: sync_queue::queue::QueueType::Quorum,
        ..classic
    });
    enqueue(&pool, 2).await;
    let relay = start_relay(&pool, &amqp_url(), &quorum, relay_config());

    let ended = tokio::time::timeout(WAIT, relay.task)
        .await
        .expect("the relay must stop on its own, not retry forever")
        .unwrap();
    let err = ended.expect_err("a refused topology is an error");
    assert!(err.to_string().contains("docs/queues.md"), "{err}");
    assert_eq!(
        unsent(&pool).await,
        2,
        "the rows stay for after the migration"
    );
    let queue = broker.topology.work_queue(QueueKind::Outbound);
    assert_eq!(broker.depth(&queue).await, 0);
}
