//! Who drives a tenant connection: a task on the runtime of the request that last checked it
//! out, so its queries do not cross threads (see [`super::homing`]).
//!
//! A tokio-postgres connection is a future that must be polled for its client's queries to be
//! sent and answered. Instead of one task for its whole life, a [`Link`] keeps that future and
//! lets successive driver tasks poll it: checking the connection out on another runtime starts
//! a driver there and retires the previous one. A connection checked out on the runtime that
//! already drives it costs nothing extra. Between checkouts the last driver keeps polling, so a
//! connection the server closes is noticed while it is idle, as before.

use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard},
    task::{Poll, Waker},
};

use tokio::{
    runtime::{Handle, Id},
    sync::OwnedSemaphorePermit,
};

/// The connection future tokio-postgres returns, boxed (its TLS stream type is private).
pub type Connection = Pin<Box<dyn Future<Output = Result<(), tokio_postgres::Error>> + Send>>;

/// A tenant connection's protocol state, shared by its successive drivers.
pub struct Link {
    state: Mutex<LinkState>,
}

struct LinkState {
    /// `None` once the connection ended (its socket is then closed).
    connection: Option<Connection>,
    /// The driver allowed to poll it; older ones end when they next wake.
    generation: u64,
    /// The runtime of that driver.
    runtime: Option<Id>,
    /// That driver's waker, to end it promptly when another takes over.
    waker: Option<Waker>,
    /// The worker's connection budget slot, freed once the socket is closed.
    slot: Option<OwnedSemaphorePermit>,
}

fn lock(state: &Mutex<LinkState>) -> MutexGuard<'_, LinkState> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Link {
    /// Starts driving `connection` on the current runtime; `slot` is held until it ends.
    pub fn start(connection: Connection, slot: OwnedSemaphorePermit) -> Arc<Self> {
        let link = Arc::new(Self {
            state: Mutex::new(LinkState {
                connection: Some(connection),
                generation: 0,
                runtime: None,
                waker: None,
                slot: Some(slot),
            }),
        });
        link.follow_here();
        link
    }

    /// Makes the current runtime drive the connection, unless it already does.
    pub fn follow_here(self: &Arc<Self>) {
        let Ok(here) = Handle::try_current() else { return };
        let (generation, retired) = {
            let mut state = lock(&self.state);
            if state.connection.is_none() || state.runtime == Some(here.id()) {
                return;
            }
            state.generation += 1;
            state.runtime = Some(here.id());
            (state.generation, state.waker.take())
        };
        here.spawn(drive(self.clone(), generation));
        if let Some(retired) = retired {
            retired.wake();
        }
    }

    /// The runtime now driving the connection (for tests).
    pub fn runtime(&self) -> Option<Id> {
        lock(&self.state).runtime
    }
}

/// Polls the link's connection until it ends or a newer driver takes over.
async fn drive(link: Arc<Link>, generation: u64) {
    std::future::poll_fn(|cx| {
        let mut state = lock(&link.state);
        if state.generation != generation {
            return Poll::Ready(());
        }
        let Some(connection) = state.connection.as_mut() else { return Poll::Ready(()) };
        match connection.as_mut().poll(cx) {
            Poll::Pending => {
                if !state.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    state.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            Poll::Ready(result) => {
                if let Err(err) = result {
                    tracing::debug!(error = %err, "tenant connection closed");
                }
                // The socket closes first, then the budget slot is free for another.
                state.connection = None;
                state.slot = None;
                state.waker = None;
                Poll::Ready(())
            }
        }
    })
    .await;
}
