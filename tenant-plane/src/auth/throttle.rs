//! Failed sign-ins, per account: each failure makes the next answer slower, and after
//! [`LOCK_AFTER`] failures in a row the account is locked (kept in the tenant database, so
//! every worker sees it) for a period that doubles with each further failure.
//!
//! The slowdown counter is kept in memory for every address tried, known or not, so the delay
//! does not reveal which accounts exist.

use std::time::Duration;

use uuid::Uuid;

/// Consecutive failures that lock an account.
pub const LOCK_AFTER: i32 = 10;
/// The first lock lasts this long; each further failure while at the threshold doubles it.
pub const FIRST_LOCK: chrono::Duration = chrono::Duration::minutes(15);
const MAX_LOCK_DOUBLINGS: i32 = 6;
/// Added to the answer per recent failure of the same address.
const STEP: Duration = Duration::from_millis(50);
const MAX_DELAY: Duration = Duration::from_secs(2);

/// How long to lock an account that has failed `failures` times in a row (`None`: not yet).
pub fn lock_for(failures: i32) -> Option<chrono::Duration> {
    (failures >= LOCK_AFTER).then(|| FIRST_LOCK * 2_i32.pow((failures - LOCK_AFTER).min(MAX_LOCK_DOUBLINGS) as u32))
}

/// Recent failures per (tenant, address), forgotten 15 minutes after the last one.
#[derive(Clone)]
pub struct LoginThrottle {
    failures: moka::sync::Cache<(Uuid, String), u32>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            failures: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(15 * 60))
                .build(),
        }
    }
}

impl LoginThrottle {
    /// Records a failure; returns how long to wait before answering.
    pub fn failed(&self, tenant: Uuid, email: &str) -> Duration {
        let key = (tenant, email.to_owned());
        let n = self.failures.get(&key).unwrap_or(0).saturating_add(1);
        self.failures.insert(key, n);
        (STEP * n).min(MAX_DELAY)
    }

    pub fn succeeded(&self, tenant: Uuid, email: &str) {
        self.failures.invalidate(&(tenant, email.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_with_failures_and_reset_on_success() {
        let throttle = LoginThrottle::default();
        let tenant = Uuid::now_v7();
        let first = throttle.failed(tenant, "a@b.c");
        let second = throttle.failed(tenant, "a@b.c");
        assert!(second > first);
        assert_eq!(throttle.failed(Uuid::now_v7(), "a@b.c"), first, "per tenant");
        throttle.succeeded(tenant, "a@b.c");
        assert_eq!(throttle.failed(tenant, "a@b.c"), first);
    }

    #[test]
    fn locks_start_at_the_threshold_and_double() {
        assert_eq!(lock_for(LOCK_AFTER - 1), None);
        assert_eq!(lock_for(LOCK_AFTER), Some(FIRST_LOCK));
        assert_eq!(lock_for(LOCK_AFTER + 1), Some(FIRST_LOCK * 2));
        assert_eq!(lock_for(LOCK_AFTER + 100), Some(FIRST_LOCK * 64));
    }
}
