//! The webhook dispatcher: one task per worker that sends due outbox rows.
//!
//! It is woken for a tenant when a request queued an event there, by a timer at the tenant's
//! next retry, by a sweep every `sweep_secs` over the tenants this worker serves, and once at
//! start over every active tenant (so retries survive restarts). Rows are leased with
//! `FOR UPDATE SKIP LOCKED`, so several workers never send one row twice at once.
//!
//! The start sweep reaches every tenant's database, a login each: it runs one tenant at a time,
//! only while the worker's connection budget is at most half used, without counting the tenant
//! as served (so served tenants keep their share of the budget), and closes the connection of a
//! tenant it found nothing due for. A restarted worker thus never takes the connections of the
//! tenants it serves to look at the thousand it does not.
//!
//! Retries: attempt n+1 comes `BACKOFF[n]` after attempt n — 1 min, 5 min, 30 min, 2 h, 5 h,
//! 10 h, 14 h — so 8 attempts span about 31.6 hours; then the row is `failed`. An endpoint whose
//! attempts have failed `DISABLE_AFTER_FAILURES` times in a row over at least
//! `DISABLE_AFTER` is switched off (audited as `webhook.auto_disabled`). `retry_scale`
//! multiplies every duration (tests run the schedule in seconds).

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::Arc,
    time::Duration,
};

use chrono::{DateTime, Utc};
use domain::TenantStatus;
use serde_json::json;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{guard, secret_context, signature};
use crate::{
    AppState,
    audit::{AuditActor, AuditEvent, RequestMeta},
    routing::{RouteKey, TenantRoute},
};

/// Delay after each failed attempt; its length + 1 is the number of attempts.
pub const BACKOFF_SECS: [u64; 7] = [60, 300, 1_800, 7_200, 18_000, 36_000, 50_400];
pub const MAX_ATTEMPTS: i32 = BACKOFF_SECS.len() as i32 + 1;
const DISABLE_AFTER_FAILURES: i32 = 20;
const DISABLE_AFTER_SECS: u64 = 24 * 3600;
const BATCH: i64 = 20;

/// Webhook delivery settings.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookSettings {
    /// Let webhook deliveries and connector test calls reach loopback addresses, over plain
    /// http or SMTP without TLS (tests and local development only; every other internal
    /// address stays refused).
    #[arg(long, env = "TENANTRY_OUTBOUND_ALLOW_LOOPBACK", value_parser = clap::builder::BoolishValueParser::new())]
    pub outbound_allow_loopback: bool,
    /// Private networks outbound calls may reach anyway, comma-separated CIDRs (on-prem SMTP or
    /// storage servers of tenants, approved by the operator). Never cloud metadata ranges.
    #[arg(long, env = "TENANTRY_OUTBOUND_ALLOW_CIDRS", value_delimiter = ',')]
    pub outbound_allow_cidrs: Vec<ipnet::IpNet>,
    /// Multiplies the retry schedule and the auto-disable period (1 = production schedule).
    #[arg(long, env = "TENANTRY_WEBHOOK_RETRY_SCALE", default_value_t = 1.0)]
    pub webhook_retry_scale: f64,
    /// Timeout of one delivery attempt, seconds.
    #[arg(long, env = "TENANTRY_WEBHOOK_TIMEOUT_SECS", default_value_t = 10)]
    pub webhook_timeout_secs: u64,
    /// How often the tenants this worker serves are checked for due deliveries, seconds.
    #[arg(long, env = "TENANTRY_WEBHOOK_SWEEP_SECS", default_value_t = 60)]
    pub webhook_sweep_secs: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            outbound_allow_loopback: false,
            outbound_allow_cidrs: Vec::new(),
            webhook_retry_scale: 1.0,
            webhook_timeout_secs: 10,
            webhook_sweep_secs: 60,
        }
    }
}

impl WebhookSettings {
    fn scaled(&self, secs: u64) -> Duration {
        Duration::from_secs_f64(secs as f64 * self.webhook_retry_scale.max(0.0))
    }

