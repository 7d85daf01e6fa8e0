//! Operators, their sessions and the bootstrap token.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    Catalog, CatalogError, Result,
    entity::{bootstrap_token, operator, operator_session},
};

impl Catalog {
    pub async fn operator_count(&self) -> Result<u64> {
        Ok(operator::Entity::find().count(&self.db).await?)
    }

    pub async fn operator_by_email(&self, email: &str) -> Result<Option<operator::Model>> {
        Ok(operator::Entity::find().filter(operator::Column::Email.eq(email)).one(&self.db).await?)
    }

    /// Every operator, oldest first.
    pub async fn operators(&self) -> Result<Vec<operator::Model>> {
        use sea_orm::QueryOrder;
        Ok(operator::Entity::find().order_by_asc(operator::Column::CreatedAt).all(&self.db).await?)
    }

    pub async fn operator(&self, id: Uuid) -> Result<operator::Model> {
        operator::Entity::find_by_id(id).one(&self.db).await?.ok_or(CatalogError::NotFound("operator"))
    }

    /// Replaces any unused bootstrap token with this one (stored as a hash).
    pub async fn set_bootstrap_token(&self, token_hash: &str) -> Result<()> {
        let txn = self.db.begin().await?;
        bootstrap_token::Entity::delete_many().filter(bootstrap_token::Column::UsedAt.is_null()).exec(&txn).await?;
        bootstrap_token::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            created_at: Set(Utc::now()),
            used_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Creates the first operator if `token_hash` is an unused bootstrap token and no operator
    /// exists yet; marks the token used. `Ok(None)` when the token is wrong.
    pub async fn bootstrap_operator(
        &self,
        token_hash: &str,
        email: &str,
        password_hash: &str,
    ) -> Result<Option<operator::Model>> {
        let txn = self.db.begin().await?;
        if operator::Entity::find().count(&txn).await? > 0 {
            return Err(CatalogError::InvalidState {
                what: "bootstrap",
                actual: "done".into(),
                expected: "no operators".into(),
            });
        }
        let token = bootstrap_token::Entity::find_by_id(token_hash.to_owned()).lock_exclusive().one(&txn).await?;
        let Some(token) = token.filter(|t| t.used_at.is_none()) else {
            return Ok(None);
        };
        let mut used: bootstrap_token::ActiveModel = token.into();
        used.used_at = Set(Some(Utc::now()));
        used.update(&txn).await?;
        let op = new_operator(email, password_hash).insert(&txn).await?;
        txn.commit().await?;
        Ok(Some(op))
    }

    /// Adds an operator (by an existing operator or the CLI).
    pub async fn create_operator(&self, email: &str, password_hash: &str) -> Result<operator::Model> {
        Ok(new_operator(email, password_hash).insert(&self.db).await?)
    }

    pub async fn create_session(&self, token_hash: &str, operator_id: Uuid, expires_at: DateTime<Utc>) -> Result<()> {
        operator_session::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            operator_id: Set(operator_id),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
        }
        .insert(&self.db)
        .await?;
        operator::Entity::update_many()
            .col_expr(operator::Column::LastLoginAt, Utc::now().into())
            .filter(operator::Column::Id.eq(operator_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The operator owning an unexpired session token.
    pub async fn operator_for_session(&self, token_hash: &str) -> Result<Option<operator::Model>> {
        let Some(session) = operator_session::Entity::find_by_id(token_hash.to_owned())
            .filter(operator_session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(operator::Entity::find_by_id(session.operator_id).one(&self.db).await?)
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        operator_session::Entity::delete_by_id(token_hash.to_owned()).exec(&self.db).await?;
        Ok(())
    }
}

fn new_operator(email: &str, password_hash: &str) -> operator::ActiveModel {
    operator::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_owned()),
        password_hash: Set(password_hash.to_owned()),
        created_at: Set(Utc::now()),
        last_login_at: Set(None),
    }
}
