//! `/v1/crm/contacts` (module `crm`): contacts with search and cursor pagination.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_postgres::Row;
use uuid::Uuid;

use super::fields::{limit, optional_text, page, text};
use crate::{
    auth::{Can, perm},
    modules::{self, Module},
    webhooks,
};

/// A contact.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    id: Uuid,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    notes: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, email, phone, company, notes, created_at, updated_at";

impl From<&Row> for ContactView {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get(0),
            name: r.get(1),
            email: r.get(2),
            phone: r.get(3),
            company: r.get(4),
            notes: r.get(5),
            created_at: r.get(6),
            updated_at: r.get(7),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// 1–200 characters (required on create).
    name: Option<String>,
    email: Option<String>,
    /// At most 50 characters.
    phone: Option<String>,
    /// At most 200 characters.
    company: Option<String>,
    /// At most 10000 characters.
    notes: Option<String>,
}

struct Checked {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    notes: Option<String>,
}

fn check(input: ContactInput) -> Result<Checked, ApiError> {
    Ok(Checked {
        name: input.name.map(|n| text("name", &n, 1, 200, false)).transpose()?,
        email: input
            .email
            .filter(|e| !e.trim().is_empty())
            .map(|e| {
                domain::Email::parse(&e)
                    .map(|e| e.as_str().to_owned())
                    .map_err(|err| ApiError::validation("email", err))
            })
            .transpose()?,
        phone: optional_text("phone", input.phone, 50)?,
        company: optional_text("company", input.company, 200)?,
        notes: input.notes.map(|n| text("notes", &n, 0, 10_000, true)).transpose()?,
    })
}

async fn ensure_unique_email(
    db: &impl tokio_postgres::GenericClient,
    config: &serde_json::Value,
    email: Option<&str>,
    except: Option<Uuid>,
) -> Result<(), ApiError> {
    let (Some(email), true) = (email, config["uniqueEmails"].as_bool() == Some(true)) else {
        return Ok(());
    };
    // Two concurrent creates with one address queue here instead of both passing the check.
    db.execute("SELECT pg_advisory_xact_lock(hashtext('crm_contacts.email:' || $1))", &[&email])
        .await
        .map_err(ApiError::internal)?;
    let taken = db
        .query_opt("SELECT 1 FROM crm_contacts WHERE email = $1 AND ($2::uuid IS NULL OR id <> $2)", &[&email, &except])
        .await
        .map_err(ApiError::internal)?;
    if taken.is_some() {
        return Err(ApiError::new(ErrorCode::CONFLICT, "a contact with this e-mail exists (uniqueEmails is on)"));
    }
    Ok(())
}

/// Creates a contact.
#[utoipa::path(post, path = "/v1/crm/contacts", tag = "crm", request_body = ContactInput, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 201, body = ContactView), (status = 403, description = "FORBIDDEN or MODULE_DISABLED", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn create_contact(
    caller: Can<perm::CrmWrite>,
    body: web::Json<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    let config = modules::require(&caller, Module::Crm).await?;
    let c = check(body.into_inner())?;
    let name = c.name.ok_or_else(|| ApiError::validation("name", "is required"))?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    ensure_unique_email(&txn, &config, c.email.as_deref(), None).await?;
    let row = txn
        .query_one(
            &format!(
                "INSERT INTO crm_contacts (id, name, email, phone, company, notes) VALUES ($1, $2, $3, $4, $5, coalesce($6, '')) \
                 RETURNING {COLUMNS}"
            ),
            &[&Uuid::now_v7(), &name, &c.email, &c.phone, &c.company, &c.notes],
        )
        .await
        .map_err(ApiError::internal)?;
    let view = ContactView::from(&row);
    webhooks::commit_with_event(txn, &caller.ctx, "crm.contact.created", json!(view)).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Matches name, e-mail or company (case-insensitive substring).
    q: Option<String>,
    /// 1–100, default 50.
    limit: Option<i64>,
    /// `nextCursor` of the previous page.
    cursor: Option<Uuid>,
}

/// A page of contacts, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactList {
    items: Vec<ContactView>,
    next_cursor: Option<Uuid>,
}