    pub fn policy(&self) -> guard::GuardPolicy {
        guard::GuardPolicy {
            allow_loopback: self.outbound_allow_loopback,
            allowed_networks: self.outbound_allow_cidrs.iter().copied().filter(|net| !is_metadata(net)).collect(),
        }
    }
}

/// Whether a network overlaps the link-local range holding cloud metadata, which no setting
/// may open.
fn is_metadata(net: &ipnet::IpNet) -> bool {
    let link_local =
        ipnet::IpNet::V4(ipnet::Ipv4Net::new(std::net::Ipv4Addr::new(169, 254, 0, 0), 16).unwrap_or_default());
    net.contains(&link_local.network()) || link_local.contains(&net.network())
}

/// Handle to wake the dispatcher for a tenant.
#[derive(Clone)]
pub struct Dispatcher {
    wake: mpsc::UnboundedSender<Uuid>,
    pub(crate) settings: Arc<WebhookSettings>,
    /// `None` only if the guarded client could not be built (then every attempt fails).
    client: Option<reqwest::Client>,
}

/// The receiving end, taken by the dispatcher task.
pub struct DispatcherInbox(mpsc::UnboundedReceiver<Uuid>);

impl Dispatcher {
    pub fn new(settings: WebhookSettings) -> (Self, DispatcherInbox) {
        let policy = settings.policy();
        let timeout = Duration::from_secs(settings.webhook_timeout_secs.max(1));
        let client = guard::client(policy.clone(), guard::GuardedResolver::system(policy), timeout)
            .inspect_err(|err| tracing::error!(error = %err, "webhook HTTP client unavailable"))
            .ok();
        let (wake, inbox) = mpsc::unbounded_channel();
        (Self { wake, settings: Arc::new(settings), client }, DispatcherInbox(inbox))
    }

    /// Sends one event (see [`send`]).
    pub async fn send(&self, url: &str, secret: &str, body: &[u8], event_id: Uuid, event_type: &str) -> AttemptResult {
        match &self.client {
            Some(client) => send(client, self.settings.policy(), url, secret, body, event_id, event_type).await,
            None => AttemptResult {
                delivered: false,
                status_code: None,
                error: Some("webhook client unavailable".into()),
                duration_ms: 0,
            },
        }
    }

    /// The SSRF-guarded HTTP client (also used for tenant-chosen connector endpoints).
    pub fn guarded_client(&self) -> Option<&reqwest::Client> {
        self.client.as_ref()
    }

    /// Asks for `tenant`'s due deliveries to be sent now.
    pub fn wake(&self, tenant: Uuid) {
        let _ = self.wake.send(tenant);
    }
}

/// One attempt's outcome.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptResult {
    pub delivered: bool,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// Sends one event to `url`, signed with `secret`.
pub async fn send(
    client: &reqwest::Client,
    policy: guard::GuardPolicy,
    url: &str,
    secret: &str,
    body: &[u8],
    event_id: Uuid,
    event_type: &str,
) -> AttemptResult {
    let started = std::time::Instant::now();
    let outcome = async {
        let parsed = url::Url::parse(url).map_err(|e| format!("bad url: {e}"))?;
        policy.check_url(&parsed).map_err(|e| format!("refused: {e}"))?;
        let timestamp = Utc::now().timestamp();
        let res = client
            .post(parsed)
            .header("content-type", "application/json")
            .header(signature::SIGNATURE_HEADER, signature::sign(secret, timestamp, body))
            .header("tenantry-event-id", event_id.to_string())
            .header("tenantry-event-type", event_type)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| error_text(&e))?;
        Ok::<_, String>(res.status().as_u16())
    }
    .await;
    let duration_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(code) => AttemptResult {
            delivered: (200..300).contains(&code),
            status_code: Some(code),
            error: (!(200..300).contains(&code)).then(|| format!("HTTP {code}")),
            duration_ms,
        },
        Err(error) => AttemptResult { delivered: false, status_code: None, error: Some(error), duration_ms },
    }
}

/// What went wrong, without the URL (it may carry tokens): the kind, then the causes.
fn error_text(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_redirect() {
        "redirect refused"
    } else {
        "request failed"
    }
    .to_owned();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(500).collect()
}

