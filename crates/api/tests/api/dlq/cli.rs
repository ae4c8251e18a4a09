//! `api dlq list | replay | discard` against the broker.

use std::collections::HashMap;

use api::dlq_cli::{run, DlqCommand, SelectArgs};
use serde_json::Value;
use uuid::Uuid;

use super::broker::{amqp_url, Broker};

#[tokio::test]
async fn the_cli_lists_replays_and_discards_and_fails_clearly() {
    let broker = Broker::new().await;
    let env: HashMap<&str, String> = [
        ("RABBITMQ_URL", amqp_url()),
        ("QLOSYNC_QUEUE_PREFIX", broker.topology.prefix().to_owned()),
    ]
    .into();
    let lookup = |name: &str| env.get(name).cloned();
    let kept = broker.dead_letter(Uuid::new_v4(), "permanent", true).await;
    let stray = broker.dead_letter(Uuid::new_v4(), "permanent", false).await;
    let select = |id: Option<&str>, all: bool| SelectArgs {
        id: id.map(str::to_owned),
        event_type: None,
        config_id: None,
        reason: None,
        all,
    };

    let mut out = Vec::new();
    run(
        &DlqCommand::List {
            limit: 10,
            json: false,
        },
        &lookup,
        &mut out,
    )
    .await
    .expect("list");
    let table = String::from_utf8(out).expect("utf-8");
    assert!(table.contains("2 messages, showing 2"), "{table}");
    assert!(
        table.contains(&kept) && table.contains("room type 4 is not mapped"),
        "{table}"
    );

    let mut out = Vec::new();
    let replay = DlqCommand::Replay {
        select: select(None, true),
        json: true,
    };
    let err = run(&replay, &lookup, &mut out)
        .await
        .expect_err("one cannot be replayed");
    assert!(
        err.to_string()
            .contains("1 selected messages could not be replayed"),
        "{err}"
    );
    let report: Value = serde_json::from_slice(&out).expect("json report");
    assert_eq!(
        (report["replayed"].as_u64(), report["failed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(report["failures"][0]["id"], stray.as_str());

    let mut out = Vec::new();
    let discard = DlqCommand::Discard {
        select: select(Some(&stray), false),
        json: false,
    };
    run(&discard, &lookup, &mut out).await.expect("discard");
    assert_eq!(
        String::from_utf8(out).expect("utf-8"),
        "discarded 1, left 0 in the dead-letter queue\n"
    );
    assert_eq!(broker.depth(&broker.topology.dead_letter_queue()).await, 0);

    let no_url = |name: &str| (name != "RABBITMQ_URL").then(|| lookup(name)).flatten();
    let err = run(
        &DlqCommand::List {
            limit: 1,
            json: true,
        },
        &no_url,
        &mut Vec::new(),
    )
    .await;
    assert!(err
        .expect_err("no url")
        .to_string()
        .contains("RABBITMQ_URL is not set"));
}
