//! Who drives a tenant connection: a task on the runtime of the request that last checked it
//! out, so its queries do not cross threads (see [`super::homing`]).
//!
//! A tokio-postgres connection is a future that must be polled for its client's queries to be
//! sent and answered. Instead of one task for its whole life, a [`Link`] keeps that future and
//! one driver task on each runtime that has checked the connection out. Only the driver of the
//! runtime that checked it out last polls it; the others stay parked. Checking the connection
//! out on another runtime wakes that runtime's parked driver (a local wake, no thread crossed)
//! or, the first time, spawns one there. The connection itself is only ever polled with the
//! link's own waker, which forwards to the driver polling now, so a move leaves no stale waker
//! inside it. Between checkouts the current driver keeps polling, so a connection the server
//! closes is noticed while it is idle.

use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    task::{Context, Poll, Wake, Waker},
};

use tokio::{
    runtime::{Handle, Id},
    sync::OwnedSemaphorePermit,
};

/// The connection future tokio-postgres returns, boxed (its TLS stream type is private).
pub type Connection = Pin<Box<dyn Future<Output = Result<(), tokio_postgres::Error>> + Send>>;

/// A tenant connection's protocol state, shared by its drivers.
pub struct Link {
    state: Mutex<LinkState>,
    /// The waker of the driver polling the connection now (what [`Forward`] wakes). Kept apart
    /// from `state`: the connection may wake its waker while a driver holds `state`.
    driving: Arc<Mutex<Option<Waker>>>,
    /// The waker the connection is polled with: a [`Forward`] to `driving`.
    waker: Waker,
}

struct LinkState {
    /// `None` once the connection ended (its socket is then closed).
    connection: Option<Connection>,
    /// The runtime whose driver polls the connection; `None` when that runtime shut down.
    runtime: Option<Id>,
    /// Each runtime's driver task and its waker (`None` until it is first polled).
    drivers: Vec<(Id, Option<Waker>)>,
    /// The worker's connection budget slot, freed once the socket is closed.
    slot: Option<OwnedSemaphorePermit>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Wakes whichever driver polls the connection now.
struct Forward(Arc<Mutex<Option<Waker>>>);

impl Wake for Forward {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let driver = lock(&self.0).clone();
        if let Some(driver) = driver {
            driver.wake();
        }
    }
}

impl Link {
    /// Starts driving `connection` on the current runtime; `slot` is held until it ends.
    pub fn start(connection: Connection, slot: OwnedSemaphorePermit) -> Arc<Self> {
        let driving = Arc::new(Mutex::new(None));
        let link = Arc::new(Self {
            state: Mutex::new(LinkState {
                connection: Some(connection),
                runtime: None,
                drivers: Vec::new(),
                slot: Some(slot),
            }),
            waker: Waker::from(Arc::new(Forward(driving.clone()))),
            driving,
        });
        link.follow_here();
        link
    }

    /// Makes the current runtime drive the connection, unless it already does.
    pub fn follow_here(self: &Arc<Self>) {
        let Ok(here) = Handle::try_current() else { return };
        let mut state = lock(&self.state);
        if state.connection.is_none() || state.runtime == Some(here.id()) {
            return;
        }
        state.runtime = Some(here.id());
        let parked = state.drivers.iter().find(|(runtime, _)| *runtime == here.id()).map(|(_, waker)| waker.clone());
        match parked {
            // This runtime's driver was parked: it takes over at its next poll, on this thread.
            Some(Some(driver)) => {
                *lock(&self.driving) = Some(driver.clone());
                drop(state);
                driver.wake();
            }
            // Spawned but not yet polled: its first poll takes over.
            Some(None) => *lock(&self.driving) = None,
            None => {
                state.drivers.push((here.id(), None));
                *lock(&self.driving) = None;
                drop(state);
                here.spawn(drive(self.clone(), here.id()));
            }
        }
    }

    /// The runtime now driving the connection (for tests).
    pub fn runtime(&self) -> Option<Id> {
        lock(&self.state).runtime
    }

    /// The driver tasks alive, parked or polling (for tests).
    pub fn drivers(&self) -> usize {
        lock(&self.state).drivers.len()
    }
}

/// This runtime's driver: polls the link's connection while its runtime is the one that
/// checked it out last, stays parked otherwise, and ends with the connection.
async fn drive(link: Arc<Link>, home: Id) {
    let _handover = Handover { link: link.clone(), home };
    std::future::poll_fn(|cx| {
        let mut state = lock(&link.state);
        if state.connection.is_none() {
            return Poll::Ready(());
        }
        if let Some((_, waker)) = state.drivers.iter_mut().find(|(runtime, _)| *runtime == home)
            && !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker()))
        {
            *waker = Some(cx.waker().clone());
        }
        // The runtime driving it shut down: the first parked driver to wake takes over.
        if state.runtime.is_none() {
            state.runtime = Some(home);
        }
        if state.runtime != Some(home) {
            return Poll::Pending;
        }
        {
            let mut driving = lock(&link.driving);
            if !driving.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *driving = Some(cx.waker().clone());
            }
        }
        let Some(connection) = state.connection.as_mut() else { return Poll::Ready(()) };
        match connection.as_mut().poll(&mut Context::from_waker(&link.waker)) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                if let Err(err) = result {
                    tracing::debug!(error = %err, "tenant connection closed");
                }
                // The socket closes first, then the budget slot is free for another.
                state.connection = None;
                state.slot = None;
                let parked: Vec<Waker> = state.drivers.drain(..).filter_map(|(_, waker)| waker).collect();
                drop(state);
                *lock(&link.driving) = None;
                // The parked drivers end too.
                parked.into_iter().for_each(Waker::wake);
                Poll::Ready(())
            }
        }
    })
    .await;
}

/// Removes a driver from its link when it ends; when it ends because its runtime shut down
/// while it drove the connection, a parked driver on another runtime takes over.
struct Handover {
    link: Arc<Link>,
    home: Id,
}

impl Drop for Handover {
    fn drop(&mut self) {
        let mut state = lock(&self.link.state);
        state.drivers.retain(|(runtime, _)| *runtime != self.home);
        if state.runtime != Some(self.home) {
            return;
        }
        state.runtime = None;
        *lock(&self.link.driving) = None;
        let heir = state.drivers.iter().find_map(|(_, waker)| waker.clone());
        drop(state);
        if let Some(heir) = heir {
            heir.wake();
        }
    }
}
