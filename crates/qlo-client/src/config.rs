//! Client settings, with qlosync's default numbers (README "Resilience per QloApps config"; docs/architecture.md "Resilience").

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// A setting that cannot work. Names the setting; never contains the API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting `{setting}`: {reason}")]
pub struct ConfigError {
    /// The setting's name, e.g. `base_url`, `api_key`, `retry.multiplier`.
    pub setting: &'static str,
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(setting: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            setting,
            reason: reason.into(),
        }
    }
}

/// The QloApps call limit: **at most `capacity` calls in any `period`**, counted from every
/// process together when the limiter is shared (README "Rate limited").
///
/// It is a GCRA (generic cell rate algorithm): after a quiet spell up to `burst` calls go at
/// once, then one every [`spacing`](Self::spacing). Two calls `k` grants apart are at least
/// `k · spacing − tolerance` apart, `tolerance = (burst − 1) · spacing`, so `capacity + 1`
/// calls span at least `(capacity − burst + 1) · spacing = period + guard`: never more than
/// `capacity` in a window. `guard` widens the window a little so a call that reaches QloApps a
/// few milliseconds late still counts in the window it was granted in. The default 100 per 60 s
/// becomes: 10 at once, then one every 666 ms (91 a minute sustained).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    pub capacity: u32,
    pub period: Duration,
    /// Calls that may go at once after a quiet spell; 1 ..= `capacity`.
    pub burst: u32,
    /// Added to `period` when spacing calls, for in-flight delay.
    pub guard: Duration,
}

impl RateLimitConfig {
    /// `capacity` calls per `period` with the default burst (a tenth of the limit, at least 1)
    /// and guard (1 % of the period).
    pub fn new(capacity: u32, period: Duration) -> Self {
        RateLimitConfig {
            capacity,
            period,
            burst: (capacity / 10).max(1),
            guard: period / 100,
        }
    }

    /// Time between calls once the burst is spent.
    pub fn spacing(&self) -> Duration {
        let calls = self.capacity.max(1) - self.burst.clamp(1, self.capacity.max(1)) + 1;
        (self.period + self.guard) / calls
    }

    /// How far ahead of its slot a call may go: the burst beyond the first call.
    pub fn tolerance(&self) -> Duration {
        self.spacing() * (self.burst.clamp(1, self.capacity.max(1)) - 1)
    }

    /// Calls that may go now when the next slot is `ahead_secs` away (0 when it has passed):
    /// the burst after a quiet spell, fewer as it is spent, negative while callers wait.
    pub fn calls_available(&self, ahead_secs: f64) -> f64 {
        let spacing = self.spacing().as_secs_f64().max(f64::MIN_POSITIVE);
        let slack = self.tolerance().as_secs_f64() - ahead_secs.max(0.0);
        // a hair of slack so that floating-point rounding cannot turn 0 calls into -1
        (slack / spacing + 1.0 + 1e-9)
            .floor()
            .min(f64::from(self.burst.max(1)))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.capacity == 0 {
            return Err(ConfigError::new(
                "rate_limit.capacity",
                "must be at least 1",
            ));
        }
        if self.period.is_zero() {
            return Err(ConfigError::new(
                "rate_limit.period",
                "must be more than zero",
            ));
        }
        if self.burst == 0 || self.burst > self.capacity {
            return Err(ConfigError::new(
                "rate_limit.burst",
                format!(
                    "must be between 1 and the limit ({}), not {}",
                    self.capacity, self.burst
                ),
            ));
        }
        Ok(())
    }
}

impl Default for RateLimitConfig {
    /// 100 requests per 60 s, bursts of 10.
    fn default() -> Self {
        RateLimitConfig::new(100, Duration::from_secs(60))
    }
}

/// Circuit breaker thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit fails fast before letting probes through.
    pub cool_down: Duration,
    /// Requests let through at once in HALF_OPEN.
    pub half_open_probes: u32,
}

impl Default for BreakerConfig {
    /// 5 failures, 30 s, 1 probe.
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
            half_open_probes: 1,
        }
    }
}

/// Retry schedule for transient failures: `initial_delay * multiplier^n`, capped at `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryConfig {
    /// Retries after the first attempt (so `max_retries + 1` attempts at most).
    pub max_retries: u32,
    pub initial_delay: Duration,
    pub multiplier: f64,
    pub max_delay: Duration,
    /// Randomise each delay within its upper half, so clients that failed together do not
    /// retry together.
    pub jitter: bool,
}

impl Default for RetryConfig {
    /// 3 retries, 500 ms doubling to at most 30 s, with jitter.
    fn default() -> Self {
        RetryConfig {
            max_retries: 3,
            initial_delay: Duration::from_millis(500),
            multiplier: 2.0,
            max_delay: Duration::from_secs(30),
            jitter: true,
        }
    }
}

