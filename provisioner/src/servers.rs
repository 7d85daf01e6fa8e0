//! Database servers: registering one from an admin URL, and pooled admin connections.

use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
};

use anyhow::Context;
use catalog::{Catalog, NewServer, entity::database_server};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use migrator::{ServerAccess, ServerCredentials};
use secrets::SecretString;
use uuid::Uuid;

/// Admin connections kept per server: provisioning runs a few statements per step, and a
/// fresh SCRAM login per statement would dominate its time.
const ADMIN_POOL_MAX: usize = 4;

/// Pools of admin connections to each server's admin database, created on first use and made
/// again when the server's `access_version` moved (new TLS settings or admin password).
pub struct AdminPools {
    credentials: ServerCredentials,
    pools: Mutex<HashMap<Uuid, (i32, ServerAccess, Pool)>>,
    templates_checked: Mutex<HashSet<Uuid>>,
}

impl AdminPools {
    pub fn new(credentials: ServerCredentials) -> Self {
        Self { credentials, pools: Mutex::new(HashMap::new()), templates_checked: Mutex::new(HashSet::new()) }
    }

    pub fn credentials(&self) -> &ServerCredentials {
        &self.credentials
    }

    /// Access settings and the admin pool of `server` (its password read from the secret
    /// store on first use).
    pub async fn get(&self, server: &database_server::Model) -> anyhow::Result<(ServerAccess, Pool)> {
        if let Some(entry) = self.cached(server)? {
            return Ok(entry);
        }
        let access = self.credentials.access(server).await?;
        let manager = Manager::from_config(
            access.admin_config(&access.admin_database),
            access.tls().connector(),
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager).max_size(ADMIN_POOL_MAX).build().context("build admin pool")?;
        let mut pools = self.pools.lock().map_err(|_| anyhow::anyhow!("admin pool lock poisoned"))?;
        let entry = pools.entry(server.id).or_insert_with(|| (server.access_version, access.clone(), pool.clone()));
        // Stale (made under an older access version): replaced; its connections close when
        // the last user of the old pool lets go of it.
        if entry.0 < server.access_version {
            *entry = (server.access_version, access, pool);
        }
        Ok((entry.1.clone(), entry.2.clone()))
    }

    /// The pool of `server` when it was made under the server's current access version.
    fn cached(&self, server: &database_server::Model) -> anyhow::Result<Option<(ServerAccess, Pool)>> {
        let pools = self.pools.lock().map_err(|_| anyhow::anyhow!("admin pool lock poisoned"))?;
        Ok(pools
            .get(&server.id)
            .filter(|(version, ..)| *version >= server.access_version)
            .map(|(_, access, pool)| (access.clone(), pool.clone())))
    }
}

impl AdminPools {
    pub(crate) fn template_checked(&self, server: Uuid) -> bool {
        self.templates_checked.lock().is_ok_and(|set| set.contains(&server))
    }

    pub(crate) fn mark_template_checked(&self, server: Uuid) {
        if let Ok(mut set) = self.templates_checked.lock() {
            set.insert(server);
        }
    }
}

/// Registers (or updates) the server named `name` from a Postgres admin URL such as
/// `postgres://postgres:secret@127.0.0.1:5432/postgres`; the password goes to the secret store.
pub async fn register_server_from_url(
    catalog: &Catalog,
    credentials: &ServerCredentials,
    name: &str,
    admin_url: &str,
    template_database: &str,
) -> anyhow::Result<database_server::Model> {
    let url = url::Url::parse(admin_url).context("parse database server URL")?;
    let host = url.host_str().context("database server URL has no host")?.to_owned();
    let port = url.port().unwrap_or(5432);
    let user = match url.username() {
        "" => "postgres".to_owned(),
        user => percent_decode(user)?,
    };
    let database = match url.path().trim_start_matches('/') {
        "" => "postgres".to_owned(),
        db => db.to_owned(),
    };
    let existing = catalog.servers().await?.into_iter().find(|s| s.name == name);
    let id = existing.as_ref().map_or_else(Uuid::now_v7, |s| s.id);
    let password = url.password().map(percent_decode).transpose()?.map(SecretString::from);
    let (tls_mode, tls_ca_pem) = dbtls::url_tls(&url)?;
    let identity = dbtls::url_identity(&url)?;
    // The password and the client certificate are stored before the row that points at them.
    if let Some(password) = &password {
        credentials.put(id, password).await?;
    }
    if let Some(identity) = &identity {
        credentials.put_client_identity(id, identity).await?;
    }
    let new = NewServer {
        name: name.to_owned(),
        host,
        port,
        admin_user: user,
        admin_password_stored: password.is_some(),
        admin_database: database,
        template_database: template_database.to_owned(),
        capacity: 5000,
        kind: catalog::ServerKind::Platform,
        placement: catalog::PlacementMode::Shared,
        tls_mode,
        tls_ca_pem,
        tls_client_cert_pem: identity.map(|identity| identity.cert_pem().to_owned()),
    };
    let server = catalog.upsert_server(id, &new).await;
    if server.is_err() && existing.is_none() {
        let _ = credentials.forget(id).await;
    }
    Ok(server?)
}

pub(crate) fn percent_decode(s: &str) -> anyhow::Result<String> {
    let bytes: Vec<u8> = url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned().into_bytes())
        .unwrap_or_default();
    String::from_utf8(bytes).context("URL credentials are not UTF-8")
}
