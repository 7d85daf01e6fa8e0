//! `/v1/connectors`: the tenant's connections to third-party services. Settings are readable;
//! secrets are write-only — after `PUT` only whether each is set is ever shown.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::{
    AppState,
    audit::AuditEvent,
    auth::{Can, perm},
    connectors::{self, Connector, FieldSpec, TestOutcome, secret_context},
};

/// Whether a secret field holds a value (the value itself is never returned).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SecretState {
    set: bool,
}

/// The last test call.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LastTest {
    at: DateTime<Utc>,
    ok: bool,
    message: String,
}

/// A connector and its state for this tenant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorView {
    key: Connector,
    description: &'static str,
    connected: bool,
    /// Public settings (never secrets).
    #[schema(value_type = Object)]
    config: Value,
    #[schema(value_type = Object)]
    secrets: Map<String, Value>,
    updated_at: Option<DateTime<Utc>>,
    last_test: Option<LastTest>,
    config_schema: &'static [FieldSpec],
    secret_schema: &'static [FieldSpec],
}

async fn view(db: &impl tokio_postgres::GenericClient, connector: Connector) -> Result<ConnectorView, ApiError> {
    let row = db
        .query_opt(
            "SELECT config, secrets_sealed, updated_at, last_test_at, last_test_ok, last_test_message FROM connectors WHERE key = $1",
            &[&connector.key()],
        )
        .await
        .map_err(ApiError::internal)?;
    let sealed: Map<String, Value> =
        row.as_ref().and_then(|r| r.get::<_, Value>(1).as_object().cloned()).unwrap_or_default();
    let secrets = connector
        .secret_fields()
        .iter()
        .map(|f| (f.name.to_owned(), json!(SecretState { set: sealed.contains_key(f.name) })))
        .collect();
    Ok(ConnectorView {
        key: connector,
        description: connector.description(),
        connected: row.is_some(),
        config: row.as_ref().map(|r| r.get(0)).unwrap_or_else(|| json!({})),
        secrets,
        updated_at: row.as_ref().map(|r| r.get(2)),
        last_test: row.as_ref().and_then(|r| {
            Some(LastTest {
                at: r.get::<_, Option<DateTime<Utc>>>(3)?,
                ok: r.get::<_, Option<bool>>(4)?,
                message: r.get::<_, Option<String>>(5)?,
            })
        }),
        config_schema: connector.config_fields(),
        secret_schema: connector.secret_fields(),
    })
}

/// Every connector.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectorList {
    items: Vec<ConnectorView>,
}

/// Lists the connectors with their state and schemas.
#[utoipa::path(get, path = "/v1/connectors", tag = "connectors", security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ConnectorList), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody)))]
pub async fn list_connectors(caller: Can<perm::ConnectorsManage>) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let mut items = Vec::new();
    for connector in Connector::ALL {
        items.push(view(&**client, connector).await?);
    }
    Ok(HttpResponse::Ok().json(ConnectorList { items }))
}

#[derive(Debug, Deserialize)]
pub struct ConnectorPath {
    key: String,
}

fn connector_of(path: &ConnectorPath) -> Result<Connector, ApiError> {
    Connector::parse(&path.key).ok_or_else(|| ApiError::not_found("connector"))
}