/// The delivery body.
pub fn envelope(
    tenant: Uuid,
    event_id: Uuid,
    event_type: &str,
    created_at: DateTime<Utc>,
    data: &serde_json::Value,
) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": event_id,
        "type": event_type,
        "tenantId": tenant,
        "createdAt": created_at,
        "data": data,
    }))
    .unwrap_or_default()
}

/// Tenants sent to at once by one worker.
const CONCURRENT_TENANTS: usize = 4;
/// Rows one pass sends for a tenant before it yields to the others.
const ROWS_PER_PASS: usize = 100;
/// A tenant is checked again at the earliest this long after a pass (no busy loops).
const MIN_RECHECK: Duration = Duration::from_millis(100);
/// A tenant with no pending rows and no new events for this long leaves the sweep.
const FORGET_AFTER: Duration = Duration::from_secs(600);

/// The dispatcher task: runs until `shutdown`. Tenants are processed in spawned tasks, at most
/// [`CONCURRENT_TENANTS`] at once and one task per tenant, so a slow endpoint of one tenant
/// does not hold up the others.
pub async fn run(state: AppState, inbox: DispatcherInbox, shutdown: impl std::future::Future<Output = ()>) {
    let DispatcherInbox(mut inbox) = inbox;
    tokio::pin!(shutdown);
    let settings = state.webhooks().settings.clone();
    // When each tenant is due next; tenants being processed; tenants recently active.
    let mut due: HashMap<Uuid, tokio::time::Instant> = HashMap::new();
    let mut in_flight: HashSet<Uuid> = HashSet::new();
    let mut active: HashMap<Uuid, tokio::time::Instant> = HashMap::new();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let slots = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_TENANTS));
    let mut sweep = tokio::time::interval(Duration::from_secs(settings.webhook_sweep_secs.max(1)));
    sweep.tick().await;
    // The start sweep's tenants, and whether one of them is being checked.
    let mut background: VecDeque<Uuid> = VecDeque::new();
    let mut background_busy = false;
    let (listed_tx, mut listed) = mpsc::unbounded_channel::<Vec<Uuid>>();
    let startup = {
        let state = state.clone();
        tokio::spawn(async move {
            let _ = listed_tx.send(active_tenants(&state).await);
        })
    };
    let mut background_retry = tokio::time::interval(BACKGROUND_RETRY);
    background_retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // The next tenant of the start sweep, when no other is being checked and the budget
        // has room; tenants already due for another reason are left to that.
        while !background_busy && state.pools().has_spare_budget() {
            let Some(tenant) = background.pop_front() else { break };
            if due.contains_key(&tenant) || in_flight.contains(&tenant) {
                continue;
            }
            background_busy = true;
            spawn_pass(&state, &done_tx, tenant, Pass::Background, None);
        }
        let now = tokio::time::Instant::now();
        // Start every due tenant that is not already running, as slots allow.
        let ready: Vec<Uuid> =
            due.iter().filter(|(t, at)| **at <= now && !in_flight.contains(t)).map(|(t, _)| *t).collect();
        for tenant in ready {
            let Ok(slot) = slots.clone().try_acquire_owned() else { break };
            due.remove(&tenant);
            in_flight.insert(tenant);
            spawn_pass(&state, &done_tx, tenant, Pass::Served, Some(slot));
        }
        let next_due = due.iter().filter(|(t, _)| !in_flight.contains(t)).map(|(_, at)| *at).min();
        tokio::select! {
            () = &mut shutdown => break,
            Some(tenants) = listed.recv() => background.extend(tenants),
            // The budget was too full for the start sweep: look again shortly.
            _ = background_retry.tick(), if !background.is_empty() && !background_busy => {}
            Some(tenant) = inbox.recv() => {
                active.insert(tenant, tokio::time::Instant::now());
                due.insert(tenant, tokio::time::Instant::now());
            }
            Some(Done { tenant, next, pass }) = done_rx.recv() => {
                if pass == Pass::Background {
                    background_busy = false;
                } else {
                    in_flight.remove(&tenant);
                }
                if let Some(next) = next {
                    let wait = (next - Utc::now()).to_std().unwrap_or_default().max(MIN_RECHECK);
                    let at = tokio::time::Instant::now() + wait;
                    due.entry(tenant).and_modify(|d| *d = (*d).min(at)).or_insert(at);
                    active.insert(tenant, tokio::time::Instant::now());
                }
            }
            _ = sweep.tick() => {
                // A safety net for events queued by other workers: recently active tenants only,
                // so idle tenants' pools are left to expire.
                let now = tokio::time::Instant::now();
                active.retain(|_, seen| now.duration_since(*seen) < FORGET_AFTER);
                for tenant in active.keys() {
                    due.entry(*tenant).or_insert(now);
                }
            }
            () = async { tokio::time::sleep_until(next_due.unwrap_or_else(tokio::time::Instant::now)).await }, if next_due.is_some() => {}
        }
    }
    startup.abort();
}

