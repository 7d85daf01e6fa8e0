//! STRIPE: the tenant's Stripe account. The test call reads the account balance.

use serde_json::{Map, Value};

use super::{FieldKind, FieldSpec, TestInput, str_field};

pub const CONFIG: &[FieldSpec] = &[
    FieldSpec::new("mode", FieldKind::OneOf { values: &["test", "live"] }, false, "Which keys these are.")
        .with_default("test"),
    FieldSpec::new("accountName", FieldKind::Text { max: 100 }, false, "A label for the account."),
];

pub const SECRETS: &[FieldSpec] = &[
    FieldSpec::new(
        "secretKey",
        FieldKind::Prefixed { prefix: "sk_", max: 255 },
        true,
        "Secret API key (`sk_test_…` or `sk_live_…`).",
    ),
    FieldSpec::new(
        "webhookSecret",
        FieldKind::Prefixed { prefix: "whsec_", max: 255 },
        false,
        "Signing secret of Stripe's webhooks to this tenant.",
    ),
];

pub fn check_together(config: &Map<String, Value>, secrets: &Map<String, Value>) -> Result<(), http_api::ApiError> {
    let mode = str_field(config, "mode").unwrap_or("test");
    if let Some(key) = str_field(secrets, "secretKey")
        && !key.starts_with(&format!("sk_{mode}_"))
    {
        return Err(http_api::ApiError::validation("secrets.secretKey", format!("must be a {mode} key (sk_{mode}_…)")));
    }
    Ok(())
}

pub async fn test(input: &TestInput<'_>) -> Result<String, String> {
    let key = str_field(input.secrets, "secretKey").ok_or("no secret key stored")?;
    let url = format!("{}/v1/balance", input.settings.stripe_api_base.trim_end_matches('/'));
    let res = input
        .http
        .get(url)
        .bearer_auth(key)
        .send()
        .await
        .map_err(|e| format!("Stripe unreachable: {}", e.without_url()))?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        Ok(format!("authenticated (livemode: {})", body["livemode"].as_bool().unwrap_or(false)))
    } else {
        let message = body.pointer("/error/message").and_then(Value::as_str).unwrap_or("no message");
        Err(format!("Stripe answered {status}: {message}"))
    }
}
