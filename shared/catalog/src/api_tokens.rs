//! The control plane's API tokens: long-lived bearer tokens an operator makes for CI pipelines
//! and scripts. Stored as SHA-256; `sandbox` tokens may only manage sandboxes.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use crate::{Catalog, CatalogError, Result, entity::operator};

/// A token as listed (never the token itself).
#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub hint: String,
    /// `admin` or `sandbox`.
    pub scope: String,
    pub operator_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Input of [`Catalog::create_api_token`].
#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub name: &'a str,
    pub token_hash: &'a str,
    pub hint: &'a str,
    pub scope: &'a str,
    pub operator_id: Uuid,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Catalog {
    pub async fn create_api_token(&self, new: &NewApiToken<'_>) -> Result<ApiToken> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO api_tokens (id, name, token_hash, hint, scope, operator_id, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             RETURNING id, name, hint, scope, operator_id, created_at, expires_at, last_used_at",
            [
                Uuid::now_v7().into(),
                new.name.into(),
                new.token_hash.into(),
                new.hint.into(),
                new.scope.into(),
                new.operator_id.into(),
                new.expires_at.into(),
            ],
        );
        ApiToken::find_by_statement(stmt).one(&self.db).await?.ok_or(CatalogError::NotFound("api token"))
    }

    /// Tokens not revoked, newest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        let stmt = Statement::from_string(
            DbBackend::Postgres,
            "SELECT id, name, hint, scope, operator_id, created_at, expires_at, last_used_at FROM api_tokens \
             WHERE revoked_at IS NULL ORDER BY created_at DESC",
        );
        Ok(ApiToken::find_by_statement(stmt).all(&self.db).await?)
    }

    pub async fn revoke_api_token(&self, id: Uuid) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
            [id.into()],
        );
        if self.db.execute_raw(stmt).await?.rows_affected() == 0 {
            return Err(CatalogError::NotFound("api token"));
        }
        Ok(())
    }

    /// The token with this hash and its operator, if it is valid now; records its use.
    pub async fn operator_for_api_token(&self, token_hash: &str) -> Result<Option<(operator::Model, ApiToken)>> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL \
               AND (expires_at IS NULL OR expires_at > now()) \
             RETURNING id, name, hint, scope, operator_id, created_at, expires_at, last_used_at",
            [token_hash.into()],
        );
        let Some(token) = ApiToken::find_by_statement(stmt).one(&self.db).await? else { return Ok(None) };
        let operator = self.operator(token.operator_id).await?;
        Ok(Some((operator, token)))
    }
}