/// Every active tenant, for the start sweep (as many as could be listed).
async fn active_tenants(state: &AppState) -> Vec<Uuid> {
    let (mut tenants, mut cursor) = (Vec::new(), None);
    loop {
        let page = match state.catalog().list_tenants(cursor, 500, Some(TenantStatus::Active)).await {
            Ok(page) => page,
            Err(err) => {
                tracing::warn!(error = %err, "webhook startup sweep could not list tenants");
                return tenants;
            }
        };
        tenants.extend(page.items.iter().map(|tenant| tenant.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return tenants,
        }
    }
}

/// A finished pass over one tenant: when it is due next, and who it was for.
struct Done {
    tenant: Uuid,
    next: Option<DateTime<Utc>>,
    pass: Pass,
}

/// Runs a pass over `tenant` in a task of its own (holding `slot` meanwhile) and reports it to
/// `done`. A failed pass is tried again in 30 s. After a start-sweep pass that found nothing
/// due, the tenant's connection is closed unless the worker serves it.
fn spawn_pass(
    state: &AppState,
    done: &mpsc::UnboundedSender<Done>,
    tenant: Uuid,
    pass: Pass,
    slot: Option<tokio::sync::OwnedSemaphorePermit>,
) {
    let (state, done) = (state.clone(), done.clone());
    tokio::spawn(async move {
        let next = match deliver_due(&state, tenant, pass).await {
            Ok(next) => next,
            Err(err) => {
                tracing::warn!(tenant.id = %tenant, error = %format!("{err:#}"), "webhook delivery pass failed");
                Some(Utc::now() + chrono::Duration::seconds(30))
            }
        };
        if pass == Pass::Background && next.is_none() {
            state.pools().close_if_unserved(tenant).await;
        }
        drop(slot);
        let _ = done.send(Done { tenant, next, pass });
    });
}

/// Who a pass is for: a tenant this worker serves, or the start sweep (which must not count the
/// tenant as served).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Served,
    Background,
}

/// How often the start sweep looks again while the connection budget is too full for it.
const BACKGROUND_RETRY: Duration = Duration::from_millis(200);

async fn active_route(state: &AppState, tenant: Uuid) -> anyhow::Result<Option<Arc<TenantRoute>>> {
    let route = state.routes().get(RouteKey::Id(tenant)).await?;
    Ok(route.filter(|r| r.status == TenantStatus::Active && r.db.is_some()))
}

/// How long a sending worker holds a row: long enough for a whole batch to time out.
fn lease_secs(settings: &WebhookSettings) -> i64 {
    (BATCH as u64 * settings.webhook_timeout_secs.max(1) + 60).min(i64::MAX as u64) as i64
}

