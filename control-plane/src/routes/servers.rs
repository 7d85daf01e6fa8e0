//! `/v1/servers`: the database servers tenant databases are placed on. Registering one runs a
//! live check first (reachable, version, privileges, template prepared); the admin password is
//! write-only and sealed.

use actix_web::{HttpResponse, web};
use catalog::{PlacementMode, ServerKind, ServerUpdate, entity::database_server};
use dbtls::TlsMode;
use http_api::{ApiError, ErrorCode};
use provisioner::{RegisterServer, ServerAccessChange, ServerAdminError, ServerCheck, ServerView};
use serde::Deserialize;

use crate::{AppState, auth::Operator, errors::catalog_error};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/servers").route(web::get().to(list_servers)).route(web::post().to(register_server)))
        .service(
            web::resource("/servers/{name}")
                .route(web::get().to(get_server))
                .route(web::patch().to(update_server))
                .route(web::delete().to(remove_server)),
        )
        .service(web::resource("/servers/{name}/check").route(web::post().to(check_server)))
        .service(web::resource("/servers/{name}/rotate-password").route(web::post().to(rotate_server_password)))
        .service(web::resource("/servers/{name}/evacuate").route(web::post().to(super::moves::evacuate_server)));
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ServerList {
    items: Vec<ServerView>,
}

/// A registered server and what its live check found.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerCheckView {
    server: ServerView,
    /// `null` when the check failed (see `server.healthDetail`).
    check: Option<ServerCheck>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterServerBody {
    /// 1–63 of `a-z`, `0-9`, `-`, `_`.
    name: String,
    host: String,
    port: Option<u16>,
    admin_user: String,
    /// Write-only; kept in the platform's secret store (Vault or the local store).
    #[schema(value_type = Option<String>)]
    admin_password: Option<secrecy::SecretString>,
    /// Default `postgres`.
    admin_database: Option<String>,
    /// `platform` (default) or `tenant_hosted`.
    #[schema(value_type = Option<String>)]
    kind: Option<ServerKind>,
    /// `shared` (default for platform servers) or `dedicated` (always for tenant-hosted ones).
    #[schema(value_type = Option<String>)]
    placement: Option<PlacementMode>,
    /// Most tenant databases it takes (default 5000; 1 for tenant-hosted).
    capacity: Option<i32>,
    /// `disable` (default), `require` (encrypted, certificate not checked) or `verify-full`
    /// (encrypted, certificate checked against `caCertificate` or the host's trusted roots,
    /// and its name against `host`).
    #[schema(value_type = Option<String>)]
    tls_mode: Option<TlsMode>,
    /// PEM CA bundle for `verify-full`, at most 64 KiB.
    ca_certificate: Option<String>,
    /// Client certificate (PEM chain, leaf first, at most 64 KiB) to present to a server that
    /// asks for one (`clientcert=` in its `pg_hba.conf`); TLS modes only, with `clientKey`.
    client_certificate: Option<String>,
    /// Write-only: the client certificate's private key (PEM); kept in the secret store.
    #[schema(value_type = Option<String>)]
    client_key: Option<secrecy::SecretString>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateServerBody {
    /// `active` or `draining` (draining takes no new tenants; its tenants stay).
    state: Option<String>,
    capacity: Option<i32>,
    #[schema(value_type = Option<String>)]
    placement: Option<PlacementMode>,
    /// `disable`, `require` or `verify-full`. A change of TLS settings or admin password is
    /// live-checked first (as at registration); when the check fails nothing changes.
    #[schema(value_type = Option<String>)]
    tls_mode: Option<TlsMode>,
    /// PEM CA bundle for `verify-full`; `null` removes the registered one (the host's roots are
    /// trusted), absent keeps it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    ca_certificate: Option<Option<String>>,
    /// Write-only: the admin user's new password, after its owner changed it on the server.
    #[schema(value_type = Option<String>)]
    admin_password: Option<secrecy::SecretString>,
    /// Client certificate (PEM) to present from now on, with `clientKey`; `null` stops
    /// presenting one; absent keeps it. Live-checked first; the tenant planes then reconnect
    /// the server's tenants with it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    client_certificate: Option<Option<String>>,
    /// Write-only: the new client certificate's private key (PEM).
    #[schema(value_type = Option<String>)]
    client_key: Option<secrecy::SecretString>,
}

/// The client certificate of a request body: both parts, or neither (a key without a
/// certificate, or the reverse, is refused).
fn client_identity(
    certificate: Option<&str>,
    key: Option<&secrecy::SecretString>,
) -> Result<Option<dbtls::ClientIdentity>, ApiError> {
    use secrecy::ExposeSecret;
    match (certificate, key) {
        (None, None) => Ok(None),
        (Some(certificate), Some(key)) => match dbtls::ClientIdentity::new(certificate, key.expose_secret()) {
            Ok(identity) => Ok(Some(identity)),
            Err(err @ dbtls::IdentityError::Certificate(_)) => Err(ApiError::validation("clientCertificate", err)),
            Err(err @ dbtls::IdentityError::Key(_)) => Err(ApiError::validation("clientKey", err)),
        },
        (Some(_), None) => Err(ApiError::validation("clientKey", "a client certificate needs its key")),
        (None, Some(_)) => Err(ApiError::validation("clientCertificate", "a key needs its client certificate")),
    }
}

/// A field that may be absent (outer `None`) or `null` (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

fn server_error(err: ServerAdminError) -> ApiError {
    match err {
        ServerAdminError::Invalid { field, message } => ApiError::validation(field, message),
        ServerAdminError::CheckFailed { message } => ApiError::new(ErrorCode::VALIDATION_FAILED, message.clone())
            .with_details(serde_json::json!({ "field": "server", "check": message })),
        ServerAdminError::Catalog(err) => catalog_error(err),
        ServerAdminError::Other(err) => ApiError::internal(err),
    }
}

async fn find(state: &AppState, name: &str) -> Result<(database_server::Model, i64), ApiError> {
    let server = state.catalog().server_by_name(name).await.map_err(catalog_error)?;
    let tenants = state.catalog().tenant_count_on(server.id).await.map_err(catalog_error)?;
    Ok((server, tenants))
}

/// Every database server with its tenant count and health.
#[utoipa::path(get, path = "/v1/servers", tag = "servers", security(("bearer" = [])),
    responses((status = 200, body = ServerList)))]
