//! `/v1/modules`: the registry with each module's state; admins switch modules on and off and
//! change their settings (validated per module).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{
    audit::AuditEvent,
    auth::{Can, perm},
    modules::Module,
};

/// A module and its state for this tenant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModuleView {
    key: Module,
    description: &'static str,
    enabled: bool,
    /// Whether the module's endpoints exist yet (others can be configured ahead).
    available: bool,
    #[schema(value_type = Object)]
    config: Value,
    updated_at: Option<DateTime<Utc>>,
}

/// Every module.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModuleList {
    items: Vec<ModuleView>,
}

async fn view(db: &impl tokio_postgres::GenericClient, module: Module) -> Result<ModuleView, ApiError> {
    let row = db
        .query_opt("SELECT enabled, config, updated_at FROM modules WHERE key = $1", &[&module.key()])
        .await
        .map_err(ApiError::internal)?;
    let (enabled, config, updated_at) = match row {
        Some(r) => (r.get(0), r.get(1), Some(r.get(2))),
        None => (false, module.validate_config(json!({}))?, None),
    };
    Ok(ModuleView {
        key: module,
        description: module.description(),
        enabled,
        available: module.available(),
        config,
        updated_at,
    })
}

/// Lists every module with its state.
#[utoipa::path(get, path = "/v1/modules", tag = "modules", security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ModuleList), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody)))]
pub async fn list_modules(caller: Can<perm::ModulesRead>) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let mut items = Vec::new();
    for module in Module::ALL {
        items.push(view(&**client, module).await?);
    }
    Ok(HttpResponse::Ok().json(ModuleList { items }))
}

#[derive(Debug, Deserialize)]
pub struct ModulePath {
    key: String,
}

fn module_of(path: &ModulePath) -> Result<Module, ApiError> {
    Module::parse(&path.key).ok_or_else(|| ApiError::not_found("module"))
}

/// One module.
#[utoipa::path(get, path = "/v1/modules/{key}", tag = "modules", params(("key" = String, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ModuleView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_module(caller: Can<perm::ModulesRead>, path: web::Path<ModulePath>) -> Result<HttpResponse, ApiError> {
    let module = module_of(&path)?;
    let client = caller.ctx.client().await?;
    Ok(HttpResponse::Ok().json(view(&**client, module).await?))
}

async fn set_enabled(
    caller: &Can<perm::ModulesManage>,
    module: Module,
    enabled: bool,
) -> Result<HttpResponse, ApiError> {
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let defaults = module.validate_config(json!({}))?;
    txn.execute(
        "INSERT INTO modules (key, enabled, config) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET enabled = $2, updated_at = now()",
        &[&module.key(), &enabled, &defaults],
    )
    .await
    .map_err(ApiError::internal)?;
    AuditEvent::by(caller, if enabled { "module.enabled" } else { "module.disabled" })
        .target("module", module.key())
        .write(&txn)
        .await?;
    let view = view(&txn, module).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(view))
}

/// Turns a module on.
#[utoipa::path(post, path = "/v1/modules/{key}/enable", tag = "modules", params(("key" = String, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ModuleView), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn enable_module(
    caller: Can<perm::ModulesManage>,
    path: web::Path<ModulePath>,
) -> Result<HttpResponse, ApiError> {
    set_enabled(&caller, module_of(&path)?, true).await
}

/// Turns a module off; its data stays, its endpoints answer `403 MODULE_DISABLED`.
#[utoipa::path(post, path = "/v1/modules/{key}/disable", tag = "modules", params(("key" = String, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ModuleView), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn disable_module(
    caller: Can<perm::ModulesManage>,
    path: web::Path<ModulePath>,
) -> Result<HttpResponse, ApiError> {
    set_enabled(&caller, module_of(&path)?, false).await
}

/// A module's settings.
#[utoipa::path(get, path = "/v1/modules/{key}/config", tag = "modules", params(("key" = String, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, description = "The module's settings", body = Object), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_module_config(
    caller: Can<perm::ModulesRead>,
    path: web::Path<ModulePath>,
) -> Result<HttpResponse, ApiError> {
    let module = module_of(&path)?;
    let client = caller.ctx.client().await?;
    Ok(HttpResponse::Ok().json(view(&**client, module).await?.config))
}

/// Replaces a module's settings (validated against its schema; omitted fields take defaults).
#[utoipa::path(put, path = "/v1/modules/{key}/config", tag = "modules", params(("key" = String, Path)), request_body = Object, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, description = "The stored settings", body = Object), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody),
        (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn put_module_config(
    caller: Can<perm::ModulesManage>,
    path: web::Path<ModulePath>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let module = module_of(&path)?;
    let config = module.validate_config(body.into_inner())?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    txn.execute(
        "INSERT INTO modules (key, config) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET config = $2, updated_at = now()",
        &[&module.key(), &config],
    )
    .await
    .map_err(ApiError::internal)?;
    AuditEvent::by(&caller, "module.config_changed")
        .target("module", module.key())
        .metadata(json!({ "config": config }))
        .write(&txn)
        .await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(config))
}
