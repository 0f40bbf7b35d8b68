//! Starting and stopping a sandbox: one listener on loopback, hyper connections we own (so a
//! fault can close one without answering), and the handle tests and the demo hold.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::middleware::from_fn_with_state;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;
use url::Url;

use crate::config::SandboxConfig;
use crate::faults::{fault_layer, DropConnection};
use crate::wire::{Account, Avviso, Balances, Receipt, Ricarica};
use crate::world::{span, DemoCredentials, PayError, World};
use crate::{admin, checkout, http, oauth, portal, seed};

/// What every route shares: the configuration, the addresses, and the world behind its lock.
pub struct Shared {
    pub config: SandboxConfig,
    pub base_url: Url,
    /// Base of URLs handed to browsers (the emulator may need 10.0.2.2).
    pub public_base_url: Url,
    world: Mutex<World>,
}

impl Shared {
    /// The world with every due time-driven change applied.
    pub fn lock(&self) -> MutexGuard<'_, World> {
        let mut world = self.lock_raw();
        world.tick(&self.config);
        world
    }

    /// The world as it is, for the fault layer that must not move time along.
    pub fn lock_raw(&self) -> MutexGuard<'_, World> {
        // A panic in another request cannot leave the world half-updated in a way that matters
        // for a sandbox; carry on rather than fail every later request.
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("sandbox.bind_failed: cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("sandbox.bad_address: {0}")]
    Address(String),
}

#[derive(Debug, thiserror::Error)]
#[error("connection closed by a drop fault")]
struct ConnectionDropped;

/// Starts a sandbox on loopback; it serves until [`SandboxHandle::shutdown`] or the handle drops.
pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, StartError> {
    let requested = SocketAddr::new(config.bind, config.port);
    let listener = TcpListener::bind(requested)
        .await
        .map_err(|source| StartError::Bind {
            addr: requested,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: requested,
        source,
    })?;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    let base_url = Url::parse(&format!("http://{host}:{}/", addr.port()))
        .map_err(|e| StartError::Address(e.to_string()))?;
    let public_base_url = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| base_url.clone());
    let mut world = seed::world(config.seed_today);
    let history = seed::past_years(&world.account, config.history_movements);
    world.movements.splice(0..0, history);
    let shared = Arc::new(Shared {
        config,
        base_url,
        public_base_url,
        world: Mutex::new(world),
    });
    let app = router(shared.clone());
    let (shutdown_tx, shutdown_rx) = oneshot::channel();
    let task = tokio::spawn(serve(listener, app, shutdown_rx));
    Ok(SandboxHandle {
        shared,
        shutdown: Some(shutdown_tx),
        task: Some(task),
    })
}

fn router(shared: Arc<Shared>) -> Router {
    let mut app = Router::new()
        .merge(portal::routes())
        .merge(oauth::routes())
        .merge(checkout::routes());
    if shared.config.faults_enabled {
        app = app.merge(admin::routes());
    }
    app.route_layer(from_fn_with_state(shared.clone(), fault_layer))
        .fallback(|| async {
            http::problem(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "Risorsa non trovata",
            )
        })
        .with_state(shared)
}

async fn serve(listener: TcpListener, app: Router, mut shutdown: oneshot::Receiver<()>) {
    // Dropping the set at the end aborts the open connections with the sandbox.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let app = app.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                        let app = app.clone();
                        async move {
                            let response = match app.oneshot(request.map(Body::new)).await {
                                Ok(response) => response,
                                Err(never) => match never {},
                            };
                            // hyper closes the connection without a response when the service fails.
                            if response.extensions().get::<DropConnection>().is_some() {
                                return Err(ConnectionDropped);
                            }
                            Ok(response)
                        }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// A copy of what the sandbox holds, for tests to compare with what the app shows.
#[derive(Debug, Clone)]
pub struct SandboxState {
    pub account: Account,
    pub balances: Balances,
    pub ricariche: Vec<Ricarica>,
    pub avvisi: Vec<Avviso>,
    pub receipts: Vec<Receipt>,
    pub movement_count: usize,
}

impl SandboxState {
    pub fn balance_cents(&self, child_id: &str, service_code: &str) -> Option<i64> {
        self.balances
            .balances
            .iter()
            .find(|b| b.child_id == child_id && b.service_code == service_code)
            .map(|b| b.balance_cents)
    }
}

pub struct SandboxHandle {
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> Url {
        self.shared.base_url.clone()
    }

    pub fn port(&self) -> u16 {
        self.shared.base_url.port().unwrap_or(0)
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }

    pub fn demo_credentials(&self) -> DemoCredentials {
        self.shared.lock_raw().credentials.clone()
    }

    pub fn state(&self) -> SandboxState {
        let world = self.shared.lock();
        SandboxState {
            account: world.account.clone(),
            balances: world.balances_view(),
            ricariche: world.ricariche.iter().map(|r| r.ricarica.clone()).collect(),
            avvisi: world.avvisi.clone(),
            receipts: world.receipts.clone(),
            movement_count: world.movements.len(),
        }
    }

    /// Every request since start (or the last `DELETE /admin/requests`), in arrival order; only
    /// recorded when faults are enabled (`for_tests()`).
    pub fn request_log(&self) -> Vec<crate::faults::LoggedRequest> {
        self.shared.lock_raw().faults.log()
    }

    /// Moves the sandbox's clock forward (registration, expiry and settling see the new time).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.lock_raw().clock_offset += span(by);
    }

    /// Pays a notice as a tobacconist or a bank would (outside the checkout).
    pub fn pay_notice_elsewhere(&self, notice_number: &str) -> Result<(), PayError> {
        let mut world = self.shared.lock();
        world.pay_notice_elsewhere(notice_number, &self.shared.config)
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
