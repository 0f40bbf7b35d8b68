//! A real headless Chromium for the end-to-end tests, driven through WebDriver over plain HTTP,
//! and a loopback page for the browser to land on when the checkout or the login sends it back.
//!
//! Debian's `chromium` and `chromium-driver` are expected (`scripts/deps-browser.sh` installs
//! them; `make test-rust` runs it first). `CHROMIUM_BIN` and `CHROMEDRIVER` override the paths.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{OriginalUri, State};
use axum::response::Html;
use axum::Router;
use serde_json::{json, Value};
use url::Url;

/// The W3C name of the key that holds an element reference in WebDriver answers.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(15);

fn chromium_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROMIUM_BIN") {
        return PathBuf::from(path);
    }
    // Debian's /usr/bin/chromium is a shell wrapper that reads /etc/chromium.d; the real binary
    // behaves the same under chromedriver and starts faster.
    let real = Path::new("/usr/lib/chromium/chromium");
    if real.exists() {
        real.to_path_buf()
    } else {
        PathBuf::from("/usr/bin/chromium")
    }
}

fn chromedriver_binary() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"))
}

fn free_loopback_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("local address").port()
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "comunicapp-browser-{name}-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).expect("a fresh temp dir");
    dir
}

/// One chromedriver child process with one Chromium session. Dropping it ends the session,
/// kills the driver and whatever it started, and removes the profile directory.
pub struct Browser {
    http: reqwest::Client,
    driver_url: Url,
    driver_addr: SocketAddr,
    session_id: Option<String>,
    driver: Child,
    work_dir: PathBuf,
}

impl Browser {
    pub async fn launch() -> Browser {
        let work_dir = fresh_dir("chromium");
        let port = free_loopback_port();
        let log = std::fs::File::create(work_dir.join("chromedriver.log")).expect("driver log");
        let mut command = Command::new(chromedriver_binary());
        command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        // Its own process group, so Drop can also end the Chromium processes it starts.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command
            .spawn()
            .expect("chromedriver starts (run scripts/deps-browser.sh)");
        let driver_addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut browser = Browser {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("a WebDriver client"),
            driver_url: Url::parse(&format!("http://127.0.0.1:{port}/")).expect("driver URL"),
            driver_addr,
            session_id: None,
            driver,
            work_dir,
        };
        browser.wait_until_ready().await;
        browser.start_session().await;
        browser
    }

