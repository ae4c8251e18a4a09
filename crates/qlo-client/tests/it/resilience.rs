//! The policy stack over real HTTP (exact timings are covered with paused time in the unit
//! tests; here the counts and the order of requests are checked against the simulator's log).

use std::time::{Duration, Instant};

use qlo_client::{BreakerState, ClientConfig, Error, QloClient};
use qlo_sim::Fault;

use crate::helpers::*;

fn statuses(env: &Env, resource: &str) -> Vec<u16> {
    env.sim
        .request_log()
        .into_iter()
        .filter(|r| r.resource == resource)
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn transient_statuses_are_retried_three_times_then_succeed_or_fail() {
    for status in [500u16, 502, 503, 408] {
        let env = start(Form::Api).await;
        env.sim
            .faults()
            .add(Fault::status(status).on("orders").times(3));
        env.client.orders_by_ids(&[1]).await.unwrap();
        assert_eq!(statuses(&env, "orders"), vec![status, status, status, 200]);

        env.sim
            .faults()
            .add(Fault::status(status).on("orders").times(10));
        env.sim.clear_request_log();
        let err = env.client.orders_by_ids(&[1]).await.unwrap_err();
        assert!(err.is_transient(), "{err:?}");
        assert_eq!(
            statuses(&env, "orders"),
            vec![status; 4],
            "1 try + 3 retries"
        );
    }
}

#[tokio::test]
async fn other_4xx_are_never_retried() {
    for status in [400u16, 401, 403, 404, 405] {
        let env = start(Form::Api).await;
        env.sim.faults().add(
            Fault::status_with_error(status, 99, "refused")
                .on("orders")
                .times(5),
        );
        let err = env.client.orders_by_ids(&[1]).await.unwrap_err();
        assert!(!err.is_transient(), "{status}: {err:?}");
        assert_eq!(statuses(&env, "orders"), vec![status], "{status}");
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    // Retry-After up to the longest own delay is slept; here max_delay is 2 s.
    let env = start_with(qlo_sim::SimConfig::default(), Form::Api, |c| {
        c.retry.max_delay = Duration::from_secs(2)
    })
    .await;
    env.sim
        .faults()
        .add(Fault::rate_limited(1).on("orders").times(1));
    let started = Instant::now();
    env.client.orders_by_ids(&[1]).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited the server's 1 s, not 20 ms"
    );
    let log = env.sim.request_log();
    assert_eq!(log.len(), 2);
    let gap = (log[1].at - log[0].at)
        .to_std()
        .unwrap_or_else(|_| panic!("{log:#?}"));
    assert!(gap >= Duration::from_millis(990), "{gap:?}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_max_delay_is_returned_to_the_caller() {
    let env = start(Form::Api).await;
    env.sim
        .faults()
        .add(Fault::rate_limited(120).on("orders").times(1));
    let err = env.client.orders_by_ids(&[1]).await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(120)),
        "{err:?}"
    );
    assert_eq!(env.sim.request_log().len(), 1);
}

#[tokio::test]
async fn the_timeout_fires_and_is_retried() {
    let env = start_with(qlo_sim::SimConfig::default(), Form::Api, |c| {
        c.timeout = Duration::from_millis(300)
    })
    .await;
    // The simulator hangs 1 s (then drops the connection); the client gives up after 300 ms.
    env.sim
        .faults()
        .add(Fault::timeout(Duration::from_secs(1)).on("orders").times(2));
    let started = Instant::now();
    env.client.orders_by_ids(&[1]).await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(600) && elapsed < Duration::from_millis(1000),
        "{elapsed:?}"
    );

    env.sim
        .faults()
        .add(Fault::timeout(Duration::from_secs(1)).on("orders").times(4));
    let started = Instant::now();
    let err = env.client.orders_by_ids(&[1]).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after } if after == Duration::from_millis(300)),
        "{err:?}"
    );
    // 4 attempts of 300 ms plus 20 + 40 + 80 ms of backoff.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1340) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    // (The simulator's log cannot count these: it records a request when its handler ends,
    // and the handler of a request the client abandoned is dropped with the connection.)
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = ClientConfig::new(
        format!("http://127.0.0.1:{port}/api"),
        "QLOSIMDEMOKEY0123456789ABCDEFGHI",
        1,
    );
    fast(&mut config);
    let client = QloClient::new(config).unwrap();
    let started = Instant::now();
    let err = client.orders_by_ids(&[1]).await.unwrap_err();
    assert!(
        matches!(err, Error::Network { connect: true, .. }),
        "{err:?}"
    );
    // 20 + 40 + 80 ms of backoff between the 4 attempts.
    assert!(started.elapsed() >= Duration::from_millis(140));
    assert!(err.is_transient() && !err.is_outcome_unknown());
}

