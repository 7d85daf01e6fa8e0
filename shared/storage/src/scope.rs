//! A tenant's view of a store: every key is validated and put under `tenants/<id>/`, and what
//! comes back has the prefix removed — a caller cannot name anything outside its tenant.

use std::{ops::Range, sync::Arc};

use uuid::Uuid;

use crate::{ByteStream, ListPage, ObjectKey, ObjectMeta, ObjectStore, StorageError};

/// A listing prefix: empty, or a key (optionally ending in `/`) — so it cannot climb out.
fn check_prefix(prefix: &str) -> Result<(), StorageError> {
    match prefix.strip_suffix('/').unwrap_or(prefix) {
        "" if prefix.is_empty() => Ok(()),
        "" => Err(StorageError::InvalidKey(crate::KeyError::Slashes)),
        body => ObjectKey::parse(body).map(|_| ()).map_err(StorageError::InvalidKey),
    }
}

/// One tenant's objects in a shared store.
#[derive(Clone)]
pub struct TenantStore {
    inner: Arc<dyn ObjectStore>,
    prefix: String,
}

impl TenantStore {
    pub fn new(inner: Arc<dyn ObjectStore>, tenant: Uuid) -> Self {
        Self { inner, prefix: format!("tenants/{}/", tenant.simple()) }
    }

    fn strip(&self, mut meta: ObjectMeta) -> ObjectMeta {
        meta.key = meta.key.strip_prefix(&self.prefix).unwrap_or(&meta.key).to_owned();
        meta
    }

    pub async fn put(&self, key: &ObjectKey, body: ByteStream, limit: u64) -> Result<ObjectMeta, StorageError> {
        self.inner.put(&key.under(&self.prefix), body, limit).await.map(|m| self.strip(m))
    }

    pub async fn get(
        &self,
        key: &ObjectKey,
        range: Option<Range<u64>>,
    ) -> Result<(ObjectMeta, ByteStream), StorageError> {
        let (meta, body) = self.inner.get(&key.under(&self.prefix), range).await?;
        Ok((self.strip(meta), body))
    }

    pub async fn head(&self, key: &ObjectKey) -> Result<ObjectMeta, StorageError> {
        self.inner.head(&key.under(&self.prefix)).await.map(|m| self.strip(m))
    }

    pub async fn delete(&self, key: &ObjectKey) -> Result<(), StorageError> {
        self.inner.delete(&key.under(&self.prefix)).await
    }

    /// A backend URL for the object, when the backend can sign one.
    pub async fn presign_get(
        &self,
        key: &ObjectKey,
        expires_in: std::time::Duration,
        filename: &str,
    ) -> Result<Option<String>, StorageError> {
        self.inner.presign_get(&key.under(&self.prefix), expires_in, filename).await
    }

    /// Lists the tenant's objects under `prefix` (free text, matched literally), after the
    /// cursor of the previous page.
    pub async fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<ListPage, StorageError> {
        check_prefix(prefix)?;
        let full_prefix = format!("{}{prefix}", self.prefix);
        let after = after.map(|a| format!("{}{a}", self.prefix));
        let page = self.inner.list(&full_prefix, after.as_deref(), limit).await?;
        Ok(ListPage {
            items: page.items.into_iter().map(|m| self.strip(m)).collect(),
            next_cursor: page.next_cursor.map(|c| c.strip_prefix(&self.prefix).unwrap_or(&c).to_owned()),
        })
    }
}
