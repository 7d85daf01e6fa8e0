//! Opening a connection as a tenant's role, across password rotation.
//!
//! Rotation stores the new password as a new secret version first and changes the role's
//! password second. A connect that fails authentication therefore retries with the newest
//! stored version (a rotation finished since) and then the one before it (a rotation is
//! between its two steps), skipping the version that just failed. Open connections are never
//! affected: Postgres checks passwords only at login.

use std::sync::{Arc, RwLock};

use dbtls::DbTls;
use domain::TenantId;
use secrets::{ExposeSecret, Scope, SecretName, SecretStore, SecretString, Versioned};
use tokio_postgres::{Client, error::SqlState, tls::MakeTlsConnect};

use super::{cache::DbTarget, homing, link::Connection};

/// A client and its connection, to be driven by a [`super::link::Link`].
pub type OpenConnection = (Client, Connection);

/// Why a tenant connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot reach the tenant database")]
    Network(#[from] std::io::Error),
    #[error("tenant database")]
    Postgres(#[from] tokio_postgres::Error),
}

impl ConnectError {
    fn is_auth_failure(&self) -> bool {
        matches!(self, ConnectError::Postgres(err) if err.code() == Some(&SqlState::INVALID_PASSWORD))
    }
}

/// Pause before the second round of login retries during a rotation (growing per round).
const ROTATION_SETTLE: std::time::Duration = std::time::Duration::from_millis(100);
/// How long a login keeps retrying while rotations go on.
const ROTATION_RETRY_BUDGET: std::time::Duration = std::time::Duration::from_secs(4);
/// How long opening a tenant connection may take.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens connections to one tenant's database as its role.
pub struct TenantConnector {
    config: tokio_postgres::Config,
    host: String,
    port: u16,
    tls: DbTls,
    tenant: TenantId,
    secrets: Arc<dyn SecretStore>,
    /// The password version that last worked.
    current: RwLock<Versioned>,
}

impl TenantConnector {
    pub fn new(target: &DbTarget, tenant: TenantId, secrets: Arc<dyn SecretStore>) -> Self {
        let mut config = tokio_postgres::Config::new();
        config.user(&target.role).dbname(&target.database).application_name("tenantry-tenant-plane");
        target.tls.configure(&mut config);
        let current = Versioned { version: target.password_version, value: target.password.clone() };
        Self {
            config,
            host: target.host.clone(),
            port: target.port,
            tls: target.tls.clone(),
            tenant,
            secrets,
            current: RwLock::new(current),
        }
    }

    /// Logs in over a [`homing::HomingStream`] (tokio-postgres's own sockets stay with the
    /// runtime that opened them).
    async fn connect_with(&self, password: &SecretString) -> Result<OpenConnection, ConnectError> {
        let mut config = self.config.clone();
        config.password(password.expose_secret());
        let stream = homing::connect(&self.host, self.port, CONNECT_TIMEOUT).await?;
        let tls = MakeTlsConnect::<homing::HomingStream>::make_tls_connect(&mut self.tls.connector(), &self.host)
            .map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidInput, err))?;
        let (client, connection) = config.connect_raw(stream, tls).await?;
        Ok((client, Box::pin(connection)))
    }

    fn current(&self) -> Versioned {
        match self.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn remember(&self, working: Versioned) {
        if let Ok(mut current) = self.current.write() {
            *current = working;
        }
    }

    /// Connects; on an authentication failure retries with other stored password versions
    /// (see the module docs).
    pub async fn connect(&self) -> Result<OpenConnection, ConnectError> {
        let current = self.current();
        let err = match self.connect_with(&current.value).await {
            Ok(client) => return Ok(client),
            Err(err) if err.is_auth_failure() => err,
            Err(err) => return Err(err),
        };
        let mut last = err;
        // Round one skips the version that just failed; later rounds, after a pause, try the
        // newest and the previous version again: a rotation may have moved on in between. On a
        // busy server a login can take longer than a rotation step, so the rounds go on while
        // rotations keep storing new versions (within a time budget); two rounds in a row with
        // the same newest version failing mean the password is simply wrong.
        let give_up_at = tokio::time::Instant::now() + ROTATION_RETRY_BUDGET;
        let mut seen_latest = None;
        for round in 0u32.. {
            if round > 0 {
                tokio::time::sleep(ROTATION_SETTLE * round.min(4)).await;
            }
            let skip = if round == 0 { vec![current.version] } else { Vec::new() };
            let (latest, candidates) = self.candidate_versions(&skip).await;
            for candidate in candidates {
                tracing::info!(tenant.id = %self.tenant, password.version = candidate.version, "retrying tenant login with another password version");
                match self.connect_with(&candidate.value).await {
                    Ok(client) => {
                        self.remember(candidate);
                        return Ok(client);
                    }
                    Err(err) if err.is_auth_failure() => last = err,
                    Err(err) => return Err(err),
                }
            }
            let settled = round >= 2 && latest.is_some() && latest == seen_latest;
            if settled || tokio::time::Instant::now() >= give_up_at {
                break;
            }
            seen_latest = latest;
        }
        Err(last)
    }

    /// The newest stored version number, and the newest version and the one before it as
    /// candidates, except those in `skip`.
    async fn candidate_versions(&self, skip: &[u32]) -> (Option<u32>, Vec<Versioned>) {
        let scope = Scope::Tenant(self.tenant);
        let name = SecretName::well_known(secrets::DB_PASSWORD);
        let Ok(latest) = self.secrets.get(&scope, &name, None).await else {
            return (None, Vec::new());
        };
        let previous = match latest.version.checked_sub(1).filter(|v| *v > 0 && !skip.contains(v)) {
            Some(v) => self.secrets.get(&scope, &name, Some(v)).await.ok(),
            None => None,
        };
        let newest = latest.version;
        (Some(newest), [Some(latest).filter(|l| !skip.contains(&l.version)), previous].into_iter().flatten().collect())
    }
}