#[tokio::test]
async fn breaker_opens_after_five_failures_fails_fast_probes_once_and_closes() {
    let env = start_with(qlo_sim::SimConfig::default(), Form::Api, |c| {
        c.retry.max_retries = 0;
        c.breaker.cool_down = Duration::from_millis(300);
    })
    .await;
    env.sim
        .faults()
        .add(Fault::status(503).on("orders").times(6));
    for _ in 0..5 {
        assert!(matches!(
            env.client.orders_by_ids(&[1]).await,
            Err(Error::Unavailable { .. })
        ));
    }
    assert!(matches!(
        env.client.circuit_state().await,
        BreakerState::Open { .. }
    ));
    for _ in 0..3 {
        assert!(matches!(
            env.client.orders_by_ids(&[1]).await,
            Err(Error::CircuitOpen { .. })
        ));
    }
    assert_eq!(
        env.sim.request_count("orders", "GET"),
        5,
        "no HTTP call while open"
    );

    // After the cool-down: one probe; it fails (6th 503) and re-opens.
    tokio::time::sleep(Duration::from_millis(320)).await;
    assert!(matches!(
        env.client.orders_by_ids(&[1]).await,
        Err(Error::Unavailable { .. })
    ));
    assert!(matches!(
        env.client.orders_by_ids(&[1]).await,
        Err(Error::CircuitOpen { .. })
    ));
    assert_eq!(env.sim.request_count("orders", "GET"), 6);

    // Next probe succeeds and closes.
    tokio::time::sleep(Duration::from_millis(320)).await;
    env.client.orders_by_ids(&[1]).await.unwrap();
    assert_eq!(env.client.circuit_state().await, BreakerState::Closed);
    env.client.orders_by_ids(&[1]).await.unwrap();
    assert_eq!(env.sim.request_count("orders", "GET"), 8);
}

#[tokio::test]
async fn only_one_probe_goes_through_in_half_open() {
    let env = start_with(qlo_sim::SimConfig::default(), Form::Api, |c| {
        c.retry.max_retries = 0;
        c.breaker.cool_down = Duration::from_millis(200);
    })
    .await;
    env.sim
        .faults()
        .add(Fault::status(503).on("orders").times(5));
    for _ in 0..5 {
        let _ = env.client.orders_by_ids(&[1]).await;
    }
    tokio::time::sleep(Duration::from_millis(220)).await;
    env.sim.faults().add(
        Fault::latency(Duration::from_millis(300))
            .on("orders")
            .times(1),
    );
    let calls = (0..5).map(|_| env.client.orders_by_ids(&[1]));
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let open = results
        .iter()
        .filter(|r| matches!(r, Err(Error::CircuitOpen { .. })))
        .count();
    assert_eq!((ok, open), (1, 4));
    assert_eq!(env.sim.request_count("orders", "GET"), 6);
}

#[tokio::test]
async fn the_rate_limiter_spaces_calls_beyond_the_burst() {
    let env = start_with(qlo_sim::SimConfig::default(), Form::Api, |c| {
        // 5 calls in any 5 s, 3 at once: then one every 5 s / (5 - 3 + 1)
        c.rate_limit = qlo_client::RateLimitConfig {
            capacity: 5,
            period: Duration::from_secs(5),
            burst: 3,
            guard: Duration::ZERO,
        };
    })
    .await;
    let started = Instant::now();
    for _ in 0..3 {
        env.client.orders_by_ids(&[1]).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "the burst goes at once"
    );
    env.client.orders_by_ids(&[1]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1_600));
    assert_eq!(env.sim.request_count("orders", "GET"), 4);
}
