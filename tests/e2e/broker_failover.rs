//! A three-node RabbitMQ cluster loses the leader of `qloapps.outbound` in the middle of a load
//! of reservations: the api's relay and the workers reconnect to the surviving nodes (they are
//! given every node in `RABBITMQ_URL`), the quorum queue elects a new leader, and every
//! reservation ends as exactly one order in QloApps (qlo-sim): none lost, none duplicated.
//! The nodes are private (their own names, ports and data), never the machine's broker.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{Days, NaiveDate};
use qlo_sim::SimConfig;
use qlosync_tests::{eventually, Demo, RabbitNodes, Stack};
use sqlx::PgPool;

const RESERVATIONS: usize = 30;
/// Generous: three nodes and the stack share two busy cores.
const WAIT: Duration = Duration::from_secs(90);

async fn reserve(stack: &Stack, demo: &Demo, n: usize) -> String {
    let first = NaiveDate::from_ymd_opt(2027, 2, 1).expect("date");
    let check_in = first + Days::new(3 * n as u64);
    let check_out = check_in + Days::new(2);
    demo.reserve(
        stack,
        n % 4,
        &check_in.to_string(),
        &check_out.to_string(),
        "200.00",
    )
    .await
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn killing_the_queue_leader_mid_load_loses_and_duplicates_no_reservation(pool: PgPool) {
    let cluster = RabbitNodes::start(3).await;
    let urls = cluster.urls();
    let mut stack = Stack::start(pool, SimConfig::default(), &[("RABBITMQ_URL", &urls)]).await;
    stack.start_worker(false).await;
    stack.start_worker(false).await;
    let demo = stack.demo().await;
    let queue = format!("{}qloapps.outbound", stack.env.get("QLOSYNC_QUEUE_PREFIX"));

    // the workers declared the queue (on the node they reached first): find its leader
    let leader = eventually("a leader of the outbound queue", WAIT, || async {
        cluster.leader_of(&queue, 1).await
    })
    .await;

    // the load and the kill at once: the leader dies once a few reservations are in QloApps
    // while the rest are being written, relayed and consumed
    let load = async {
        let mut ids = Vec::new();
        for n in 0..RESERVATIONS {
            ids.push(reserve(&stack, &demo, n).await);
        }
        ids
    };
    let kill = async {
        eventually("the first orders in QloApps", WAIT, || async {
            let pushed: i64 =
                sqlx::query_scalar("SELECT count(*) FROM qloapps_reservation_mappings")
                    .fetch_one(&stack.pool)
                    .await
                    .expect("mapping count");
            (pushed >= 3).then_some(pushed)
        })
        .await
    };
    let (ids, pushed_at_kill) = tokio::join!(load, async {
        let pushed = kill.await;
        cluster.kill(leader);
        pushed
    });
    eprintln!("killed the leader (node {leader}) with {pushed_at_kill} of {RESERVATIONS} pushed");

    let survivor = (leader + 1) % 3;
    let new_leader = eventually("a new leader on a surviving node", WAIT, || async {
        cluster
            .leader_of(&queue, survivor)
            .await
            .filter(|l| *l != leader)
    })
    .await;
    assert_ne!(new_leader, leader);
    eprintln!("new leader: node {new_leader}");
    eventually("every reservation in QloApps", WAIT, || async {
        let pushed = ids
            .iter()
            .filter(|id| !stack.sim_orders_for(id).is_empty())
            .count();
        (pushed == ids.len() && stack.outbox_backlog().await == 0).then_some(())
    })
    .await;
    // let redelivered copies (messages unacked on the killed node) play out before counting
    tokio::time::sleep(Duration::from_secs(2)).await;
    let orders: HashMap<&String, usize> = ids
        .iter()
        .map(|id| (id, stack.sim_orders_for(id).len()))
        .collect();
    let lost = orders.values().filter(|n| **n == 0).count();
    let duplicated = orders.values().filter(|n| **n > 1).count();
    assert_eq!(
        (lost, duplicated),
        (0, 0),
        "orders per reservation: {orders:?}"
    );
    assert!(
        stack.dead_letters().await.is_empty(),
        "nothing dead-lettered"
    );
    stack.stop().await;
}