/// One connector (connected or not; settings without secrets).
#[utoipa::path(get, path = "/v1/connectors/{key}", tag = "connectors", params(("key" = String, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ConnectorView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_connector(
    caller: Can<perm::ConnectorsManage>,
    path: web::Path<ConnectorPath>,
) -> Result<HttpResponse, ApiError> {
    let connector = connector_of(&path)?;
    let client = caller.ctx.client().await?;
    Ok(HttpResponse::Ok().json(view(&**client, connector).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutConnector {
    /// Public settings, per `configSchema`.
    #[schema(value_type = Object)]
    config: Value,
    /// Secrets, per `secretSchema`. Fields left out keep their stored value; `null` removes one.
    #[schema(value_type = Option<Object>)]
    secrets: Option<Value>,
}

/// Connects or updates a connector: settings and secrets, validated; secrets sealed.
#[utoipa::path(put, path = "/v1/connectors/{key}", tag = "connectors", params(("key" = String, Path)), request_body = PutConnector, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ConnectorView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn put_connector(
    state: web::Data<AppState>,
    caller: Can<perm::ConnectorsManage>,
    path: web::Path<ConnectorPath>,
    body: web::Json<PutConnector>,
) -> Result<HttpResponse, ApiError> {
    let connector = connector_of(&path)?;
    let PutConnector { config, secrets } = body.into_inner();
    let config = connectors::schema_validate("config", connector.config_fields(), &config, false)?;
    // URLs the tenant chooses must pass the outbound guard (https, public literal addresses).
    let policy = caller.ctx.webhooks().settings.policy();
    for field in connector.config_fields().iter().filter(|f| matches!(f.kind, connectors::FieldKind::HttpsUrl)) {
        if let Some(url) = config.get(field.name).and_then(Value::as_str) {
            let path = format!("config.{}", field.name);
            let parsed = url::Url::parse(url).map_err(|err| ApiError::validation(&path, err))?;
            policy.check_url(&parsed).map_err(|err| ApiError::validation(&path, err))?;
        }
    }
    let secrets_in = secrets.unwrap_or_else(|| json!({}));
    let removed: Vec<String> = secrets_in
        .as_object()
        .map(|o| o.iter().filter(|(_, v)| v.is_null()).map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let provided = connectors::schema_validate("secrets", connector.secret_fields(), &secrets_in, true)?;
    let sealer = state.sealer(caller.ctx.route.id).await?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let stored: Map<String, Value> = txn
        .query_opt("SELECT secrets_sealed FROM connectors WHERE key = $1 FOR UPDATE", &[&connector.key()])
        .await
        .map_err(ApiError::internal)?
        .and_then(|r| r.get::<_, Value>(0).as_object().cloned())
        .unwrap_or_default();
    let mut sealed = stored;
    for name in &removed {
        sealed.remove(name);
    }
    for (name, value) in &provided {
        let plain = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
        let s = sealer.seal(&secret_context(connector, name), &plain).map_err(ApiError::internal)?;
        sealed.insert(name.clone(), Value::String(s));
    }
    // Required secrets must be present, stored or new; cross-field rules see which are set.
    for field in connector.secret_fields().iter().filter(|f| f.required) {
        if !sealed.contains_key(field.name) {
            return Err(ApiError::validation(&format!("secrets.{}", field.name), "is required"));
        }
    }
    let set: Map<String, Value> =
        sealed.keys().map(|k| (k.clone(), provided.get(k).cloned().unwrap_or(Value::Bool(true)))).collect();
    connector.check_together(&config, &set)?;
    txn.execute(
        "INSERT INTO connectors (key, config, secrets_sealed) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET config = $2, secrets_sealed = $3, updated_at = now(), \
         last_test_at = NULL, last_test_ok = NULL, last_test_message = NULL",
        &[&connector.key(), &Value::Object(config.clone()), &Value::Object(sealed)],
    )
    .await
    .map_err(ApiError::internal)?;
    // Names only: never a secret value in the audit log.
    AuditEvent::by(&caller, "connector.updated")
        .target("connector", connector.key())
        .metadata(json!({ "config": config, "secretsChanged": provided.keys().collect::<Vec<_>>(), "secretsRemoved": removed }))
        .write(&txn)
        .await?;
    let view = view(&txn, connector).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(view))
}

/// Disconnects a connector: its settings and secrets are deleted.
#[utoipa::path(delete, path = "/v1/connectors/{key}", tag = "connectors", params(("key" = String, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Disconnected"), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn delete_connector(
    caller: Can<perm::ConnectorsManage>,
    path: web::Path<ConnectorPath>,
) -> Result<HttpResponse, ApiError> {
    let connector = connector_of(&path)?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let n =
        txn.execute("DELETE FROM connectors WHERE key = $1", &[&connector.key()]).await.map_err(ApiError::internal)?;
    if n == 0 {
        return Err(ApiError::not_found("connected connector"));
    }
    AuditEvent::by(&caller, "connector.deleted").target("connector", connector.key()).write(&txn).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Calls the service with the stored settings: EMAIL sends a message (`{"to": …}`, default the
/// sender), STRIPE reads the balance, PUSH validates a message, STORAGE lists the bucket.
#[utoipa::path(post, path = "/v1/connectors/{key}/test", tag = "connectors", params(("key" = String, Path)), request_body(content = Option<Object>, description = "Options, e.g. `{\"to\": \"someone@example.com\"}` for email"),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = TestOutcome), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 409, description = "INVALID_STATE: not connected", body = http_api::ErrorBody)))]
pub async fn test_connector(
    state: web::Data<AppState>,
    caller: Can<perm::ConnectorsManage>,
    path: web::Path<ConnectorPath>,
    body: Option<web::Json<Value>>,
) -> Result<HttpResponse, ApiError> {
    let connector = connector_of(&path)?;
    let options = match body.map(web::Json::into_inner) {
        None => Map::new(),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::validation("body", "must be an object")),
    };
    if let Some(unknown) = options.keys().find(|k| !(connector == Connector::Email && k.as_str() == "to")) {
        return Err(ApiError::validation(unknown, "is not an option of this test"));
    }
    if let Some(to) = options.get("to") {
        domain::Email::parse(to.as_str().unwrap_or_default()).map_err(|err| ApiError::validation("to", err))?;
    }
    let sealer = state.sealer(caller.ctx.route.id).await?;
    let client = caller.ctx.client().await?;
    let (config, secrets) = connectors::load(&**client, &sealer, connector)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::INVALID_STATE, "connect this connector first (PUT)"))?;
    drop(client);
    let dispatcher = caller.ctx.webhooks();
    let guarded = dispatcher
        .guarded_client()
        .ok_or_else(|| ApiError::unavailable(anyhow::anyhow!("outbound client unavailable")))?;
    let outcome = connectors::test(
        connector,
        connectors::TestInput {
            config: &config,
            secrets: &secrets,
            options: &options,
            settings: state.connector_settings(),
            policy: dispatcher.settings.policy(),
            http: state.platform_http(),
            guarded,
        },
    )
    .await;
    let client = caller.ctx.client().await?;
    client
        .execute(
            "UPDATE connectors SET last_test_at = now(), last_test_ok = $2, last_test_message = $3 WHERE key = $1",
            &[&connector.key(), &outcome.ok, &outcome.message],
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(outcome))
}
