//! A tenant's space on a backend: created with a marker object at provisioning, probed when a
//! tenant-hosted backend is registered and afterwards, emptied and removed at offboarding.

use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;
use uuid::Uuid;

use crate::{
    AzureCredential, AzureSettings, AzureStore, BackendSpec, ObjectKey, ObjectStore, Platform, StorageError,
    TenantStore,
};

/// Written into every tenant space; names the tenant, so a space is never mistaken for another's.
pub const MARKER: &str = ".tenantry/marker";

fn marker_key() -> Result<ObjectKey, StorageError> {
    Ok(ObjectKey::parse(MARKER)?)
}

fn one_shot(bytes: Bytes) -> crate::ByteStream {
    futures::stream::once(async move { Ok(bytes) }).boxed()
}

/// The platform's Azure container of a tenant, when the platform backend is Azure.
fn platform_container(spec: &BackendSpec, platform: Option<&Platform>, tenant: Uuid) -> Option<AzureStore> {
    match (spec, platform) {
        (BackendSpec::Platform, Some(Platform::Azure { endpoint, account, key })) => AzureStore::new(&AzureSettings {
            endpoint: endpoint.clone(),
            account: account.clone(),
            container: Platform::azure_container(tenant),
            credential: AzureCredential::SharedKey(key.clone()),
        })
        .ok(),
        _ => None,
    }
}

/// Creates the tenant's space (its container on the platform's Azure account; folders and
/// prefixes need nothing) and writes the marker. Safe to run again.
pub async fn create_space(
    spec: &BackendSpec,
    store: Arc<dyn ObjectStore>,
    platform: Option<&Platform>,
    tenant: Uuid,
) -> Result<(), StorageError> {
    if let Some(container) = platform_container(spec, platform, tenant) {
        container.create_container().await?;
    }
    let marker = serde_json::json!({ "tenant": tenant, "createdAt": chrono::Utc::now() }).to_string();
    TenantStore::new(store, tenant).put(&marker_key()?, one_shot(Bytes::from(marker)), 1024).await?;
    Ok(())
}

/// Deletes every object of the tenant's space, then the space itself where the platform owns
/// it (its Azure container). A tenant-hosted bucket or container stays; only our objects go.
pub async fn remove_space(
    spec: &BackendSpec,
    store: Arc<dyn ObjectStore>,
    platform: Option<&Platform>,
    tenant: Uuid,
) -> Result<u64, StorageError> {
    let scoped = TenantStore::new(store, tenant);
    let mut removed = 0;
    loop {
        let page = scoped.list("", None, 500).await?;
        if page.items.is_empty() {
            break;
        }
        for item in page.items {
            scoped.delete(&ObjectKey::parse(&item.key)?).await?;
            removed += 1;
        }
    }
    if let Some(container) = platform_container(spec, platform, tenant) {
        container.delete_container().await?;
    }
    Ok(removed)
}

/// The live check of a backend: write, read back and delete a probe object in the tenant's
/// space. Says what failed, in words an operator can act on.
pub async fn probe(store: Arc<dyn ObjectStore>, tenant: Uuid) -> Result<(), String> {
    let scoped = TenantStore::new(store, tenant);
    let key = ObjectKey::parse(&format!(".tenantry/probe-{}", Uuid::now_v7().simple())).map_err(|e| e.to_string())?;
    let payload = Bytes::from(format!("tenantry probe {tenant}"));
    let explain = |what: &str, err: StorageError| match err {
        StorageError::Refused(reason) => {
            format!("{what} was refused ({reason}): check the credentials and permissions")
        }
        StorageError::Unavailable(reason) => format!("{what} failed: the backend is unreachable ({reason})"),
        StorageError::NotFound => format!("{what} failed: the bucket or container does not exist"),
        other => format!("{what} failed: {other}"),
    };
    scoped.put(&key, one_shot(payload.clone()), 1024).await.map_err(|e| explain("writing a probe object", e))?;
    let read = async {
        let (_, body) = scoped.get(&key, None).await?;
        let bytes: Vec<u8> = body.map_ok(|b| b.to_vec()).try_concat().await?;
        Ok::<_, StorageError>(bytes)
    }
    .await
    .map_err(|e| explain("reading the probe object back", e))?;
    if read != payload {
        return Err("the probe object read back different bytes".into());
    }
    scoped.delete(&key).await.map_err(|e| explain("deleting the probe object", e))?;
    Ok(())
}

/// Opens a spec's store with its secret, for a live check before anything is stored.
pub fn connect_for_check(
    spec: &BackendSpec,
    secret: Option<SecretString>,
    platform: Option<&Platform>,
    tenant: Uuid,
) -> Result<Arc<dyn ObjectStore>, String> {
    if spec.needs_secret() && secret.is_none() {
        return Err(format!("a {} backend needs its secret", spec.kind()));
    }
    crate::connect(spec, secret, platform, tenant).map_err(|e| e.to_string())
}
