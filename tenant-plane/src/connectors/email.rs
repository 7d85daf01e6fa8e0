//! EMAIL: the tenant's SMTP server. The test call sends a real message.

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::Mailbox,
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};
use serde_json::{Map, Value};

use super::{FieldKind, FieldSpec, TestInput, str_field};
use crate::webhooks::guard::GuardedResolver;

pub const CONFIG: &[FieldSpec] = &[
    FieldSpec::new("host", FieldKind::Host, true, "SMTP server host name."),
    FieldSpec::new("port", FieldKind::Port, false, "SMTP port.").with_default("587"),
    FieldSpec::new(
        "security",
        FieldKind::OneOf { values: &["starttls", "tls", "none"] },
        false,
        "`starttls` (port 587), `tls` (465) or `none` (local development only).",
    )
    .with_default("starttls"),
    FieldSpec::new("fromAddress", FieldKind::Email, true, "Sender address."),
    FieldSpec::new("fromName", FieldKind::Text { max: 100 }, false, "Sender name."),
    FieldSpec::new("username", FieldKind::Text { max: 200 }, false, "SMTP user name, if the server needs a login."),
];

pub const SECRETS: &[FieldSpec] = &[FieldSpec::new("password", FieldKind::Text { max: 1024 }, false, "SMTP password.")];

pub fn check_together(config: &Map<String, Value>, secrets: &Map<String, Value>) -> Result<(), http_api::ApiError> {
    if config.get("username").is_some() != secrets.get("password").is_some() {
        return Err(http_api::ApiError::validation("secrets.password", "a user name and a password go together"));
    }
    Ok(())
}

/// Sends a test message to `options.to` (default: the sender address).
pub async fn test(input: &TestInput<'_>) -> Result<String, String> {
    let from_address = str_field(input.config, "fromAddress").ok_or("no sender address")?;
    let to_address = str_field(input.options, "to").unwrap_or(from_address);
    send(
        input.config,
        input.secrets,
        input.policy.clone(),
        to_address,
        "Tenantry connector test",
        "This message tests the e-mail connector. No action is needed.",
    )
    .await
}

/// Sends one plain-text message with the tenant's SMTP settings; returns what the server said.
pub async fn send(
    config: &Map<String, Value>,
    secrets: &Map<String, Value>,
    policy: crate::webhooks::guard::GuardPolicy,
    to_address: &str,
    subject: &str,
    text: &str,
) -> Result<String, String> {
    let input = Settings { config, secrets, policy };
    let host = str_field(input.config, "host").ok_or("no host")?;
    let port = input.config.get("port").and_then(Value::as_u64).unwrap_or(587) as u16;
    let security = str_field(input.config, "security").unwrap_or("starttls");
    if security == "none" && !input.policy.allow_loopback {
        return Err("SMTP without TLS is refused outside local development".into());
    }
    // Resolve through the SSRF guard and connect to the checked address.
    let resolver = GuardedResolver::system(input.policy.clone());
    let ip = resolver.resolve_checked(host).await.map_err(|e| format!("refused: {e}"))?[0];
    let tls = match security {
        "none" => Tls::None,
        mode => {
            let params = TlsParameters::new(host.to_owned()).map_err(|e| format!("tls: {e}"))?;
            if mode == "tls" { Tls::Wrapper(params) } else { Tls::Required(params) }
        }
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(ip.to_string())
        .port(port)
        .tls(tls)
        .timeout(Some(std::time::Duration::from_secs(10)));
    if let (Some(user), Some(password)) = (str_field(input.config, "username"), str_field(input.secrets, "password")) {
        builder = builder.credentials(Credentials::new(user.to_owned(), password.to_owned()));
    }
    let transport = builder.build();
    let from_address = str_field(input.config, "fromAddress").ok_or("no sender address")?;
    let from: Mailbox = match str_field(input.config, "fromName") {
        Some(name) => format!("{name} <{from_address}>").parse(),
        None => from_address.parse(),
    }
    .map_err(|e| format!("sender address: {e}"))?;
    let to: Mailbox = to_address.parse().map_err(|e| format!("recipient address: {e}"))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .body(text.to_owned())
        .map_err(|e| format!("message: {e}"))?;
    // The whole exchange is bounded, whatever the server does.
    let response = tokio::time::timeout(std::time::Duration::from_secs(20), transport.send(message))
        .await
        .map_err(|_| "SMTP: the server did not answer in time".to_owned())?
        .map_err(|e| format!("SMTP: {e}"))?;
    Ok(format!("sent to {to_address} (server answered {})", response.code()))
}

/// What [`send`] reads.
struct Settings<'a> {
    config: &'a Map<String, Value>,
    secrets: &'a Map<String, Value>,
    policy: crate::webhooks::guard::GuardPolicy,
}