pub async fn list_servers(state: web::Data<AppState>, _operator: Operator) -> Result<HttpResponse, ApiError> {
    let servers = state.catalog().server_summaries().await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(ServerList { items: servers.into_iter().map(ServerView::from).collect() }))
}

/// Registers a database server after a live check: it must be reachable, run Postgres 15 or
/// newer, and its admin user must be able to create databases and roles (the template database
/// is prepared as part of the check).
#[utoipa::path(post, path = "/v1/servers", tag = "servers", security(("bearer" = [])), request_body = RegisterServerBody,
    responses((status = 201, body = ServerCheckView),
        (status = 422, description = "VALIDATION_FAILED: a bad field, or the live check failed (details.check says why)", body = http_api::ErrorBody),
        (status = 409, description = "CONFLICT: the name is taken", body = http_api::ErrorBody)))]
pub async fn register_server(
    state: web::Data<AppState>,
    operator: Operator,
    body: web::Json<RegisterServerBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let identity = client_identity(body.client_certificate.as_deref(), body.client_key.as_ref())?;
    let kind = body.kind.unwrap_or(ServerKind::Platform);
    let default_capacity = if kind == ServerKind::TenantHosted { 1 } else { 5000 };
    let req = RegisterServer {
        name: body.name,
        host: body.host,
        port: body.port.unwrap_or(5432),
        admin_user: body.admin_user,
        admin_password: body.admin_password,
        admin_database: body.admin_database.unwrap_or_else(|| "postgres".into()),
        template_database: None,
        kind,
        placement: body.placement,
        capacity: body.capacity.unwrap_or(default_capacity),
        tls_mode: body.tls_mode.unwrap_or_default(),
        tls_ca_pem: body.ca_certificate,
        tls_client_identity: identity,
    };
    let (server, check) = state.provisioner().register_server(req, &operator.actor()).await.map_err(server_error)?;
    Ok(HttpResponse::Created().json(ServerCheckView { server: ServerView::new(server, 0), check: Some(check) }))
}