/// Sends `tenant`'s due rows (at most [`ROWS_PER_PASS`]); returns when the next one is due.
/// After a failed attempt, an endpoint's other rows wait for the next pass.
async fn deliver_due(state: &AppState, tenant: Uuid, pass: Pass) -> anyhow::Result<Option<DateTime<Utc>>> {
    let Some(route) = active_route(state, tenant).await? else { return Ok(None) };
    let Some(target) = route.db.as_ref() else { return Ok(None) };
    let pool = match pass {
        Pass::Served => state.pools().pool(tenant, target).await?,
        Pass::Background => state.pools().unserved_pool(tenant, target).await?,
    };
    let dispatcher = state.webhooks().clone();
    let lease = lease_secs(&dispatcher.settings);
    let mut sent = 0;
    let mut failing: HashSet<Uuid> = HashSet::new();
    'pass: while sent < ROWS_PER_PASS {
        let client = pool.get().await.map_err(|e| anyhow::anyhow!("tenant pool: {e}"))?;
        let rows = client
            .query(
                "UPDATE webhook_outbox o SET leased_until = now() + $1::bigint * interval '1 second' \
                 FROM webhook_endpoints e WHERE o.id IN ( \
                   SELECT o2.id FROM webhook_outbox o2 JOIN webhook_endpoints e2 ON e2.id = o2.endpoint_id \
                   WHERE o2.status = 'pending' AND o2.next_attempt_at <= now() AND e2.enabled \
                     AND (o2.leased_until IS NULL OR o2.leased_until < now()) AND NOT (o2.endpoint_id = ANY ($3)) \
                   ORDER BY o2.next_attempt_at LIMIT $2 FOR UPDATE OF o2 SKIP LOCKED) \
                 AND e.id = o.endpoint_id \
                 RETURNING o.id, o.endpoint_id, o.event_id, o.event_type, o.payload, o.attempts, o.created_at, \
                           e.url, e.secret_sealed, o.leased_until",
                &[&lease, &BATCH, &failing.iter().copied().collect::<Vec<_>>()],
            )
            .await?;
        drop(client);
        if rows.is_empty() {
            break;
        }
        let sealer = state.sealer(tenant).await.map_err(|e| anyhow::anyhow!("tenant data key: {e}"))?;
        for row in rows {
            let (id, endpoint, event_id): (Uuid, Uuid, Uuid) = (row.get(0), row.get(1), row.get(2));
            let leased_until: DateTime<Utc> = row.get(9);
            let client = pool.get().await.map_err(|e| anyhow::anyhow!("tenant pool: {e}"))?;
            if failing.contains(&endpoint) {
                // Its endpoint just failed: leave the row for the next pass.
                client
                    .execute(
                        "UPDATE webhook_outbox SET leased_until = NULL WHERE id = $1 AND leased_until = $2",
                        &[&id, &leased_until],
                    )
                    .await?;
                continue;
            }
            let event_type: String = row.get(3);
            let attempts: i32 = row.get(5);
            let result = match sealer.open(&secret_context(endpoint), row.get(8)) {
                Ok(secret) => {
                    drop(client);
                    let body = envelope(tenant, event_id, &event_type, row.get(6), &row.get(4));
                    use secrecy::ExposeSecret;
                    let result =
                        dispatcher.send(row.get(7), secret.expose_secret(), &body, event_id, &event_type).await;
                    let client = pool.get().await.map_err(|e| anyhow::anyhow!("tenant pool: {e}"))?;
                    record(&client, &dispatcher.settings, id, endpoint, attempts + 1, &result, false, leased_until)
                        .await?;
                    result
                }
                Err(err) => {
                    // Nothing will open it later either: the row fails instead of looping.
                    tracing::error!(tenant.id = %tenant, webhook.id = %endpoint, error = %err, "webhook secret does not open");
                    let result = AttemptResult {
                        delivered: false,
                        status_code: None,
                        error: Some("the endpoint's signing secret cannot be opened; rotate it".into()),
                        duration_ms: 0,
                    };
                    record(&client, &dispatcher.settings, id, endpoint, attempts + 1, &result, true, leased_until)
                        .await?;
                    result
                }
            };
            sent += 1;
            if !result.delivered {
                failing.insert(endpoint);
            }
            if sent >= ROWS_PER_PASS {
                break 'pass;
            }
        }
    }
    let client = pool.get().await.map_err(|e| anyhow::anyhow!("tenant pool: {e}"))?;
    // Leased rows count from when their lease ends, so a held row never reads as due now.
    let next = client
        .query_one(
            "SELECT min(greatest(o.next_attempt_at, coalesce(o.leased_until, o.next_attempt_at))) \
             FROM webhook_outbox o JOIN webhook_endpoints e ON e.id = o.endpoint_id \
             WHERE o.status = 'pending' AND e.enabled",
            &[],
        )
        .await?;
    Ok(next.get(0))
}

