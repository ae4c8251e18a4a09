//! The api's real listener (`Application`): a GET with a body is answered (never a reset
//! connection), clients that never finish their headers are cut off after
//! `HTTP_HEADER_READ_TIMEOUT_MS`, and connections past `HTTP_MAX_CONNECTIONS` wait while the
//! others keep working.

use std::collections::HashMap;
use std::time::Duration;

use api::config::Settings;
use api::Application;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

/// Far longer than any of these steps takes on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(20);

async fn start(pool: &PgPool, extra: &[(&str, &str)]) -> (u16, CancellationToken) {
    let url = crate::migrate::url_of(pool).await;
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_owned(), url),
        ("DATABASE_MAX_CONNECTIONS".to_owned(), "2".to_owned()),
        ("API_LISTEN_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
        ("API_TOKENS".to_owned(), crate::helpers::TOKEN.to_owned()),
        (
            "QLOSYNC_ENCRYPTION_KEY".to_owned(),
            sync_core::crypto::generate_key(),
        ),
    ]);
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let settings = Settings::from_env(&|k: &str| env.get(k).cloned()).expect("settings");
    let application = Application::build(&settings).await.expect("builds");
    let port = application.port();
    let shutdown = CancellationToken::new();
    tokio::spawn(application.run_until_stopped(shutdown.clone()));
    (port, shutdown)
}

/// Reads one HTTP/1.1 response with a `Content-Length` body; returns its head and body.
async fn read_response(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .expect("a content-length");
            let start = end + 4;
            while buffer.len() < start + length {
                let n = stream.read(&mut chunk).await.expect("reads the body");
                assert!(n > 0, "the connection closed inside the body");
                buffer.extend_from_slice(&chunk[..n]);
            }
            return (head, buffer[start..start + length].to_vec());
        }
        let n = stream.read(&mut chunk).await.expect("reads the head");
        assert!(
            n > 0,
            "the connection closed before an answer: {:?}",
            String::from_utf8_lossy(&buffer)
        );
        buffer.extend_from_slice(&chunk[..n]);
    }
}

async fn get(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let (head, _) = tokio::time::timeout(PATIENCE, read_response(stream))
        .await
        .expect("answered in time");
    head
}

/// True when the server closed the connection (end of file or a reset, after whatever it
/// wrote last) within [`PATIENCE`].
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut sink = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut sink))
        .await
        .is_ok()
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn a_get_with_a_body_is_answered_and_the_connection_kept(pool: PgPool) {
    let (port, shutdown) = start(&pool, &[]).await;
    for path in ["/metrics", "/health", "/api/v1/openapi.json"] {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connects");
        let body = "x".repeat(48 * 1024);
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n\
             Authorization: Bearer {}\r\nContent-Length: {}\r\n\r\n{body}",
            crate::helpers::TOKEN,
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("writes");
        let (head, _) = tokio::time::timeout(PATIENCE, read_response(&mut stream))
            .await
            .expect("answered in time");
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
        // the same connection serves the next request
        let next = get(&mut stream, "/health").await;
        assert!(
            next.starts_with("HTTP/1.1 200"),
            "{path} then /health: {next}"
        );
    }
    shutdown.cancel();
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn clients_that_never_finish_their_headers_are_cut_off(pool: PgPool) {
    let (port, shutdown) = start(&pool, &[("HTTP_HEADER_READ_TIMEOUT_MS", "300")]).await;
    // one sends nothing at all, one half a request line, one headers without the blank line
    let mut silent = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    let mut half = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    half.write_all(b"GET /hea").await.expect("writes");
    let mut slow = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .expect("writes");
    assert!(
        closed_by_server(&mut silent).await,
        "the silent client is cut off"
    );
    assert!(
        closed_by_server(&mut half).await,
        "the half request is cut off"
    );
    assert!(
        closed_by_server(&mut slow).await,
        "the unfinished headers are cut off"
    );

    // an idle kept-alive connection is closed too, and a prompt client is still served
    let mut prompt = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    assert!(get(&mut prompt, "/health")
        .await
        .starts_with("HTTP/1.1 200"));
    assert!(
        closed_by_server(&mut prompt).await,
        "the idle connection is closed"
    );
    let mut another = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    assert!(get(&mut another, "/health")
        .await
        .starts_with("HTTP/1.1 200"));
    shutdown.cancel();
}

#[sqlx::test(migrator = "sync_core::db::MIGRATOR")]
async fn connections_past_the_limit_wait_while_the_others_work(pool: PgPool) {
    let (port, shutdown) = start(
        &pool,
        &[
            ("HTTP_MAX_CONNECTIONS", "2"),
            ("HTTP_HEADER_READ_TIMEOUT_MS", "60000"),
        ],
    )
    .await;
    let mut first = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    let mut second = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    assert!(get(&mut first, "/health").await.starts_with("HTTP/1.1 200"));
    assert!(get(&mut second, "/health")
        .await
        .starts_with("HTTP/1.1 200"));

    // a third connection is not served while two are open...
    let mut third = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects (backlog)");
    third
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("writes");
    let waited = tokio::time::timeout(Duration::from_millis(500), read_response(&mut third)).await;
    assert!(
        waited.is_err(),
        "the third connection is served past the limit"
    );
    // ...while the two keep working
    assert!(get(&mut first, "/health").await.starts_with("HTTP/1.1 200"));
    assert!(get(&mut second, "/health")
        .await
        .starts_with("HTTP/1.1 200"));

    // once one closes, the waiting one is answered
    drop(first);
    let (head, _) = tokio::time::timeout(PATIENCE, read_response(&mut third))
        .await
        .expect("the waiting connection is served once a place is free");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    shutdown.cancel();
}