    async fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!(
                    "chromedriver exited at start ({status}): {}",
                    self.driver_log()
                );
            }
            let ready = self
                .http
                .get(self.driver_url.join("status").expect("status URL"))
                .send()
                .await;
            if let Ok(response) = ready {
                let body: Value = response.json().await.unwrap_or_default();
                if body["value"]["ready"] == json!(true) {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready in time: {}",
                self.driver_log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn start_session(&mut self) {
        let profile = self.work_dir.join("profile");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium_binary(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let answer = self
            .command(reqwest::Method::POST, "session", &capabilities)
            .await;
        let id = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"))
            .to_owned();
        self.session_id = Some(id);
    }

    fn driver_log(&self) -> String {
        std::fs::read_to_string(self.work_dir.join("chromedriver.log")).unwrap_or_default()
    }

    fn session_path(&self, tail: &str) -> String {
        let id = self.session_id.as_deref().expect("an open session");
        if tail.is_empty() {
            format!("session/{id}")
        } else {
            format!("session/{id}/{tail}")
        }
    }

    /// Sends one WebDriver command and answers its `value`; a WebDriver error fails the test.
    async fn command(&self, method: reqwest::Method, path: &str, body: &Value) -> Value {
        let url = self.driver_url.join(path).expect("WebDriver URL");
        let mut request = self.http.request(method.clone(), url);
        if method != reqwest::Method::GET {
            request = request.json(body);
        }
        let response = request.send().await.expect("WebDriver answers");
        let status = response.status();
        let answer: Value = response.json().await.expect("WebDriver JSON");
        assert!(
            status.is_success(),
            "WebDriver {method} {path} failed ({status}): {}",
            answer["value"]
        );
        answer["value"].clone()
    }

    pub async fn open(&self, url: &Url) {
        self.command(
            reqwest::Method::POST,
            &self.session_path("url"),
            &json!({"url": url.as_str()}),
        )
        .await;
    }

    pub async fn current_url(&self) -> Url {
        let value = self
            .command(
                reqwest::Method::GET,
                &self.session_path("url"),
                &Value::Null,
            )
            .await;
        Url::parse(value.as_str().expect("a URL string")).expect("an absolute URL")
    }

    async fn element(&self, css: &str) -> String {
        let value = self
            .command(
                reqwest::Method::POST,
                &self.session_path("element"),
                &json!({"using": "css selector", "value": css}),
            )
            .await;
        value[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {value}"))
            .to_owned()
    }

    pub async fn click(&self, css: &str) {
        let element = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &self.session_path(&format!("element/{element}/click")),
            &json!({}),
        )
        .await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &self.session_path(&format!("element/{element}/value")),
            &json!({"text": text}),
        )
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
        let element = self.element(css).await;
        let value = self
            .command(
                reqwest::Method::GET,
                &self.session_path(&format!("element/{element}/text")),
                &Value::Null,
            )
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Waits for the browser to be on a page under `origin` (after a redirect chain) and answers
    /// the URL exactly as the browser holds it.
    pub async fn wait_for_origin(&self, origin: &Url) -> Url {
        self.wait_for_url(&format!("a page of {origin}"), |url| {
            url.origin() == origin.origin()
        })
        .await
    }

    /// Waits until the browser's URL satisfies `arrived`.
    pub async fn wait_for_url(&self, what: &str, arrived: impl Fn(&Url) -> bool) -> Url {
        let deadline = Instant::now() + NAVIGATION_TIMEOUT;
        loop {
            let url = self.current_url().await;
            if arrived(&url) {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "the browser stayed on {url}, never reached {what}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the session the polite way; Drop does the rest.
    pub async fn close(mut self) {
        if self.session_id.is_some() {
            let path = self.session_path("");
            let url = self.driver_url.join(&path).expect("WebDriver URL");
            let _ = self.http.delete(url).send().await;
            self.session_id = None;
        }
    }

    /// A blocking DELETE for Drop, which cannot await: chromedriver then quits Chromium itself.
    fn delete_session_blocking(&mut self) {
        let Some(id) = self.session_id.take() else {
            return;
        };
        let Ok(mut stream) = TcpStream::connect_timeout(&self.driver_addr, Duration::from_secs(2))
        else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request = format!(
            "DELETE /session/{id} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.driver_addr
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.delete_session_blocking();
        let pid = self.driver.id();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Anything chromedriver left behind is in its process group (its pid); end exactly that.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.work_dir);
    }
}

/// A loopback HTTP server that answers every path with a small page and remembers what the
/// browser asked for: where the checkout's and the login's redirects land in these tests.
pub struct LandingPage {
    base: Url,
    hits: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl LandingPage {
    pub async fn start() -> LandingPage {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("landing page listens");
        let port = listener.local_addr().expect("address").port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .fallback(
                |State(hits): State<Arc<Mutex<Vec<String>>>>, OriginalUri(uri): OriginalUri| async move {
                    hits.lock().expect("hits").push(uri.to_string());
                    Html("<!doctype html><html lang=\"it\"><head><title>ComunicApp</title></head><body><p id=\"back\">Ritorno all'app</p></body></html>")
                },
            )
            .with_state(hits.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        LandingPage {
            base: Url::parse(&format!("http://127.0.0.1:{port}/")).expect("landing URL"),
            hits,
            task,
        }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn url(&self, path_and_query: &str) -> Url {
        self.base
            .join(path_and_query.trim_start_matches('/'))
            .expect("landing URL")
    }

    /// Path and query of every request the browser made here, in order.
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().expect("hits").clone()
    }
}

impl Drop for LandingPage {
    fn drop(&mut self) {
        self.task.abort();
    }
}
