//! `/v1/notes`: a small tenant-owned resource, stored in the tenant's database.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::ApiError;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::TenantCtx;

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 10_000;
const PAGE_MAX: i64 = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    title: String,
    #[serde(default)]
    body: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NoteView {
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

/// `POST /v1/notes`
pub async fn create_note(ctx: TenantCtx, body: web::Json<CreateNote>) -> Result<HttpResponse, ApiError> {
    let note = body.into_inner();
    let title = note.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return Err(ApiError::validation("title", format!("must be 1 to {TITLE_MAX} characters")));
    }
    if note.body.chars().count() > BODY_MAX {
        return Err(ApiError::validation("body", format!("must be at most {BODY_MAX} characters")));
    }
    let client = ctx.client().await?;
    let row = client
        .query_one(
            "INSERT INTO notes (id, title, body) VALUES ($1, $2, $3) RETURNING id, title, body, created_at",
            &[&Uuid::now_v7(), &title, &note.body],
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().json(NoteView::from(row)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
}

/// `GET /v1/notes?limit=`
pub async fn list_notes(ctx: TenantCtx, query: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(ApiError::validation("limit", format!("must be between 1 and {PAGE_MAX}")));
    }
    let client = ctx.client().await?;
    let rows = client
        .query("SELECT id, title, body, created_at FROM notes ORDER BY created_at DESC, id DESC LIMIT $1", &[&limit])
        .await
        .map_err(ApiError::internal)?;
    let items: Vec<NoteView> = rows.into_iter().map(NoteView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
pub struct NotePath {
    id: Uuid,
}

/// `GET /v1/notes/{id}`
pub async fn get_note(ctx: TenantCtx, path: web::Path<NotePath>) -> Result<HttpResponse, ApiError> {
    let client = ctx.client().await?;
    let row = client
        .query_opt("SELECT id, title, body, created_at FROM notes WHERE id = $1", &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("note"))?;
    Ok(HttpResponse::Ok().json(NoteView::from(row)))
}

/// `DELETE /v1/notes/{id}`
pub async fn delete_note(ctx: TenantCtx, path: web::Path<NotePath>) -> Result<HttpResponse, ApiError> {
    let client = ctx.client().await?;
    let deleted = client.execute("DELETE FROM notes WHERE id = $1", &[&path.id]).await.map_err(ApiError::internal)?;
    if deleted == 0 {
        return Err(ApiError::not_found("note"));
    }
    Ok(HttpResponse::NoContent().finish())
}
