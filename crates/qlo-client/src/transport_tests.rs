//! Resilience of the policy stack, against a scripted HTTP fake under paused tokio time, so
//! every delay is exact.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use http::{HeaderMap, HeaderValue, Method};
use tokio::time::Instant;
use url::Url;

use super::{Body, HttpExec, Response};
use crate::circuit_breaker::BreakerState;
use crate::config::ClientConfig;
use crate::error::Error;
use crate::QloClient;

const KEY: &str = "ZQ3KEYKEYKEYKEYKEYKEYKEYKEYKEY9Z";

/// What the fake server does for one request.
#[derive(Clone)]
enum Step {
    Answer(u16, &'static str, Vec<(&'static str, String)>),
    Hang,
    Refused,
    Reset,
}

fn status(code: u16, body: &'static str) -> Step {
    Step::Answer(code, body, Vec::new())
}

const PHP_WARNING: &str = r#"{"errors":[{"code":3,"message":"[PHP Warning #2] Undefined variable $useTax (x.php, line 3463)"}]}"#;
const EMPTY: &str = "[]";

#[derive(Default)]
struct Script {
    steps: Mutex<VecDeque<Step>>,
    /// (method, url, virtual time since the fake was made)
    calls: Mutex<Vec<(Method, Url, Duration)>>,
    origin: Mutex<Option<Instant>>,
}

impl Script {
    fn new(steps: Vec<Step>) -> Arc<Self> {
        let s = Script::default();
        *s.steps.lock().unwrap() = steps.into();
        *s.origin.lock().unwrap() = Some(Instant::now());
        Arc::new(s)
    }

    fn push(&self, step: Step) {
        self.steps.lock().unwrap().push_back(step);
    }

    fn times(&self) -> Vec<Duration> {
        self.calls.lock().unwrap().iter().map(|c| c.2).collect()
    }

    fn count(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

#[async_trait]
impl HttpExec for Script {
    async fn execute(
        &self,
        method: Method,
        url: Url,
        _body: Option<Body>,
    ) -> Result<Response, Error> {
        let origin = self.origin.lock().unwrap().unwrap_or_else(Instant::now);
        self.calls
            .lock()
            .unwrap()
            .push((method, url, origin.elapsed()));
        let step = self
            .steps
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(status(200, EMPTY));
        match step {
            Step::Answer(code, body, headers) => {
                let mut map = HeaderMap::new();
                for (k, v) in headers {
                    map.insert(k, HeaderValue::from_str(&v).unwrap());
                }
                Ok(Response {
                    status: code,
                    headers: map,
                    body: body.as_bytes().to_vec(),
                    latency: Duration::ZERO,
                })
            }
            Step::Hang => std::future::pending().await,
            Step::Refused => Err(Error::Network {
                message: "connection failed: Connection refused".into(),
                connect: true,
            }),
            Step::Reset => Err(Error::Network {
                message: "request failed: connection closed before message completed".into(),
                connect: false,
            }),
        }
    }
}

fn exact_config() -> ClientConfig {
    let mut c = ClientConfig::new("http://qlo.test/api", KEY, 1);
    c.retry.jitter = false;
    c
}

fn client_with(config: ClientConfig, script: &Arc<Script>) -> QloClient {
    QloClient::builder(config)
        .http(script.clone())
        .build()
        .unwrap()
}

fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|m| Duration::from_millis(*m)).collect()
}