/// Lists and searches contacts.
#[utoipa::path(get, path = "/v1/crm/contacts", tag = "crm", params(ContactQuery), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ContactList), (status = 403, description = "FORBIDDEN or MODULE_DISABLED", body = http_api::ErrorBody)))]
pub async fn list_contacts(
    caller: Can<perm::CrmRead>,
    query: web::Query<ContactQuery>,
) -> Result<HttpResponse, ApiError> {
    modules::require(&caller, Module::Crm).await?;
    let limit = limit(query.limit, 100)?;
    let pattern = query
        .q
        .as_ref()
        .map(|q| text("q", q, 1, 100, false))
        .transpose()?
        .map(|q| format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    let client = caller.ctx.client().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM crm_contacts WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR \
                 name ILIKE $2 OR email ILIKE $2 OR company ILIKE $2) ORDER BY id LIMIT $3"
            ),
            &[&query.cursor, &pattern, &(limit + 1)],
        )
        .await
        .map_err(ApiError::internal)?;
    let (items, next_cursor) = page(&rows, limit, |r| Ok(ContactView::from(r)), |c| c.id)?;
    Ok(HttpResponse::Ok().json(ContactList { items, next_cursor }))
}

#[derive(Debug, Deserialize)]
pub struct ContactPath {
    id: Uuid,
}

/// One contact.
#[utoipa::path(get, path = "/v1/crm/contacts/{id}", tag = "crm", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ContactView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_contact(caller: Can<perm::CrmRead>, path: web::Path<ContactPath>) -> Result<HttpResponse, ApiError> {
    modules::require(&caller, Module::Crm).await?;
    let client = caller.ctx.client().await?;
    let row = client
        .query_opt(&format!("SELECT {COLUMNS} FROM crm_contacts WHERE id = $1"), &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    Ok(HttpResponse::Ok().json(ContactView::from(&row)))
}

/// Changes a contact (fields given replace; an empty optional field clears it).
#[utoipa::path(patch, path = "/v1/crm/contacts/{id}", tag = "crm", params(("id" = Uuid, Path)), request_body = ContactInput, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ContactView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn update_contact(
    caller: Can<perm::CrmWrite>,
    path: web::Path<ContactPath>,
    body: web::Json<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    let config = modules::require(&caller, Module::Crm).await?;
    let raw = body.into_inner();
    let clear = |v: &Option<String>| v.as_ref().is_some_and(|s| s.trim().is_empty());
    let (clear_email, clear_phone, clear_company) = (clear(&raw.email), clear(&raw.phone), clear(&raw.company));
    let c = check(raw)?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    ensure_unique_email(&txn, &config, c.email.as_deref(), Some(path.id)).await?;
    let row = txn
        .query_opt(
            &format!(
                "UPDATE crm_contacts SET name = coalesce($2, name), \
                 email = CASE WHEN $7 THEN NULL ELSE coalesce($3, email) END, \
                 phone = CASE WHEN $8 THEN NULL ELSE coalesce($4, phone) END, \
                 company = CASE WHEN $9 THEN NULL ELSE coalesce($5, company) END, \
                 notes = coalesce($6, notes), updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
            ),
            &[&path.id, &c.name, &c.email, &c.phone, &c.company, &c.notes, &clear_email, &clear_phone, &clear_company],
        )
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    let view = ContactView::from(&row);
    webhooks::commit_with_event(txn, &caller.ctx, "crm.contact.updated", json!(view)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Deletes a contact.
#[utoipa::path(delete, path = "/v1/crm/contacts/{id}", tag = "crm", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn delete_contact(
    caller: Can<perm::CrmWrite>,
    path: web::Path<ContactPath>,
) -> Result<HttpResponse, ApiError> {
    modules::require(&caller, Module::Crm).await?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let n = txn.execute("DELETE FROM crm_contacts WHERE id = $1", &[&path.id]).await.map_err(ApiError::internal)?;
    if n == 0 {
        return Err(ApiError::not_found("contact"));
    }
    webhooks::commit_with_event(txn, &caller.ctx, "crm.contact.deleted", json!({ "id": path.id })).await?;
    Ok(HttpResponse::NoContent().finish())
}
