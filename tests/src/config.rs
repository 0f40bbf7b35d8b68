//! How a sandbox behaves: delays, lifetimes, and whether the test-only admin routes exist.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use chrono::NaiveDate;
use url::Url;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// 0 = any free port.
    pub port: u16,
    /// Loopback by default: the Android emulator reaches the host's loopback as 10.0.2.2.
    pub bind: IpAddr,
    /// Base of the URLs the sandbox hands out (checkout pages); defaults to where it listens.
    /// Set it to `http://10.0.2.2:PORT/` when an Android emulator opens the checkout.
    pub public_base_url: Option<Url>,
    /// How long after a payment the portal registers it on the balance (24 h on the real portal).
    pub registration_delay: Duration,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub auth_code_ttl: Duration,
    /// An unpaid pagoPA checkout session ends after this (pagoPA: up to 30 minutes).
    pub checkout_session_ttl: Duration,
    /// A payment left pending in the checkout settles as paid after this; `None` = only through
    /// `POST /admin/checkout/{session}/settle`.
    pub pending_settle_after: Option<Duration>,
    /// Turns on `/admin/*` (faults, request log, clock, simulated tobacconist payments).
    pub faults_enabled: bool,
    /// A long-lived bearer token accepted as the demo parent; only honoured with `faults_enabled`
    /// (the contract test uses it instead of a browser login).
    pub test_token: Option<String>,
    /// The day the seeded school year has reached; movements run from September to the day before.
    pub seed_today: NaiveDate,
    /// Movements of earlier school years put before the seeded one (benchmarks' larger caches).
    pub history_movements: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            public_base_url: None,
            registration_delay: Duration::from_secs(24 * 3600),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            auth_code_ttl: Duration::from_secs(60),
            checkout_session_ttl: Duration::from_secs(30 * 60),
            pending_settle_after: None,
            faults_enabled: false,
            test_token: None,
            seed_today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
            history_movements: 0,
        }
    }
}

impl SandboxConfig {
    /// Short delays so a test sees registrations and expiries happen, admin routes on.
    pub fn for_tests() -> Self {
        Self {
            registration_delay: Duration::from_secs(2),
            access_token_ttl: Duration::from_secs(60),
            auth_code_ttl: Duration::from_secs(30),
            faults_enabled: true,
            ..Self::default()
        }
    }
}