/// Logs an attempt and moves the row on: delivered, retried later, or failed. `final_attempt`
/// ends the row whatever happened (test events are tried once).
#[allow(clippy::too_many_arguments, reason = "one attempt's facts, each used once")]
pub async fn record(
    db: &tokio_postgres::Client,
    settings: &WebhookSettings,
    outbox: Uuid,
    endpoint: Uuid,
    attempt: i32,
    result: &AttemptResult,
    final_attempt: bool,
    lease: DateTime<Utc>,
) -> anyhow::Result<()> {
    db.execute(
        "INSERT INTO webhook_deliveries (id, outbox_id, endpoint_id, attempt, status_code, error, duration_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &Uuid::now_v7(),
            &outbox,
            &endpoint,
            &attempt,
            &result.status_code.map(i32::from),
            &result.error,
            &(result.duration_ms.min(i32::MAX as u64) as i32),
        ],
    )
    .await?;
    // Every row update requires our lease: a worker that lost its lease (it took longer than
    // the lease) only logs its attempt, and the row's new holder decides.
    let moved = if result.delivered {
        db.execute(
            "UPDATE webhook_outbox SET status = 'delivered', attempts = $2, finished_at = now(), leased_until = NULL \
             WHERE id = $1 AND leased_until = $3",
            &[&outbox, &attempt, &lease],
        )
        .await?
    } else if final_attempt || attempt >= MAX_ATTEMPTS {
        db.execute(
            "UPDATE webhook_outbox SET status = 'failed', attempts = $2, finished_at = now(), leased_until = NULL \
             WHERE id = $1 AND leased_until = $3",
            &[&outbox, &attempt, &lease],
        )
        .await?
    } else {
        let delay = settings.scaled(BACKOFF_SECS[(attempt - 1).clamp(0, BACKOFF_SECS.len() as i32 - 1) as usize]);
        db.execute(
            "UPDATE webhook_outbox SET attempts = $2, leased_until = NULL, \
             next_attempt_at = now() + $3::bigint * interval '1 microsecond' WHERE id = $1 AND leased_until = $4",
            &[&outbox, &attempt, &(delay.as_micros().min(i64::MAX as u128) as i64), &lease],
        )
        .await?
    };
    if moved == 0 {
        tracing::warn!(webhook.id = %endpoint, "webhook row changed hands during the attempt; leaving it to its holder");
        return Ok(());
    }
    if result.delivered {
        db.execute("UPDATE webhook_endpoints SET failure_streak = 0, failing_since = NULL WHERE id = $1", &[&endpoint])
            .await?;
        return Ok(());
    }
    let streak = db
        .query_one(
            "UPDATE webhook_endpoints SET failure_streak = failure_streak + 1, failing_since = coalesce(failing_since, now()) \
             WHERE id = $1 RETURNING failure_streak, now() - failing_since >= $2::bigint * interval '1 microsecond', enabled",
            &[&endpoint, &(settings.scaled(DISABLE_AFTER_SECS).as_micros().min(i64::MAX as u128) as i64)],
        )
        .await?;
    let (failures, long_enough, enabled): (i32, bool, bool) = (streak.get(0), streak.get(1), streak.get(2));
    if enabled && failures >= DISABLE_AFTER_FAILURES && long_enough {
        let reason = format!("{failures} failed attempts in a row");
        db.execute(
            "UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1",
            &[&endpoint, &reason],
        )
        .await?;
        AuditEvent::new("webhook.auto_disabled", AuditActor::system(), &RequestMeta::default())
            .target("webhook", endpoint)
            .metadata(json!({ "failures": failures }))
            .write(db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tracing::warn!(webhook.id = %endpoint, failures, "webhook endpoint disabled after sustained failure");
    }
    Ok(())
}
