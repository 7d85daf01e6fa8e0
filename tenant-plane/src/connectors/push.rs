//! PUSH: Firebase Cloud Messaging. The test call validates a message without sending it.

use serde_json::{Value, json};

use super::{FieldKind, FieldSpec, TestInput, str_field};

pub const CONFIG: &[FieldSpec] =
    &[FieldSpec::new("projectId", FieldKind::Text { max: 100 }, true, "Firebase project id.")];

pub const SECRETS: &[FieldSpec] = &[FieldSpec::new(
    "accessToken",
    FieldKind::Text { max: 4096 },
    true,
    "OAuth access token (or server key) for the FCM API.",
)];

pub async fn test(input: &TestInput<'_>) -> Result<String, String> {
    let project = str_field(input.config, "projectId").ok_or("no project id")?;
    let token = str_field(input.secrets, "accessToken").ok_or("no access token stored")?;
    let url = format!(
        "{}/v1/projects/{}/messages:send",
        input.settings.push_api_base.trim_end_matches('/'),
        url::form_urlencoded::byte_serialize(project.as_bytes()).collect::<String>()
    );
    let body = json!({
        "validate_only": true,
        "message": { "topic": "tenantry-connector-test", "notification": { "title": "Tenantry", "body": "Connector test" } },
    });
    let res = input
        .http
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("FCM unreachable: {}", e.without_url()))?;
    let status = res.status();
    let answer: Value = res.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        Ok("message validated by FCM".to_owned())
    } else {
        let message = answer.pointer("/error/message").and_then(Value::as_str).unwrap_or("no message");
        Err(format!("FCM answered {status}: {message}"))
    }
}
