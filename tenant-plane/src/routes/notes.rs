//! `/v1/notes`: a small tenant-owned resource, stored in the tenant's database.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::ApiError;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::auth::{Can, perm};

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 10_000;
const PAGE_MAX: i64 = 100;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    /// 1–200 characters.
    title: String,
    #[serde(default)]
    body: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    id: Uuid,
    title: String,
    body: String,
    created_at: DateTime<Utc>,
}

impl From<Row> for NoteView {
    fn from(row: Row) -> Self {
        Self { id: row.get(0), title: row.get(1), body: row.get(2), created_at: row.get(3) }
    }
}

/// A list of notes, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoteList {
    pub items: Vec<NoteView>,
}

/// Creates a note in the tenant's database.
#[utoipa::path(post, path = "/v1/notes", tag = "notes", params(("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), request_body = CreateNote, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 201, body = NoteView), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody), (status = 404, description = "TENANT_NOT_FOUND or NOT_FOUND", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn create_note(caller: Can<perm::NotesWrite>, body: web::Json<CreateNote>) -> Result<HttpResponse, ApiError> {
    let note = body.into_inner();
    let title = note.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return Err(ApiError::validation("title", format!("must be 1 to {TITLE_MAX} characters")));
    }
    if note.body.chars().count() > BODY_MAX {
        return Err(ApiError::validation("body", format!("must be at most {BODY_MAX} characters")));
    }
    // Postgres text cannot hold NUL, and control characters have no place in a title.
    if title.chars().any(char::is_control) {
        return Err(ApiError::validation("title", "must not contain control characters"));
    }
    if note.body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ApiError::validation(
            "body",
            "must not contain control characters other than line breaks and tabs",
        ));
    }
    let client = caller.ctx.client().await?;
    let row = client
        .query_one(
            "INSERT INTO notes (id, title, body) VALUES ($1, $2, $3) RETURNING id, title, body, created_at",
            &[&Uuid::now_v7(), &title, &note.body],
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().json(NoteView::from(row)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1–100, default 50.
    limit: Option<i64>,
}

/// The tenant's notes, newest first.
#[utoipa::path(get, path = "/v1/notes", tag = "notes", params(ListQuery, ("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = NoteList), (status = 404, description = "TENANT_NOT_FOUND or NOT_FOUND", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn list_notes(caller: Can<perm::NotesRead>, query: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    let limit = super::fields::limit(query.limit, PAGE_MAX)?;
    let client = caller.ctx.client().await?;
    let rows = client
        .query("SELECT id, title, body, created_at FROM notes ORDER BY created_at DESC, id DESC LIMIT $1", &[&limit])
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(NoteList { items: rows.into_iter().map(NoteView::from).collect() }))
}

#[derive(Debug, Deserialize)]
pub struct NotePath {
    id: Uuid,
}

/// One note.
#[utoipa::path(get, path = "/v1/notes/{id}", tag = "notes", params(("id" = Uuid, Path), ("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = NoteView), (status = 404, description = "TENANT_NOT_FOUND or NOT_FOUND", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn get_note(caller: Can<perm::NotesRead>, path: web::Path<NotePath>) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let row = client
        .query_opt("SELECT id, title, body, created_at FROM notes WHERE id = $1", &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("note"))?;
    Ok(HttpResponse::Ok().json(NoteView::from(row)))
}

/// Deletes a note.
#[utoipa::path(delete, path = "/v1/notes/{id}", tag = "notes", params(("id" = Uuid, Path), ("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "TENANT_NOT_FOUND or NOT_FOUND", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn delete_note(caller: Can<perm::NotesWrite>, path: web::Path<NotePath>) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let deleted = client.execute("DELETE FROM notes WHERE id = $1", &[&path.id]).await.map_err(ApiError::internal)?;
    if deleted == 0 {
        return Err(ApiError::not_found("note"));
    }
    Ok(HttpResponse::NoContent().finish())
}
