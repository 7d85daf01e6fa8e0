//! Rate limits, GCRA via `governor`, kept in each worker's memory:
//! - sign-in (login, register, accept invitation): per client IP and tenant, default 5 a minute;
//! - the tenant API, counted after authentication: per tenant, default 120 per 5 minutes, set
//!   per plan;
//! - every request to a tenant, authenticated or not: per client IP and tenant, four times the
//!   plan's budget — so anonymous or bogus-credential floods from one client cannot spend the
//!   tenant's budget (they never reach it) and are cut off on their own.
//!
//! Limits are per worker: with N workers behind a balancer a client gets up to N times the
//! budget. That bounds abuse without a shared store on the request path; a global limit
//! belongs in the edge proxy (see docs/tenant-api.md). Responses carry `RateLimit-Limit`,
//! `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`; a refusal is
//! `429 RATE_LIMITED` with `Retry-After`.

use std::{collections::HashMap, net::IpAddr, num::NonZeroU32, str::FromStr, sync::Arc, time::Duration};

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
};
use http_api::{ApiError, ErrorCode};
use uuid::Uuid;

type Keyed<K> = DefaultKeyedRateLimiter<K, StateInformationMiddleware>;

/// A budget: `requests` per `window_secs`, e.g. `120/300`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBudget {
    pub requests: NonZeroU32,
    pub window_secs: NonZeroU32,
}

impl FromStr for RateBudget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (n, w) = s.split_once('/').ok_or_else(|| format!("{s:?}: expected <requests>/<seconds>"))?;
        let parse =
            |v: &str| v.trim().parse::<NonZeroU32>().map_err(|_| format!("{s:?}: {v:?} is not a positive number"));
        Ok(Self { requests: parse(n)?, window_secs: parse(w)? })
    }
}

impl RateBudget {
    fn quota(self) -> Quota {
        let period = Duration::from_secs(u64::from(self.window_secs.get())) / self.requests.get();
        Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(self.requests))
            .allow_burst(self.requests)
    }
}

/// `plan=<requests>/<seconds>`, e.g. `pro=1200/300`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanBudget {
    pub plan: String,
    pub budget: RateBudget,
}

impl FromStr for PlanBudget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (plan, budget) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected <plan>=<requests>/<seconds>"))?;
        Ok(Self { plan: plan.trim().to_owned(), budget: budget.parse()? })
    }
}

/// Rate-limit settings.
#[derive(Debug, Clone, clap::Args)]
pub struct RateLimitSettings {
    /// Sign-in attempts per client IP and tenant per minute.
    #[arg(long, env = "TENANTRY_AUTH_RATE_PER_MINUTE", default_value_t = NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN))]
    pub auth_per_minute: NonZeroU32,
    /// Tenant API budget for plans without their own, as `<requests>/<seconds>`.
    #[arg(long, env = "TENANTRY_API_RATE_LIMIT", default_value = "120/300")]
    pub api: RateBudget,
    /// Budgets per plan, comma-separated `plan=<requests>/<seconds>`.
    #[arg(long, env = "TENANTRY_API_RATE_LIMIT_PLANS", value_delimiter = ',')]
    pub api_plans: Vec<PlanBudget>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            auth_per_minute: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
            api: RateBudget {
                requests: NonZeroU32::new(120).unwrap_or(NonZeroU32::MIN),
                window_secs: NonZeroU32::new(300).unwrap_or(NonZeroU32::MIN),
            },
            api_plans: Vec::new(),
        }
    }
}

/// What a response tells the client about its budget.
#[derive(Debug, Clone, Copy)]
pub struct RateLimitInfo {
    budget: RateBudget,
    remaining: u32,
    /// Seconds until the budget is full again.
    reset_secs: u64,
}

struct ApiLimiter {
    budget: RateBudget,
    limiter: Keyed<Uuid>,
    client_budget: RateBudget,
    clients: Keyed<(Uuid, IpAddr)>,
}

/// Each client's ceiling, as a multiple of the tenant's budget.
const CLIENT_FACTOR: u32 = 4;

/// The worker's limiters.
#[derive(Clone)]
pub struct Limits {
    auth: Arc<Keyed<(Uuid, IpAddr)>>,
    auth_budget: RateBudget,
    api_default: Arc<ApiLimiter>,
    api_plans: Arc<HashMap<String, ApiLimiter>>,
}

