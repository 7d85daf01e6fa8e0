//! Fault injection for crash-safety tests: make a step fail, or make the worker "crash"
//! (stop without releasing its lease), right after the step's side effects and before the
//! step is recorded as done — the worst moment for idempotency.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU32, Ordering},
};

use crate::Step;

/// What an injected fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The step returns an error.
    Fail,
    /// The worker stops as if killed: the job keeps its lease until it expires.
    Crash,
}

#[derive(Debug)]
struct Fault {
    /// A saga step's or a move step's name.
    step: &'static str,
    kind: FaultKind,
    remaining: AtomicU32,
}

/// A set of injected faults; empty in production.
#[derive(Debug, Clone, Default)]
pub struct Faults(Option<Arc<Mutex<Vec<Arc<Fault>>>>>);

impl Faults {
    pub fn none() -> Self {
        Self(None)
    }

    /// Injects `kind` at `step` for the next `times` executions of that step.
    pub fn inject(step: Step, kind: FaultKind, times: u32) -> Self {
        Self::inject_at(step.as_str(), kind, times)
    }

    /// Injects `kind` at the step named `step` (a saga step or a move step, e.g. `copy`).
    pub fn inject_at(step: &'static str, kind: FaultKind, times: u32) -> Self {
        let fault = Arc::new(Fault { step, kind, remaining: AtomicU32::new(times) });
        Self(Some(Arc::new(Mutex::new(vec![fault]))))
    }

    /// Removes every fault (the "operator fixed the cause" moment of a test).
    pub fn clear(&self) {
        if let Some(faults) = &self.0
            && let Ok(mut faults) = faults.lock()
        {
            faults.clear();
        }
    }

    pub(crate) fn take(&self, step: &str) -> Option<FaultKind> {
        let faults = self.0.as_ref()?.lock().ok()?;
        let fault = faults.iter().find(|f| f.step == step)?;
        fault.remaining.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).ok().map(|_| fault.kind)
    }
}