/// One database server.
#[utoipa::path(get, path = "/v1/servers/{name}", tag = "servers", security(("bearer" = [])),
    params(("name" = String, Path)),
    responses((status = 200, body = ServerView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_server(
    state: web::Data<AppState>,
    _operator: Operator,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (server, tenants) = find(&state, &name).await?;
    Ok(HttpResponse::Ok().json(ServerView::new(server, tenants)))
}

/// Drains or re-activates a server, changes its capacity or placement mode, or how the
/// platform reaches it (TLS settings, client certificate, admin password: live-checked first;
/// after a TLS or client-certificate change the tenant planes reconnect its tenants).
#[utoipa::path(patch, path = "/v1/servers/{name}", tag = "servers", security(("bearer" = [])),
    params(("name" = String, Path)), request_body = UpdateServerBody,
    responses((status = 200, body = ServerView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "INVALID_STATE: a server with several tenants cannot become dedicated", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED: a bad field, or the live check with the new settings failed (details.check says why; nothing changed)", body = http_api::ErrorBody)))]
pub async fn update_server(
    state: web::Data<AppState>,
    operator: Operator,
    name: web::Path<String>,
    body: web::Json<UpdateServerBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let update = ServerUpdate { state: body.state, capacity: body.capacity, placement: body.placement };
    let client_identity = match &body.client_certificate {
        Some(Some(certificate)) => Some(client_identity(Some(certificate), body.client_key.as_ref())?),
        Some(None) if body.client_key.is_some() => {
            return Err(ApiError::validation("clientKey", "a key needs its client certificate"));
        }
        Some(None) => Some(None),
        None => client_identity(None, body.client_key.as_ref())?.map(Some),
    };
    let access = ServerAccessChange {
        tls_mode: body.tls_mode,
        ca_certificate: body.ca_certificate,
        admin_password: body.admin_password,
        client_identity,
    };
    let (server, _) =
        state.provisioner().change_server(&name, update, access, &operator.actor()).await.map_err(server_error)?;
    let tenants = state.catalog().tenant_count_on(server.id).await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(ServerView::new(server, tenants)))
}

/// Removes a server that holds no tenant databases (and drops its template database).
#[utoipa::path(delete, path = "/v1/servers/{name}", tag = "servers", security(("bearer" = [])),
    params(("name" = String, Path)),
    responses((status = 204), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "INVALID_STATE: tenant databases are on it", body = http_api::ErrorBody)))]
pub async fn remove_server(
    state: web::Data<AppState>,
    operator: Operator,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.provisioner().remove_server(&name, &operator.actor()).await.map_err(server_error)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Checks a server now and records its health.
#[utoipa::path(post, path = "/v1/servers/{name}/check", tag = "servers", security(("bearer" = [])),
    params(("name" = String, Path)),
    responses((status = 200, body = ServerCheckView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn check_server(
    state: web::Data<AppState>,
    _operator: Operator,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (server, _) = find(&state, &name).await?;
    let (_, check) = state.provisioner().check_registered_server(&server).await.map_err(ApiError::internal)?;
    let (server, tenants) = find(&state, &name).await?;
    Ok(HttpResponse::Ok().json(ServerCheckView { server: ServerView::new(server, tenants), check }))
}

/// Gives the server's admin user a new random password, set on the server by the platform:
/// kept pending in the secret store first, proven by a fresh login, then used for new admin
/// connections. Open sessions and tenant connections are not interrupted; a crash half-way is
/// settled by the next health check. Not for the `default` server (its password is in
/// `TENANTRY_DATABASE_URL`).
#[utoipa::path(post, path = "/v1/servers/{name}/rotate-password", tag = "servers", security(("bearer" = [])),
    params(("name" = String, Path)),
    responses((status = 200, body = ServerCheckView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "CONFLICT: a rotation of this server is running; INVALID_STATE: it logs in without a password", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED: the `default` server, or the server refused the change or the new password (details.check says why; the old password still works)", body = http_api::ErrorBody)))]
pub async fn rotate_server_password(
    state: web::Data<AppState>,
    operator: Operator,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (server, check) =
        state.provisioner().rotate_server_password(&name, &operator.actor()).await.map_err(server_error)?;
    let tenants = state.catalog().tenant_count_on(server.id).await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(ServerCheckView { server: ServerView::new(server, tenants), check: Some(check) }))
}
