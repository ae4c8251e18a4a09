//! Connecting to RabbitMQ through a list of broker URLs (`RABBITMQ_URL` may name several nodes
//! of one cluster, comma-separated): each is tried in turn until one answers, so a process that
//! lost its node reconnects to a surviving one.

use std::str::FromStr;
use std::time::Duration;

use lapin::{uri::AMQPUri, Connection, ConnectionProperties};
use tracing::debug;

use super::QueueError;

/// How long one node may take to accept a connection before the next one is tried.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The URLs of `raw`, a comma-separated list (one URL is a list of one), in order.
pub fn broker_urls(raw: &str) -> Vec<&str> {
    raw.split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect()
}

/// Checks that `raw` is a non-empty list of `amqp://` / `amqps://` URLs. The problem names the
/// entry by position, never its text (it may hold a password).
pub fn validate_broker_urls(raw: &str) -> Result<(), String> {
    let urls = broker_urls(raw);
    if urls.is_empty() {
        return Err("names no broker URL".to_owned());
    }
    for (i, url) in urls.iter().enumerate() {
        let scheme_ok = url.starts_with("amqp://") || url.starts_with("amqps://");
        if !scheme_ok || AMQPUri::from_str(url).is_err() {
            return Err(format!(
                "entry {} of {} is not an amqp:// or amqps:// URL",
                i + 1,
                urls.len()
            ));
        }
    }
    Ok(())
}

/// Opens an AMQP connection named `name` (shown in the broker's connection list) to the first
/// node of `urls` (comma-separated) that accepts it; the error is the last node's.
pub async fn connect(urls: &str, name: &str) -> Result<Connection, QueueError> {
    let candidates = broker_urls(urls);
    let mut last = QueueError::NoBrokerUrl;
    for (i, url) in candidates.iter().enumerate() {
        let props = ConnectionProperties::default().with_connection_name(name.into());
        match tokio::time::timeout(CONNECT_TIMEOUT, Connection::connect(url, props)).await {
            Ok(Ok(connection)) => return Ok(connection),
            Ok(Err(e)) => {
                debug!(node = i + 1, error = %e, "broker node refused the connection");
                last = QueueError::Broker(e);
            }
            Err(_) => {
                debug!(node = i + 1, "broker node did not answer in time");
                last = QueueError::ConnectTimeout {
                    after: CONNECT_TIMEOUT,
                };
            }
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_split_on_commas_and_each_entry_must_be_an_amqp_url() {
        let list = "amqp://u:p@127.0.0.1:5672/%2f, amqp://u:p@127.0.0.1:5673/%2f,";
        assert_eq!(
            broker_urls(list),
            vec![
                "amqp://u:p@127.0.0.1:5672/%2f",
                "amqp://u:p@127.0.0.1:5673/%2f"
            ]
        );
        assert!(validate_broker_urls(list).is_ok());
        assert!(validate_broker_urls("amqp://127.0.0.1").is_ok());
        let err = validate_broker_urls("amqp://u:secret@h/%2f,http://u:secret@h2").unwrap_err();
        assert_eq!(err, "entry 2 of 2 is not an amqp:// or amqps:// URL");
        assert!(!err.contains("secret"));
        assert!(validate_broker_urls(" , ").is_err());
    }
}