/// Everything the client needs to talk to one QloApps shop.
#[derive(Clone)]
pub struct ClientConfig {
    /// `https://host/api` or `https://host/webservice/dispatcher.php` (trailing slash ok).
    pub base_url: String,
    /// The webservice key: exactly 32 characters. Redacted in `Debug`.
    pub api_key: SecretString,
    pub hotel_id: u32,
    pub language_id: u32,
    /// Per attempt, whole response included.
    pub timeout: Duration,
    pub rate_limit: RateLimitConfig,
    pub breaker: BreakerConfig,
    pub retry: RetryConfig,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"[REDACTED]")
            .field("hotel_id", &self.hotel_id)
            .field("language_id", &self.language_id)
            .field("timeout", &self.timeout)
            .field("rate_limit", &self.rate_limit)
            .field("breaker", &self.breaker)
            .field("retry", &self.retry)
            .finish()
    }
}

impl ClientConfig {
    /// A configuration with the defaults (language 1, 30 s timeout, 100/60 s,
    /// 5 failures / 30 s / 1 probe, 3 retries from 500 ms).
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>, hotel_id: u32) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_key: SecretString::from(api_key.into()),
            hotel_id,
            language_id: 1,
            timeout: Duration::from_secs(30),
            rate_limit: RateLimitConfig::default(),
            breaker: BreakerConfig::default(),
            retry: RetryConfig::default(),
        }
    }

    /// Checks every setting; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        Endpoint::parse(&self.base_url)?;
        validate_api_key(self.api_key.expose_secret())?;
        if self.hotel_id == 0 {
            return Err(ConfigError::new(
                "hotel_id",
                "must be a QloApps hotel id (1 or more)",
            ));
        }
        if self.language_id == 0 {
            return Err(ConfigError::new(
                "language_id",
                "must be a QloApps language id (1 or more)",
            ));
        }
        if self.timeout.is_zero() {
            return Err(ConfigError::new("timeout", "must be more than zero"));
        }
        self.rate_limit.validate()?;
        if self.breaker.failure_threshold == 0 {
            return Err(ConfigError::new(
                "breaker.failure_threshold",
                "must be at least 1",
            ));
        }
        if self.breaker.half_open_probes == 0 {
            return Err(ConfigError::new(
                "breaker.half_open_probes",
                "must be at least 1",
            ));
        }
        if !(self.retry.multiplier.is_finite() && self.retry.multiplier >= 1.0) {
            return Err(ConfigError::new(
                "retry.multiplier",
                "must be a number of at least 1",
            ));
        }
        if self.retry.max_delay < self.retry.initial_delay {
            return Err(ConfigError::new(
                "retry.max_delay",
                "must not be shorter than retry.initial_delay",
            ));
        }
        Ok(())
    }
}

/// QloApps checks the length first (401 code 18 otherwise); Basic auth forbids `:` in the user,
/// and a header value cannot carry control characters or spaces.
fn validate_api_key(key: &str) -> Result<(), ConfigError> {
    let len = key.chars().count();
    if len != 32 {
        // The length is safe to say; the key itself is never echoed.
        return Err(ConfigError::new(
            "api_key",
            format!("must be exactly 32 characters (got {len})"),
        ));
    }
    if !key.chars().all(|c| c.is_ascii_graphic() && c != ':') {
        return Err(ConfigError::new(
            "api_key",
            "must be printable ASCII without spaces or ':'",
        ));
    }
    Ok(())
}

/// Where requests go, in one of QloApps' two URL forms (docs/qloapps-api.md, "Base URL and authentication").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `https://host/api` (URL rewriting): `{base}/{path}?{query}`.
    Rewritten(Url),
    /// `https://host/webservice/dispatcher.php`: `{dispatcher}?url={path}&{query}`.
    Dispatcher(Url),
}

/// Checks a webservice base URL as the client will read it: http(s), a host, no credentials,
/// query or fragment, and a path ending in `/api` or `/webservice/dispatcher.php`.
pub fn check_base_url(base_url: &str) -> Result<(), ConfigError> {
    Endpoint::parse(base_url).map(drop)
}

