//! Live views: a screen subscribes once and is handed the current view at once, then a new one
//! after every change the core makes to the profile's store — a refresh, a return URL, a polled
//! status, a registration, a resume, a logout. No screen polls.
//!
//! Each subscription is one task on the core's own runtime, owned by the [`TaskHandle`] it
//! returns (matrix-rust-sdk's model): dropping or cancelling the handle ends the task. The task
//! waits on the store's change counter (a `watch` channel, which keeps only the latest value), and
//! hands each view to the listener on a blocking thread while it waits asynchronously: a listener
//! that takes its time misses intermediate views and receives the latest, and holds up neither
//! the store's writers nor the runtime's workers.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::runtime::Runtime;
use tokio::sync::watch;
use tokio::task::AbortHandle;

/// The runtime of the tasks the core starts by itself (subscriptions, following a top-up). The
/// apps' calls run wherever the bindings poll them; these must outlive any single call.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("comunicapp-live")
            .enable_all()
            .build()
            // Without threads or timers the process cannot run anything at all.
            .expect("the core's runtime starts")
    })
}

/// The tasks of one app: counted, so that a test (and a support log) can see none outlives
/// its handle.
#[derive(Debug, Clone, Default)]
pub struct LiveTasks {
    running: Arc<AtomicUsize>,
}

impl LiveTasks {
    pub fn count(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Starts `task`; it counts as running until it returns or its handle cancels it.
    pub fn spawn<F>(&self, task: F) -> TaskHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let running = RunningGuard::new(Arc::clone(&self.running));
        let join = runtime().spawn(async move {
            // Dropped when the task returns and when it is aborted alike.
            let _running = running;
            task.await;
        });
        TaskHandle {
            abort: join.abort_handle(),
        }
    }
}

struct RunningGuard(Arc<AtomicUsize>);

impl RunningGuard {
    fn new(counter: Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        RunningGuard(counter)
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Owns a task of the core: dropping it, or `cancel()`, stops the task.
#[derive(Debug)]
pub struct TaskHandle {
    abort: AbortHandle,
}

impl TaskHandle {
    pub fn cancel(&self) {
        self.abort.abort();
    }

    pub fn is_finished(&self) -> bool {
        self.abort.is_finished()
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.abort.abort();
    }
}

/// Delivers `compute()` now and after every change, skipping a view equal to the last one
/// delivered. `compute` returning `None` (the store could not be read this time) delivers
/// nothing; the next change tries again. The task ends when the store is gone.
pub fn subscribe<V, C, L>(
    tasks: &LiveTasks,
    mut changes: watch::Receiver<u64>,
    compute: C,
    listener: L,
) -> TaskHandle
where
    V: PartialEq + Clone + Send + 'static,
    C: Fn() -> Option<V> + Send + 'static,
    L: Fn(V) + Send + Sync + 'static,
{
    let listener = Arc::new(listener);
    tasks.spawn(async move {
        let mut delivered: Option<V> = None;
        loop {
            changes.borrow_and_update();
            if let Some(view) = compute() {
                if delivered.as_ref() != Some(&view) {
                    delivered = Some(view.clone());
                    let listener = Arc::clone(&listener);
                    // A listener that panics has only lost its own delivery.
                    let _ = tokio::task::spawn_blocking(move || listener(view)).await;
                }
            }
            if changes.changed().await.is_err() {
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_subscription_delivers_now_then_each_change_and_stops_with_its_handle() {
        let tasks = LiveTasks::default();
        let (sender, receiver) = watch::channel(0_u64);
        let value = Arc::new(AtomicUsize::new(1));
        let (seen, views) = mpsc::channel();
        let source = Arc::clone(&value);
        let handle = subscribe(
            &tasks,
            receiver,
            move || Some(source.load(Ordering::SeqCst)),
            move |view| {
                let _ = seen.send(view);
            },
        );
        let wait = Duration::from_secs(5);
        assert_eq!(views.recv_timeout(wait), Ok(1));
        assert_eq!(tasks.count(), 1);
        // A change that leaves the view equal delivers nothing; a real change does.
        sender.send_modify(|g| *g += 1);
        value.store(2, Ordering::SeqCst);
        sender.send_modify(|g| *g += 1);
        assert_eq!(views.recv_timeout(wait), Ok(2));
        drop(handle);
        for _ in 0..100 {
            if tasks.count() == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(tasks.count(), 0);
        value.store(3, Ordering::SeqCst);
        sender.send_modify(|g| *g += 1);
        assert!(views.recv_timeout(Duration::from_millis(200)).is_err());
    }

    #[test]
    fn a_stuck_listener_holds_up_neither_writers_nor_other_subscriptions() {
        let tasks = LiveTasks::default();
        let (sender, receiver) = watch::channel(0_u64);
        let (release, stuck) = mpsc::channel::<()>();
        let stuck = std::sync::Mutex::new(stuck);
        let (entered, first_entered) = mpsc::channel();
        let _slow = subscribe(
            &tasks,
            receiver.clone(),
            || Some(()),
            move |()| {
                let _ = entered.send(());
                let _ = stuck.lock().map(|r| r.recv());
            },
        );
        assert!(first_entered.recv_timeout(Duration::from_secs(5)).is_ok());
        let counter = Arc::new(AtomicUsize::new(0));
        let source = Arc::clone(&counter);
        let (seen, views) = mpsc::channel();
        let _fast = subscribe(
            &tasks,
            receiver,
            move || Some(source.load(Ordering::SeqCst)),
            move |view| {
                let _ = seen.send(view);
            },
        );
        assert_eq!(views.recv_timeout(Duration::from_secs(5)), Ok(0));
        for n in 1..=50 {
            counter.store(n, Ordering::SeqCst);
            // send_modify never waits for receivers: the writer goes on.
            sender.send_modify(|g| *g += 1);
        }
        let mut last = 0;
        while last != 50 {
            last = views
                .recv_timeout(Duration::from_secs(5))
                .expect("the fast subscription keeps receiving");
        }
        let _ = release.send(());
    }
}