#[tokio::test(start_paused = true)]
async fn retries_5xx_with_doubling_delays_then_succeeds() {
    let script = Script::new(vec![
        status(
            500,
            "<html><body><h1>Internal Server Error</h1></body></html>",
        ),
        status(502, "Bad Gateway"),
        status(
            503,
            r#"{"errors":[{"code":22,"message":"The QloApps webservice is disabled."}]}"#,
        ),
        status(200, r#"{"orders":[{"id":1,"current_state":"2"}]}"#),
    ]);
    let client = client_with(exact_config(), &script);
    let orders = client.orders_by_ids(&[1]).await.unwrap();
    assert_eq!(orders[0].current_state, 2);
    assert_eq!(script.times(), ms(&[0, 500, 1500, 3500]));
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_three_retries() {
    let script = Script::new(vec![status(500, "boom"); 10]);
    let client = client_with(exact_config(), &script);
    let err = client.orders_by_ids(&[1]).await.unwrap_err();
    assert!(
        matches!(err, Error::Unavailable { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(script.times(), ms(&[0, 500, 1500, 3500]));
}

#[tokio::test(start_paused = true)]
async fn retries_408_and_429_and_php_500s() {
    for step in [status(408, ""), status(429, ""), status(500, PHP_WARNING)] {
        let script = Script::new(vec![step.clone(), step]);
        let client = client_with(exact_config(), &script);
        client.orders_by_ids(&[1]).await.unwrap();
        assert_eq!(script.times(), ms(&[0, 500, 1500]));
    }
}

#[tokio::test(start_paused = true)]
async fn never_retries_other_4xx() {
    type Check = fn(&Error) -> bool;
    let cases: Vec<(Step, Check)> = vec![
        (
            status(
                400,
                r#"{"errors":[{"code":32,"message":"This filter does not exist."}]}"#,
            ),
            |e| matches!(e, Error::Validation { messages, .. } if messages[0].code == 32),
        ),
        (
            status(401, "401 Unauthorized"),
            |e| matches!(e, Error::Unauthorized { message } if message == "401 Unauthorized"),
        ),
        (
            status(
                401,
                r#"{"errors":[{"code":26,"message":"No permission for this resource"}]}"#,
            ),
            |e| matches!(e, Error::Forbidden { resource, .. } if resource == "orders"),
        ),
        (status(403, ""), |e| matches!(e, Error::Forbidden { .. })),
        (status(404, ""), |e| matches!(e, Error::NotFound { .. })),
        (status(405, ""), |e| matches!(e, Error::Forbidden { .. })),
        (status(409, "conflict"), |e| {
            matches!(e, Error::Rejected { status: 409, .. })
        }),
    ];
    for (step, check) in cases {
        let script = Script::new(vec![step]);
        let client = client_with(exact_config(), &script);
        let err = client.orders_by_ids(&[1]).await.unwrap_err();
        assert!(check(&err), "{err:?}");
        assert!(!err.is_transient());
        assert_eq!(script.count(), 1, "{err:?} must not be retried");
    }
}

/// `tests/fixtures/real/put_booking_unknown_customer_STRICTKEY.json` of qlo-sim.
const REFUSED_AFTER_WARNING: &str = r#"{"errors":[{"code":3,"message":"[PHP Warning #2] Undefined array key \"total_tax\" (/tmp/qloapps/classes/webservice/WebserviceSpecificManagementBookings.php, line 504)"},{"code":404,"message":"Customer not found."}]}"#;

#[tokio::test(start_paused = true)]
async fn qloapps_reason_comes_before_php_warnings() {
    let script = Script::new(vec![status(400, REFUSED_AFTER_WARNING)]);
    let client = client_with(exact_config(), &script);
    let err = client.orders_by_ids(&[1]).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(
            "QloApps refused the orders request: [404] Customer not found.; [3] [PHP Warning"
        ),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn honours_retry_after_seconds() {
    let script = Script::new(vec![Step::Answer(
        429,
        "",
        vec![("retry-after", "7".into())],
    )]);
    let client = client_with(exact_config(), &script);
    client.orders_by_ids(&[1]).await.unwrap();
    assert_eq!(script.times(), ms(&[0, 7000]));
}

#[tokio::test(start_paused = true)]
async fn honours_retry_after_http_date_on_503() {
    // An HTTP date is wall-clock based; allow for the second rounding of the format.
    let at = chrono::Utc::now() + chrono::Duration::seconds(10);
    let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let script = Script::new(vec![Step::Answer(503, "", vec![("retry-after", date)])]);
    let client = client_with(exact_config(), &script);
    client.orders_by_ids(&[1]).await.unwrap();
    let second = script.times()[1];
    assert!(
        second >= Duration::from_secs(9) && second <= Duration::from_secs(10),
        "{second:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_beyond_max_delay_is_handed_back_not_slept() {
    let script = Script::new(vec![Step::Answer(
        429,
        "",
        vec![("retry-after", "3600".into())],
    )]);
    let client = client_with(exact_config(), &script);
    let err = client.orders_by_ids(&[1]).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(script.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn timeout_fires_after_the_configured_time_and_is_retried() {
    let script = Script::new(vec![Step::Hang, Step::Hang, Step::Hang, Step::Hang]);
    let client = client_with(exact_config(), &script);
    let started = Instant::now();
    let err = client.orders_by_ids(&[1]).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after } if after == Duration::from_secs(30)),
        "{err:?}"
    );
    // 4 attempts of 30 s, with 0.5 + 1 + 2 s between them.
    assert_eq!(script.times(), ms(&[0, 30_500, 61_500, 93_500]));
    assert_eq!(started.elapsed(), Duration::from_millis(123_500));
}

#[tokio::test(start_paused = true)]
async fn connection_refused_is_retried_even_for_a_post() {
    let script = Script::new(vec![
        Step::Refused,
        Step::Refused,
        status(201, r#"{"order_history":{"id":"3"}}"#),
    ]);
    let client = client_with(exact_config(), &script);
    client.post_order_history(2, 4).await.unwrap();
    assert_eq!(script.times(), ms(&[0, 500, 1500]));
}

#[tokio::test(start_paused = true)]
async fn a_post_is_never_retried_blindly_after_an_unknown_outcome() {
    for step in [
        Step::Reset,
        status(500, "boom"),
        status(500, PHP_WARNING),
        Step::Hang,
    ] {
        let script = Script::new(vec![step]);
        let client = client_with(exact_config(), &script);
        let err = client.post_order_history(2, 4).await.unwrap_err();
        assert!(err.is_outcome_unknown(), "{err:?}");
        assert_eq!(script.count(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn breaker_opens_after_five_failures_and_then_makes_no_call() {
    let mut config = exact_config();
    config.retry.max_retries = 0;
    let script = Script::new(vec![status(503, "down"); 5]);
    let client = client_with(config, &script);
    let mut events = client.breaker_transitions().unwrap();
    for n in 1..=5 {
        assert!(matches!(
            client.orders_by_ids(&[1]).await,
            Err(Error::Unavailable { .. })
        ));
        let open = matches!(client.circuit_state().await, BreakerState::Open { .. });
        assert_eq!(open, n == 5, "after {n} failures");
    }
    let err = client.orders_by_ids(&[1]).await.unwrap_err();
    assert!(matches!(err, Error::CircuitOpen { retry_in } if retry_in == Duration::from_secs(30)));
    assert_eq!(script.count(), 5, "no HTTP call while open");

    // After the cool-down exactly one probe goes through; it fails and re-opens.
    tokio::time::advance(Duration::from_secs(30)).await;
    script.push(Step::Hang);
    let (a, b) = tokio::join!(client.orders_by_ids(&[1]), async {
        tokio::task::yield_now().await;
        client.orders_by_ids(&[1]).await
    });
    assert!(matches!(a, Err(Error::Timeout { .. })), "{a:?}");
    assert!(matches!(b, Err(Error::CircuitOpen { .. })), "{b:?}");
    assert_eq!(script.count(), 6);
    assert!(matches!(
        client.circuit_state().await,
        BreakerState::Open { .. }
    ));

    // The next probe succeeds and closes the circuit.
    tokio::time::advance(Duration::from_secs(30)).await;
    client.orders_by_ids(&[1]).await.unwrap();
    assert_eq!(client.circuit_state().await, BreakerState::Closed);
    let seen: Vec<&str> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|t| t.to.name())
        .collect();
    assert_eq!(
        seen,
        vec!["open", "half_open", "open", "half_open", "closed"]
    );
}

#[tokio::test(start_paused = true)]
async fn php_warning_500s_and_4xx_never_open_the_breaker() {
    let mut config = exact_config();
    config.retry.max_retries = 0;
    let mut steps = vec![status(500, PHP_WARNING); 50];
    steps.extend(vec![
        status(
            400,
            r#"{"errors":[{"code":404,"message":"Requested room(s) not available."}]}"#
        );
        10
    ]);
    let script = Script::new(steps);
    let client = client_with(config, &script);
    for _ in 0..50 {
        let err = client.post_order_history(1, 4).await.unwrap_err();
        assert!(
            matches!(err, Error::PhpError { status: 500, .. }),
            "{err:?}"
        );
    }
    for _ in 0..10 {
        let err = client.post_order_history(1, 4).await.unwrap_err();
        assert!(matches!(err, Error::RoomsUnavailable { .. }), "{err:?}");
    }
    assert_eq!(client.circuit_state().await, BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn each_attempt_takes_a_rate_limiter_slot() {
    let script = Script::new(vec![]);
    let config = exact_config();
    let client = client_with(config.clone(), &script);
    // the default burst: a tenth of the limit
    for _ in 0..10 {
        client.orders_by_ids(&[1]).await.unwrap();
    }
    assert_eq!(script.times().last(), Some(&Duration::ZERO));
    client.orders_by_ids(&[1]).await.unwrap();
    let waited = script.times().last().copied().unwrap_or_default();
    // tokio's paused clock counts whole milliseconds
    assert!(
        waited.abs_diff(config.rate_limit.spacing()) < Duration::from_millis(1),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn html_error_pages_become_unavailable_with_a_short_excerpt() {
    let page = "<!DOCTYPE html><html><head><title>500 Internal Server Error</title><style>body{color:red}</style></head>\
                <body><h1>Internal Server Error</h1><p>The server encountered an internal error or misconfiguration and was unable to complete your request. Please contact the server administrator at webmaster@localhost to inform them of the time this error occurred, and the actions you performed just before this error. More information about this error may be available in the server error log.</p></body></html>";
    let mut config = exact_config();
    config.retry.max_retries = 0;
    let script = Script::new(vec![status(500, page)]);
    let client = client_with(config, &script);
    let err = client.orders_by_ids(&[1]).await.unwrap_err();
    let Error::Unavailable { status, detail, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 500);
    assert!(
        detail.starts_with("500 Internal Server Error Internal Server Error The server"),
        "{detail}"
    );
    assert!(!detail.contains('<') && !detail.contains("color:red"));
    assert!(detail.chars().count() <= 201);
}

#[tokio::test(start_paused = true)]
async fn garbage_in_a_200_is_a_decode_error_not_a_panic() {
    let script = Script::new(vec![
        status(200, "<html>oops</html>"),
        status(200, r#"{"orders":[{"id":"x"}]}"#),
    ]);
    let client = client_with(exact_config(), &script);
    assert!(matches!(
        client.orders_by_ids(&[1]).await,
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        client.orders_by_ids(&[1]).await,
        Err(Error::Decode { .. })
    ));
}

#[tokio::test(start_paused = true)]
async fn requests_carry_output_format_language_and_encoded_filters() {
    let script = Script::new(vec![]);
    let client = client_with(exact_config(), &script);
    client.customers_by_ids(&[2, 3]).await.unwrap();
    let url = script.calls.lock().unwrap()[0].1.to_string();
    assert_eq!(
        url,
        "http://qlo.test/api/customers?output_format=JSON&language=1\
         &display=%5Bid%2Cfirstname%2Clastname%2Cemail%2Cphone%2Cdate_upd%5D&filter%5Bid%5D=%5B2%7C3%5D"
    );
    assert!(!url.contains("passwd") && !url.contains("secure_key") && !url.contains(KEY));
}

/// A recorder that keeps every counter increment and histogram sample with its labels.
mod recorder {
    use std::sync::{Arc, Mutex};

    use metrics::{
        Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
        SharedString, Unit,
    };

    pub type Samples = Arc<Mutex<Vec<(String, Vec<(String, String)>, f64)>>>;

    #[derive(Default)]
    pub struct Capture(pub Samples);

    struct Handle(Key, Samples);

    impl Handle {
        fn push(&self, v: f64) {
            let labels = self
                .0
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            self.1
                .lock()
                .unwrap()
                .push((self.0.name().to_owned(), labels, v));
        }
    }

    impl CounterFn for Handle {
        fn increment(&self, value: u64) {
            self.push(value as f64);
        }
        fn absolute(&self, value: u64) {
            self.push(value as f64);
        }
    }

    impl HistogramFn for Handle {
        fn record(&self, value: f64) {
            self.push(value);
        }
    }

    impl Recorder for Capture {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
            Counter::from_arc(Arc::new(Handle(key.clone(), self.0.clone())))
        }
        fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
            Gauge::noop()
        }
        fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
            Histogram::from_arc(Arc::new(Handle(key.clone(), self.0.clone())))
        }
    }
}

#[test]
fn requests_are_counted_and_timed_by_resource_method_and_status() {
    let capture = recorder::Capture::default();
    let samples = capture.0.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    metrics::with_local_recorder(&capture, || {
        runtime.block_on(async {
            let script = Script::new(vec![status(503, "down"), Step::Hang]);
            let client = client_with(exact_config(), &script);
            client.orders_by_ids(&[1]).await.unwrap();
        })
    });
    let samples = samples.lock().unwrap();
    let label = |labels: &[(String, String)], k: &str| {
        labels
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let counted: Vec<String> = samples
        .iter()
        .filter(|s| s.0 == "qlosync_qloapps_requests_total")
        .map(|s| {
            format!(
                "{} {} {}",
                label(&s.1, "resource"),
                label(&s.1, "method"),
                label(&s.1, "status")
            )
        })
        .collect();
    assert_eq!(
        counted,
        vec!["orders GET 503", "orders GET timeout", "orders GET 200"]
    );
    let timed: Vec<_> = samples
        .iter()
        .filter(|s| s.0 == "qlosync_qloapps_request_duration_seconds")
        .collect();
    assert_eq!(timed.len(), 3);
    assert!(timed
        .iter()
        .all(|s| label(&s.1, "resource") == "orders" && label(&s.1, "method") == "GET"));
    assert_eq!(
        timed[1].2, 30.0,
        "the timed-out attempt took the whole 30 s timeout"
    );
}