impl Endpoint {
    pub(crate) fn parse(base_url: &str) -> Result<Self, ConfigError> {
        let bad = |reason: &str| ConfigError::new("base_url", reason.to_owned());
        let trimmed = base_url.trim();
        if trimmed.is_empty() {
            return Err(bad("is empty"));
        }
        let mut url = Url::parse(trimmed).map_err(|e| {
            ConfigError::new("base_url", format!("is not a URL ({e}): {trimmed:?}"))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must start with http:// or https://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "must not carry credentials (the key goes in `api_key`)",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a query or a fragment"));
        }
        let path = url.path().trim_end_matches('/').to_owned();
        if path.ends_with("/webservice/dispatcher.php") {
            url.set_path(&path);
            Ok(Endpoint::Dispatcher(url))
        } else if path.ends_with("/api") {
            url.set_path(&format!("{path}/"));
            Ok(Endpoint::Rewritten(url))
        } else {
            Err(bad(
                "must end with /api or /webservice/dispatcher.php (e.g. https://hotel.example/api)",
            ))
        }
    }

    /// The URL of `path` (`""`, `orders`, `orders/5`) with `query` (already encoded pairs).
    pub(crate) fn url(&self, path: &str, query: &[(String, String)]) -> Result<Url, ConfigError> {
        let mut encoded = String::new();
        let mut push = |k: &str, v: &str| {
            if !encoded.is_empty() {
                encoded.push('&');
            }
            encoded.push_str(&encode(k));
            encoded.push('=');
            encoded.push_str(&encode(v));
        };
        let mut url = match self {
            Endpoint::Rewritten(base) => base.join(path).map_err(|e| {
                ConfigError::new("base_url", format!("cannot address {path:?}: {e}"))
            })?,
            Endpoint::Dispatcher(base) => {
                push("url", path);
                base.clone()
            }
        };
        for (k, v) in query {
            push(k, v);
        }
        url.set_query((!encoded.is_empty()).then_some(encoded.as_str()));
        Ok(url)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so the brackets, `|`, `,`,
/// spaces and `>` of QloApps filters survive any proxy (spaces as `%20`, never `+`).
fn encode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SET: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(s, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456";

    #[test]
    fn defaults_are_the_documented_numbers() {
        let c = ClientConfig::new("https://h/api", KEY, 1);
        assert_eq!(c.language_id, 1);
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert_eq!(c.rate_limit.capacity, 100);
        assert_eq!(c.rate_limit.period, Duration::from_secs(60));
        assert_eq!(c.breaker.failure_threshold, 5);
        assert_eq!(c.breaker.cool_down, Duration::from_secs(30));
        assert_eq!(c.breaker.half_open_probes, 1);
        assert_eq!(c.retry.max_retries, 3);
        assert_eq!(c.retry.initial_delay, Duration::from_millis(500));
        assert_eq!(c.retry.multiplier, 2.0);
        assert_eq!(c.retry.max_delay, Duration::from_secs(30));
        assert!(c.retry.jitter);
        c.validate().unwrap();
    }

    #[test]
    fn both_url_forms_with_or_without_trailing_slash() {
        let q = vec![("filter[id]".to_owned(), "[1|2]".to_owned())];
        for base in ["https://h.example/shop/api", "https://h.example/shop/api/"] {
            let e = Endpoint::parse(base).unwrap();
            assert_eq!(
                e.url("orders", &q).unwrap().as_str(),
                "https://h.example/shop/api/orders?filter%5Bid%5D=%5B1%7C2%5D"
            );
            assert_eq!(
                e.url("", &[]).unwrap().as_str(),
                "https://h.example/shop/api/"
            );
        }
        for base in [
            "http://h.example/webservice/dispatcher.php",
            "http://h.example/webservice/dispatcher.php/",
        ] {
            let e = Endpoint::parse(base).unwrap();
            assert_eq!(
                e.url("orders/5", &q).unwrap().as_str(),
                "http://h.example/webservice/dispatcher.php?url=orders%2F5&filter%5Bid%5D=%5B1%7C2%5D"
            );
            assert_eq!(
                e.url("", &[]).unwrap().as_str(),
                "http://h.example/webservice/dispatcher.php?url="
            );
        }
    }

    #[test]
    fn malformed_settings_name_the_setting_and_never_echo_the_key() {
        let bad_urls = [
            "",
            "not a url",
            "ftp://h/api",
            "https://h/",
            "https://h/api?x=1",
            "https://u:p@h/api",
        ];
        for url in bad_urls {
            let err = ClientConfig::new(url, KEY, 1).validate().unwrap_err();
            assert_eq!(err.setting, "base_url", "{url}");
        }
        let short = "SECRETSECRETSECRET";
        let err = ClientConfig::new("https://h/api", short, 1)
            .validate()
            .unwrap_err();
        assert_eq!(err.setting, "api_key");
        assert!(!err.to_string().contains(short));
        assert!(err.to_string().contains("32"));
        let spaced = "ABCDEFGHIJKLMNOP RSTUVWXYZ123456";
        let err = ClientConfig::new("https://h/api", spaced, 1)
            .validate()
            .unwrap_err();
        assert_eq!(err.setting, "api_key");
        assert!(!err.to_string().contains(spaced));
        let mut c = ClientConfig::new("https://h/api", KEY, 1);
        c.retry.multiplier = 0.5;
        assert_eq!(c.validate().unwrap_err().setting, "retry.multiplier");
        let c = ClientConfig::new("https://h/api", KEY, 0);
        assert_eq!(c.validate().unwrap_err().setting, "hotel_id");
    }

    #[test]
    fn debug_redacts_the_key() {
        let c = ClientConfig::new("https://h/api", KEY, 1);
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(KEY));
        assert!(dbg.contains("REDACTED"));
    }
}
