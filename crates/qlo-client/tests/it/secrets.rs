//! The API key appears in no log line, no error message and no `Debug` output.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use qlo_client::{ClientConfig, QloClient};
use qlo_sim::{Fault, SimConfig};

use crate::helpers::*;

const KEY: &str = "S3CRETKEYqlosyncDoNotLeak0123456";

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn assert_clean(what: &str, text: &str) {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"));
    assert!(!text.contains(KEY), "{what} contains the key:\n{text}");
    assert!(
        !text.contains(&basic),
        "{what} contains the Basic credentials:\n{text}"
    );
    assert!(
        !text.contains(&KEY[..16]),
        "{what} contains part of the key"
    );
}

// current_thread: the thread-local subscriber sees the client, the simulator and reqwest.
#[tokio::test(flavor = "current_thread")]
async fn the_key_never_appears_in_logs_errors_or_debug_output() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    // A second live dispatcher makes tracing compute a callsite's interest from every registered
    // dispatcher: with only this thread-local one, a sibling test's thread (no subscriber) that
    // hits a callsite first caches it as "never" for the whole process, and its events vanish here.
    let _anchor = tracing::Dispatch::new(tracing_subscriber::registry());
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim_config = SimConfig {
        api_key: KEY.to_owned(),
        ..SimConfig::default()
    };
    let env = start_with(sim_config, Form::Api, |c| {
        c.timeout = Duration::from_millis(300)
    })
    .await;
    let mut errors = Vec::new();

    // Successes, faults of every kind, unknown write outcomes and a breaker opening.
    env.client.test_connection().await.unwrap();
    env.client
        .create_booking("pms:secret", &booking(1, "2026-12-01", "2026-12-03", 1))
        .await
        .unwrap();
    env.sim.set_stock_php8(true);
    errors.push(env.client.booking(1).await.unwrap_err());
    env.client
        .update_booking(1, &booking(1, "2026-12-01", "2026-12-04", 1))
        .await
        .unwrap();
    env.sim.set_stock_php8(false);
    for fault in [
        Fault::status(503),
        Fault::rate_limited(1),
        Fault::timeout(Duration::from_secs(5)),
        Fault::drop_connection(),
        Fault::status_with_error(400, 32, "This filter does not exist."),
    ] {
        env.sim.faults().add(fault.on("orders").always());
        errors.push(env.client.orders_by_ids(&[1]).await.unwrap_err());
        env.sim.faults().clear();
    }
    errors.push(env.client.orders_by_ids(&[1]).await.unwrap_err()); // circuit open by now
    let wrong = client_for(&env.sim, Form::Api, |c| {
        c.api_key = "WRONGKEYWRONGKEYWRONGKEYWRONGKEY".to_owned().into()
    });
    errors.push(wrong.test_connection().await.unwrap_err());
    let refused = {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut c = ClientConfig::new(format!("http://127.0.0.1:{port}/api"), KEY, 1);
        fast(&mut c);
        c.retry.max_retries = 0;
        QloClient::new(c).unwrap()
    };
    errors.push(refused.orders_by_ids(&[1]).await.unwrap_err());
    let bad_config = ClientConfig::new("https://h/api", format!("{KEY}X"), 1);
    let config_err = QloClient::new(bad_config.clone()).unwrap_err();

    drop(_guard);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("QloApps call"),
        "the capture works: {}",
        &logs[..logs.len().min(500)]
    );
    assert!(logs.contains("retrying QloApps request"));
    assert_clean("the logs", &logs);
    for e in &errors {
        assert_clean("an error", &format!("{e} {e:?}"));
    }
    assert_clean("a config error", &format!("{config_err} {config_err:?}"));
    assert_clean(
        "the config",
        &format!("{:?} {bad_config:?}", env.client.config()),
    );
    assert_clean("the client", &format!("{:?}", env.client));
}
