//! The queue-depth history (`api::queue_samples`): a reading of the machine's RabbitMQ under a
//! private prefix is stored under its minute (the largest reading of the minute stays), pruned
//! after 48 h, and charted by `.../activity`.

use api::queue_samples::{sample_once, KEEP_FOR};
use axum::http::StatusCode;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::Value;
use sqlx::PgPool;
use sync_core::db::queue_depth_samples::{prune, record, Sample};
use uuid::Uuid;

use crate::dlq::broker::Broker;
use crate::helpers::TestApp;

fn depths(at: DateTime<Utc>, outbound: u32, dead_letter: u32) -> Sample {
    Sample {
        read_at: at,
        outbound,
        inbound: 0,
        dead_letter,
    }
}

async fn samples(pool: &PgPool) -> Vec<(DateTime<Utc>, i32, i32, i32)> {
    sqlx::query_as(
        "SELECT sampled_at, outbound, inbound, dead_letter FROM queue_depth_samples ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("samples")
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_sample_reads_rabbitmq_and_is_stored_under_its_minute(pool: PgPool) {
    let broker = Broker::new().await;
    broker.dead_letter(Uuid::new_v4(), "permanent", true).await;
    broker.dead_letter(Uuid::new_v4(), "permanent", true).await;
    assert!(sample_once(&pool, &broker.dlq()).await);
    let stored = samples(&pool).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    let (at, outbound, inbound, dead_letter) = stored[0];
    assert_eq!((outbound, inbound, dead_letter), (0, 0, 2));
    assert_eq!(at, at.duration_trunc(TimeDelta::minutes(1)).unwrap());

    // the queues of a prefix no worker declared: nothing stored, no panic
    let other = sync_queue::dlq::DeadLetterQueue::new(
        crate::dlq::broker::amqp_url(),
        sync_queue::queue::Topology::new(sync_queue::queue::QueueConfig {
            prefix: format!("nosample{}.", &Uuid::new_v4().simple().to_string()[..8]),
            ..Default::default()
        }),
    );
    assert!(!sample_once(&pool, &other).await);
    assert_eq!(samples(&pool).await.len(), 1);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn one_row_a_minute_with_its_largest_reading_and_none_older_than_48_hours(pool: PgPool) {
    let now = Utc::now();
    let minute = now.duration_trunc(TimeDelta::minutes(1)).unwrap();
    assert!(record(&pool, &depths(minute + TimeDelta::seconds(5), 3, 1))
        .await
        .unwrap());
    // later readings of the same minute (this sampler, another api process): the largest
    // reading of each queue stays
    assert!(
        record(&pool, &depths(minute + TimeDelta::seconds(20), 9, 0))
            .await
            .unwrap()
    );
    assert!(
        !record(&pool, &depths(minute + TimeDelta::seconds(40), 2, 1))
            .await
            .unwrap()
    );
    let old = now - KEEP_FOR - TimeDelta::minutes(5);
    let kept = now - KEEP_FOR + TimeDelta::minutes(5);
    for at in [old, kept] {
        record(&pool, &depths(at, 1, 0)).await.unwrap();
    }
    assert_eq!(prune(&pool, now - KEEP_FOR).await.unwrap(), 1);
    let stored = samples(&pool).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(stored[1], (minute, 9, 0, 1));
    assert!(stored[0].0 > old);
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn activity_charts_the_largest_sampled_depth_per_bucket(pool: PgPool) {
    let app = TestApp::new(pool);
    let world = app.world().await;
    let ten_minutes_ago = Utc::now() - TimeDelta::minutes(10);
    // two samples in two consecutive minutes
    record(&app.pool, &depths(ten_minutes_ago, 4, 1))
        .await
        .unwrap();
    record(
        &app.pool,
        &depths(ten_minutes_ago + TimeDelta::minutes(1), 7, 2),
    )
    .await
    .unwrap();
    let activity = app
        .get(&format!(
            "/api/v1/qloapps/configs/{}/activity?hours=1",
            world.config
        ))
        .await;
    activity.assert_status(StatusCode::OK);
    let buckets = activity.body["buckets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let sampled: Vec<&Value> = buckets
        .iter()
        .filter(|b| !b["outboundQueueDepth"].is_null())
        .collect();
    assert_eq!(sampled.len(), 2, "one-minute buckets: {sampled:?}");
    assert_eq!(
        (&sampled[0]["outboundQueueDepth"], &sampled[0]["dlqDepth"]),
        (&Value::from(4), &Value::from(1))
    );
    assert_eq!(sampled[1]["outboundQueueDepth"], 7);
    assert_eq!(sampled[1]["inboundQueueDepth"], 0);
    assert!(buckets
        .iter()
        .filter(|b| b["outboundQueueDepth"].is_null())
        .all(|b| b["dlqDepth"].is_null() && b["inboundQueueDepth"].is_null()));

    // 24 h: 12-minute buckets, which hold both samples or one each
    let day = app
        .get(&format!(
            "/api/v1/qloapps/configs/{}/activity?hours=24",
            world.config
        ))
        .await;
    let buckets = day.body["buckets"].as_array().cloned().unwrap_or_default();
    let largest: Vec<i64> = buckets
        .iter()
        .filter_map(|b| b["outboundQueueDepth"].as_i64())
        .collect();
    assert!(
        largest == [7] || largest == [4, 7],
        "the largest per 12-minute bucket: {largest:?}"
    );
}