impl Limits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        let auth_budget = RateBudget {
            requests: settings.auth_per_minute,
            window_secs: NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN),
        };
        let api = |budget: RateBudget| {
            let client_budget = RateBudget {
                requests: budget.requests.saturating_mul(NonZeroU32::new(CLIENT_FACTOR).unwrap_or(NonZeroU32::MIN)),
                window_secs: budget.window_secs,
            };
            ApiLimiter {
                budget,
                limiter: RateLimiter::keyed(budget.quota()).with_middleware::<StateInformationMiddleware>(),
                client_budget,
                clients: RateLimiter::keyed(client_budget.quota()).with_middleware::<StateInformationMiddleware>(),
            }
        };
        Self {
            auth: Arc::new(RateLimiter::keyed(auth_budget.quota()).with_middleware::<StateInformationMiddleware>()),
            auth_budget,
            api_default: Arc::new(api(settings.api)),
            api_plans: Arc::new(settings.api_plans.iter().map(|p| (p.plan.clone(), api(p.budget))).collect()),
        }
    }

    /// Counts one request from `ip` to `tenant` against the client's ceiling.
    pub fn check_client(&self, tenant: Uuid, ip: Option<IpAddr>, plan: &str) -> Result<RateLimitInfo, ApiError> {
        let api = self.api_plans.get(plan).unwrap_or(&self.api_default);
        let ip = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        check(&api.clients, &(tenant, ip), api.client_budget, "too many requests from this client; retry later")
    }

    /// Counts one authenticated tenant API request of `tenant` on `plan`.
    pub fn check_api(&self, tenant: Uuid, plan: &str) -> Result<RateLimitInfo, ApiError> {
        let api = self.api_plans.get(plan).unwrap_or(&self.api_default);
        check(&api.limiter, &tenant, api.budget, "too many requests for this tenant; retry later")
    }

    /// Counts one sign-in attempt from `ip` at `tenant`.
    pub fn check_auth(&self, tenant: Uuid, ip: Option<IpAddr>) -> Result<RateLimitInfo, ApiError> {
        let ip = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        check(&self.auth, &(tenant, ip), self.auth_budget, "too many sign-in attempts; retry later")
    }

    /// Drops the state of keys whose budget is full again (called periodically).
    pub fn shrink(&self) {
        self.auth.retain_recent();
        self.auth.shrink_to_fit();
        for api in std::iter::once(&*self.api_default).chain(self.api_plans.values()) {
            api.limiter.retain_recent();
            api.limiter.shrink_to_fit();
            api.clients.retain_recent();
            api.clients.shrink_to_fit();
        }
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &Keyed<K>,
    key: &K,
    budget: RateBudget,
    message: &str,
) -> Result<RateLimitInfo, ApiError> {
    let per_request = Duration::from_secs(u64::from(budget.window_secs.get())) / budget.requests.get();
    match limiter.check_key(key) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            let used = budget.requests.get().saturating_sub(remaining);
            Ok(RateLimitInfo { budget, remaining, reset_secs: (per_request * used).as_secs_f64().ceil() as u64 })
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Err(ApiError::new(ErrorCode::RATE_LIMITED, message).with_retry_after(wait.as_secs_f64().ceil() as u64))
        }
    }
}

/// Middleware: adds the `RateLimit-*` headers of the budget a request was counted against.
pub async fn rate_limit_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    let info = res.request().extensions().get::<RateLimitInfo>().copied();
    if let Some(info) = info {
        let headers = res.headers_mut();
        let mut set = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        };
        set("ratelimit-limit", info.budget.requests.to_string());
        set("ratelimit-remaining", info.remaining.to_string());
        set("ratelimit-reset", info.reset_secs.to_string());
        set("ratelimit-policy", format!("{};w={}", info.budget.requests, info.budget.window_secs));
    }
    Ok(res)
}

/// Records `info` on the request for [`rate_limit_headers`].
pub fn remember(req: &actix_web::HttpRequest, info: RateLimitInfo) {
    req.extensions_mut().insert(info);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse() {
        let b: RateBudget = "120/300".parse().unwrap();
        assert_eq!((b.requests.get(), b.window_secs.get()), (120, 300));
        for bad in ["", "120", "0/300", "120/0", "a/b", "-1/5"] {
            assert!(bad.parse::<RateBudget>().is_err(), "{bad}");
        }
        let p: PlanBudget = "pro=1200/300".parse().unwrap();
        assert_eq!(p.plan, "pro");
        assert!("pro".parse::<PlanBudget>().is_err());
    }

    #[test]
    fn the_budget_is_spent_then_refused_with_a_retry_time() {
        let settings = RateLimitSettings {
            api: "3/60".parse().unwrap(),
            api_plans: vec!["big=10/60".parse().unwrap()],
            ..Default::default()
        };
        let limits = Limits::new(&settings);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        // A client's ceiling is four times the budget.
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert_eq!(limits.check_client(a, ip, "free").unwrap().remaining, 11);
        let remaining: Vec<u32> = (0..3).map(|_| limits.check_api(a, "free").unwrap().remaining).collect();
        assert_eq!(remaining, vec![2, 1, 0]);
        let refused = limits.check_api(a, "free").unwrap_err();
        assert_eq!(refused.code(), ErrorCode::RATE_LIMITED);
        // Another tenant has its own budget, and a plan its own size.
        assert_eq!(limits.check_api(b, "free").unwrap().remaining, 2);
        assert_eq!(limits.check_api(b, "big").unwrap().remaining, 9);
    }
}
