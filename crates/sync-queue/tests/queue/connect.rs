use sync_queue::queue::{connect, QueueError};

use crate::helpers::*;

/// A loopback port nothing listens on (bound, then released).
fn dead_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("amqp://guest:guest@127.0.0.1:{port}/%2f")
}

#[tokio::test]
async fn a_list_of_broker_urls_is_tried_in_turn_until_a_node_answers() {
    let list = format!("{},{}", dead_url(), amqp_url());
    let connection = connect(&list, "qlosync test list").await.unwrap();
    assert!(connection.status().connected());
    connection.close(200, "done").await.unwrap();

    let err = connect(
        &format!("{},{}", dead_url(), dead_url()),
        "qlosync test none",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, QueueError::Broker(_)), "{err}");
    assert!(err.is_transient(), "no node up yet is worth retrying");
}
