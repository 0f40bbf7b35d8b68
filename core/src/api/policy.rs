//! What the client may talk to and how patiently: URL policy, timeouts, retry with backoff.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use rand::Rng;
use url::{Host, Url};

use super::Error;

/// Tunables of the portal client. `Default` is what a release build uses.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Development builds only: accept plain `http://` to a loopback address (the sandbox).
    pub allow_loopback_http: bool,
    pub connect_timeout: Duration,
    /// Whole request, body included.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            allow_loopback_http: false,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

impl ClientOptions {
    /// Loopback HTTP allowed, short timeouts and backoff, for the sandbox and the tests.
    pub fn development() -> Self {
        ClientOptions {
            allow_loopback_http: true,
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(3),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(200),
                max_retry_after: Duration::from_secs(2),
            },
        }
    }
}

/// Capped exponential backoff with full jitter (sleep a uniform random time in
/// `[0, min(max_delay, base_delay · 2^retry)]`), so that many phones coming back online at once do
/// not hit the portal in lockstep.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 disables retries.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` up to this long is waited for; a longer one ends the retries and is
    /// reported to the caller in the error instead of freezing the app.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The upper bound of the jittered sleep before retry number `retry` (0 = first retry).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// Full jitter: uniform in `[0, ceiling(retry)]`.
    pub fn backoff(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling_ms = u64::try_from(self.ceiling(retry).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.random_range(0..=ceiling_ms))
    }

    /// How long to wait before the next attempt, or `None` to stop: `Retry-After` when the
    /// portal sent one (and it is not longer than we are willing to wait), jitter otherwise.
    pub fn delay_before_retry(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Option<Duration> {
        if retry + 1 >= self.max_attempts {
            return None;
        }
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry, rng)),
        }
    }
}

/// HTTPS always; plain HTTP only to loopback and only when `allow_loopback_http` is set.
pub fn check_url(url: &Url, allow_loopback_http: bool) -> Result<(), Error> {
    let insecure = || Error::InsecureUrl {
        url: url.as_str().to_owned(),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(insecure());
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if allow_loopback_http && url.host().as_ref().is_some_and(is_loopback) => Ok(()),
        _ => Err(insecure()),
    }
}

/// The Android emulator reaches the developer's machine at 10.0.2.2, its fixed alias for the
/// host's loopback; treating it as loopback lets the sandbox run under the emulator.
const ANDROID_EMULATOR_HOST: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback() || *ip == ANDROID_EMULATOR_HOST,
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn https_is_always_accepted() {
        assert!(check_url(&url("https://portale.comune.valenza.al.it/api"), false).is_ok());
        assert!(check_url(&url("https://127.0.0.1:8443/"), false).is_ok());
    }

    #[test]
    fn loopback_http_needs_the_development_flag() {
        for text in [
            "http://127.0.0.1:8080/",
            "http://127.3.4.5/",
            "http://localhost:3000/",
            "http://[::1]:9000/",
            "http://10.0.2.2:8080/",
        ] {
            assert!(check_url(&url(text), true).is_ok(), "{text}");
            assert!(
                matches!(check_url(&url(text), false), Err(Error::InsecureUrl { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn other_http_and_odd_urls_are_refused_even_in_development() {
        for text in [
            "http://portale.example.it/",
            "http://192.168.1.10/",
            "http://10.0.2.3/",
            "http://localhost.evil.example/",
            "http://[::2]/",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "https://user:pw@portale.example.it/",
            "data:text/plain,ciao",
        ] {
            assert!(
                matches!(check_url(&url(text), true), Err(Error::InsecureUrl { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn backoff_stays_within_its_capped_exponential_ceiling() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(5),
        };
        assert_eq!(policy.ceiling(0), Duration::from_millis(100));
        assert_eq!(policy.ceiling(3), Duration::from_millis(800));
        assert_eq!(policy.ceiling(5), Duration::from_secs(2));
        assert_eq!(policy.ceiling(200), Duration::from_secs(2));
        let mut rng = StdRng::seed_from_u64(7);
        for retry in 0..12 {
            let mut seen_low = false;
            let mut seen_high = false;
            for _ in 0..400 {
                let d = policy.backoff(retry, &mut rng);
                assert!(d <= policy.ceiling(retry));
                seen_low |= d < policy.ceiling(retry) / 4;
                seen_high |= d > policy.ceiling(retry) * 3 / 4;
            }
            // Full jitter spreads over the whole range, not just near the ceiling.
            assert!(seen_low && seen_high, "retry {retry}");
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap_and_attempts_are_bounded() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        };
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(
            policy.delay_before_retry(0, Some(Duration::from_secs(4)), &mut rng),
            Some(Duration::from_secs(4))
        );
        assert_eq!(
            policy.delay_before_retry(0, Some(Duration::from_secs(60)), &mut rng),
            None
        );
        assert!(policy.delay_before_retry(1, None, &mut rng).is_some());
        assert_eq!(policy.delay_before_retry(2, None, &mut rng), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
