//! What the benchmarks share: a sandbox seeded with a cache of a given size, a parent logged in
//! through the sandbox's login form, the raw pages the portal serves, and a byte-counting proxy
//! that shows what a refresh costs on the wire.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use comunicapp_core::api::dto::MovementsPage;
use comunicapp_core::auth::{MemorySecureStore, SecureStore};
use comunicapp_core::comuni::Comune;
use comunicapp_core::sync::{Session, SessionOptions};
use comunicapp_sandbox::{start, SandboxConfig, SandboxHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// The bearer token the sandbox accepts for the demo parent, for fetching raw pages.
pub const TEST_TOKEN: &str = "bench-token";
/// Movements the seeded school year holds before any history is added.
pub async fn seeded_movement_count() -> usize {
    sandbox(0).await.state().movement_count
}

/// A sandbox whose portal holds `history` movements of earlier years before the seeded ones.
pub async fn sandbox(history: usize) -> SandboxHandle {
    let config = SandboxConfig {
        history_movements: history,
        test_token: Some(TEST_TOKEN.to_owned()),
        ..SandboxConfig::for_tests()
    };
    match start(config).await {
        Ok(sandbox) => sandbox,
        Err(e) => panic!("the sandbox does not start: {e}"),
    }
}

/// A sandbox holding `total` movements in all (at least the seeded year's).
pub async fn sandbox_with_total(total: usize) -> SandboxHandle {
    let seeded = seeded_movement_count().await;
    sandbox(total.saturating_sub(seeded)).await
}

/// A folder for one benchmark's caches; removed when dropped.
pub struct DataDir(PathBuf);

impl DataDir {
    pub fn new(name: &str) -> DataDir {
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-bench-{name}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).expect("bench data dir");
        DataDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A parent's profile on one sandbox: the secrets outlive the sessions opened on them, as the
/// keychain outlives the app's process.
pub struct Profile {
    pub comune: Comune,
    pub secrets: Arc<MemorySecureStore>,
}

impl Profile {
    /// Logs in through the sandbox's form at `portal` (the sandbox itself, or a proxy before it).
    pub async fn logged_in(sandbox: &SandboxHandle, portal: &Url, dir: &Path) -> Profile {
        let profile = Profile {
            comune: Comune::sandbox(portal.clone()).expect("sandbox comune"),
            secrets: Arc::new(MemorySecureStore::new()),
        };
        let session = profile.open(dir);
        let authorize = session.login_start().expect("login url");
        let callback = submit_login_form(&authorize, sandbox).await;
        session
            .login_complete(callback.as_str())
            .await
            .expect("login completes");
        profile
    }

    /// What the app does at launch: opens the profile's cache and login. No network.
    pub fn open(&self, dir: &Path) -> Session {
        let secrets: Arc<dyn SecureStore> = self.secrets.clone();
        let options = SessionOptions {
            // Well inside the sandbox's token life, so a request is never a token refresh too.
            refresh_margin: Duration::from_secs(5),
            ..SessionOptions::development()
        };
        Session::open(dir, &self.comune, secrets, options).expect("session opens")
    }
}

/// The parent's browser on the sandbox's login form; returns where it is sent back to the app.
pub async fn submit_login_form(authorize: &Url, sandbox: &SandboxHandle) -> Url {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let credentials = sandbox.demo_credentials();
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("username".into(), credentials.username));
    form.push(("password".into(), credentials.password));
    let action = sandbox.base_url().join("oauth/authorize").expect("url");
    let answer = browser
        .post(action)
        .form(&form)
        .send()
        .await
        .expect("form post");
    assert_eq!(answer.status(), 302, "the login form redirects to the app");
    let location = answer.headers()["location"].to_str().expect("location");
    Url::parse(location).expect("callback url")
}

/// The movement pages exactly as the portal sends them, fetched as the core does (page after
/// page from no cursor, at the core's page size).
pub async fn raw_movement_pages(sandbox: &SandboxHandle, limit: u32) -> Vec<Vec<u8>> {
    let http = reqwest::Client::new();
    let url = sandbox.base_url().join("api/v1/movements").expect("url");
    let mut cursor: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let mut request = http
            .get(url.clone())
            .bearer_auth(TEST_TOKEN)
            .query(&[("limit", limit.to_string())]);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let body = request
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("movements page")
            .bytes()
            .await
            .expect("page body")
            .to_vec();
        let page: MovementsPage = serde_json::from_slice(&body).expect("a movements page");
        pages.push(body);
        if !page.has_more {
            return pages;
        }
        cursor = Some(page.next_cursor);
    }
}

/// Bytes each way through a [`CountingProxy`].
#[derive(Debug, Default)]
pub struct WireCount {
    pub up: AtomicU64,
    pub down: AtomicU64,
}

impl WireCount {
    pub fn take(&self) -> (u64, u64) {
        (
            self.up.swap(0, Ordering::SeqCst),
            self.down.swap(0, Ordering::SeqCst),
        )
    }
}

/// A TCP proxy on loopback in front of the sandbox that counts every byte, headers included.
pub struct CountingProxy {
    pub url: Url,
    pub count: Arc<WireCount>,
}

impl CountingProxy {
    pub async fn start(target: &SandboxHandle) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
        let port = listener.local_addr().expect("proxy address").port();
        let upstream = format!("127.0.0.1:{}", target.port());
        let count = Arc::new(WireCount::default());
        let counter = count.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::join!(
                        pump(client_read, server_write, &counter.up),
                        pump(server_read, client_write, &counter.down),
                    );
                });
            }
        });
        CountingProxy {
            url: Url::parse(&format!("http://127.0.0.1:{port}/")).expect("proxy url"),
            count,
        }
    }
}

/// Copies one direction of a connection, counting as it goes: keep-alive connections stay open
/// long after the bytes a benchmark wants to count have passed.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, count: &AtomicU64) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count.fetch_add(n as u64, Ordering::SeqCst);
                if to.write_all(&buffer[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

/// The peak resident memory of this process so far, in KiB (Linux `VmHWM`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
