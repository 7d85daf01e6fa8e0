//! The per-step record kept in `provisioning_jobs.steps` (saga and move steps, by name).

use std::{collections::BTreeMap, time::Duration};

use chrono::Utc;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct StepRecord {
    state: String,
    attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    at: String,
    /// How long the last attempt took.
    #[serde(default)]
    duration_ms: u64,
}

/// Step name → state, attempts, last error, time.
#[derive(Debug, Clone, Default)]
pub(crate) struct StepLog(BTreeMap<String, StepRecord>);

impl StepLog {
    pub(crate) fn from_json(value: &serde_json::Value) -> Self {
        Self(serde_json::from_value(value.clone()).unwrap_or_default())
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    pub(crate) fn is_done(&self, step: &str) -> bool {
        self.0.get(step).is_some_and(|r| r.state == "done")
    }

    pub(crate) fn mark_done(&mut self, step: &str, took: Duration) {
        self.update(step, "done", None, took);
    }

    pub(crate) fn mark_failed(&mut self, step: &str, error: &str, took: Duration) {
        self.update(step, "failed", Some(error.to_owned()), took);
    }

    fn update(&mut self, step: &str, state: &str, error: Option<String>, took: Duration) {
        let record = self.0.entry(step.to_owned()).or_default();
        if record.state == "done" && state == "done" {
            return;
        }
        record.state = state.to_owned();
        record.attempts += 1;
        record.error = error;
        record.at = Utc::now().to_rfc3339();
        record.duration_ms = took.as_millis() as u64;
    }
}
