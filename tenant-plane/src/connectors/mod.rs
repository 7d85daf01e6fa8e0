//! The connectors hub: each connector (STRIPE, EMAIL, STORAGE, PUSH) has a public settings
//! schema and a secret schema, validation, and a test call. Settings are stored as JSON in the
//! tenant database; secrets sealed with the tenant's data key (ADR 0008), never returned.

mod email;
mod push;
mod schema;
mod storage;
mod stripe;

use std::time::Instant;

use serde::Serialize;
use serde_json::{Map, Value};

pub use email::send as send_email;
pub use schema::{FieldKind, FieldSpec, validate as schema_validate};

/// External API endpoints of the connectors whose services are fixed (not tenant-chosen).
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectorSettings {
    /// Stripe API base URL (tests point it at a local stand-in).
    #[arg(long, env = "TENANTRY_STRIPE_API_BASE", default_value = "https://api.stripe.com")]
    pub stripe_api_base: String,
    /// Firebase Cloud Messaging API base URL (tests point it at a local stand-in).
    #[arg(long, env = "TENANTRY_PUSH_API_BASE", default_value = "https://fcm.googleapis.com")]
    pub push_api_base: String,
}

impl Default for ConnectorSettings {
    fn default() -> Self {
        Self { stripe_api_base: "https://api.stripe.com".into(), push_api_base: "https://fcm.googleapis.com".into() }
    }
}

/// A connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Connector {
    Stripe,
    Email,
    Storage,
    Push,
}

impl Connector {
    pub const ALL: [Connector; 4] = [Connector::Stripe, Connector::Email, Connector::Storage, Connector::Push];

    pub fn key(self) -> &'static str {
        match self {
            Connector::Stripe => "stripe",
            Connector::Email => "email",
            Connector::Storage => "storage",
            Connector::Push => "push",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key.to_ascii_lowercase())
    }

    pub fn description(self) -> &'static str {
        match self {
            Connector::Stripe => "Payments through the tenant's Stripe account.",
            Connector::Email => "Outgoing e-mail through the tenant's SMTP server (invitations, notifications).",
            Connector::Storage => "The tenant's own S3-compatible bucket for files.",
            Connector::Push => "Push notifications through Firebase Cloud Messaging.",
        }
    }

    pub fn config_fields(self) -> &'static [FieldSpec] {
        match self {
            Connector::Stripe => stripe::CONFIG,
            Connector::Email => email::CONFIG,
            Connector::Storage => storage::CONFIG,
            Connector::Push => push::CONFIG,
        }
    }

    pub fn secret_fields(self) -> &'static [FieldSpec] {
        match self {
            Connector::Stripe => stripe::SECRETS,
            Connector::Email => email::SECRETS,
            Connector::Storage => storage::SECRETS,
            Connector::Push => push::SECRETS,
        }
    }

    /// Rules that span fields (e.g. a password needs a user name).
    pub fn check_together(
        self,
        config: &Map<String, Value>,
        secrets: &Map<String, Value>,
    ) -> Result<(), http_api::ApiError> {
        match self {
            Connector::Email => email::check_together(config, secrets),
            Connector::Stripe => stripe::check_together(config, secrets),
            _ => Ok(()),
        }
    }
}

/// The sealing context of one secret field.
pub fn secret_context(connector: Connector, field: &str) -> String {
    format!("connector/{}/{field}", connector.key())
}

/// What a test call found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestOutcome {
    pub ok: bool,
    pub message: String,
    pub duration_ms: u64,
}

/// Everything a test call needs.
pub struct TestInput<'a> {
    pub config: &'a Map<String, Value>,
    /// Opened secrets.
    pub secrets: &'a Map<String, Value>,
    /// The test's own options (e.g. `to` for e-mail).
    pub options: &'a Map<String, Value>,
    pub settings: &'a ConnectorSettings,
    pub policy: crate::webhooks::guard::GuardPolicy,
    /// For the platform-configured APIs (Stripe, FCM).
    pub http: &'a reqwest::Client,
    /// For tenant-chosen endpoints: the SSRF-guarded client.
    pub guarded: &'a reqwest::Client,
}

/// Runs the connector's test call.
pub async fn test(connector: Connector, input: TestInput<'_>) -> TestOutcome {
    let started = Instant::now();
    let result = match connector {
        Connector::Email => email::test(&input).await,
        Connector::Stripe => stripe::test(&input).await,
        Connector::Push => push::test(&input).await,
        Connector::Storage => storage::test(&input).await,
    };
    let duration_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(message) => TestOutcome { ok: true, message, duration_ms },
        Err(message) => TestOutcome { ok: false, message: message.chars().take(500).collect(), duration_ms },
    }
}

/// A connected connector's settings and opened secrets, or `None` if it is not connected.
pub async fn load(
    db: &impl tokio_postgres::GenericClient,
    sealer: &secrets::sealing::TenantSealer,
    connector: Connector,
) -> Result<Option<(Map<String, Value>, Map<String, Value>)>, http_api::ApiError> {
    use http_api::ApiError;
    use secrecy::ExposeSecret;
    let Some(row) = db
        .query_opt("SELECT config, secrets_sealed FROM connectors WHERE key = $1", &[&connector.key()])
        .await
        .map_err(ApiError::internal)?
    else {
        return Ok(None);
    };
    let config = row.get::<_, Value>(0).as_object().cloned().unwrap_or_default();
    let mut secrets = Map::new();
    for (name, sealed) in row.get::<_, Value>(1).as_object().cloned().unwrap_or_default() {
        let sealed =
            sealed.as_str().ok_or_else(|| ApiError::internal(anyhow::anyhow!("sealed secret is not a string")))?;
        let plain = sealer.open(&secret_context(connector, &name), sealed).map_err(ApiError::internal)?;
        secrets.insert(name, Value::String(plain.expose_secret().to_owned()));
    }
    Ok(Some((config, secrets)))
}

pub(crate) fn str_field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    map.get(name).and_then(Value::as_str)
}
