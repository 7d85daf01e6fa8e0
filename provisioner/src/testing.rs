//! A throwaway platform for tests (feature `testing`): its own catalog database and template
//! on the shared test cluster, a fresh keyring, and a provisioner bound to them.

use catalog::{Catalog, entity::database_server};
use domain::{DisplayName, Email, Password, Plan, TenantSlug};
use secrets::Keyring;

use crate::{CreateTenant, Provisioner, ProvisionerConfig, faults::Faults, register_server_from_url};

/// One test's platform. Call [`TestPlatform::cleanup`] at the end of the test.
pub struct TestPlatform {
    pub catalog: Catalog,
    pub keyring: Keyring,
    pub catalog_db: String,
    pub catalog_url: String,
    /// The catalog as the tenant plane sees it: a least-privilege reader login.
    pub reader_url: String,
    reader_role: String,
    pub template_db: String,
    pub server: database_server::Model,
}

impl TestPlatform {
    pub async fn new() -> Self {
        Self::with_key(&Keyring::generate_base64()).await
    }

    /// A platform whose keyring uses the given base64 master key (for tests that run the CLI).
    pub async fn with_key(master_key: &str) -> Self {
        test_support::init_test_logging();
        test_support::record_secret(master_key);
        let catalog_db = test_support::create_database("tcat").await.expect("create catalog database");
        let catalog_url = test_support::admin_url(&catalog_db);
        let catalog = Catalog::connect(&catalog_url).await.expect("connect catalog");
        migrator::migrate_catalog(&catalog).await.expect("migrate catalog");
        let reader_role = test_support::unique_name("tp");
        let reader_password = secrets::random_password();
        let admin = test_support::admin_client(&catalog_db).await.expect("admin connection");
        migrator::ensure_catalog_reader(&admin, &catalog_db, &reader_role, &reader_password)
            .await
            .expect("catalog reader");
        let mut reader_url = url::Url::parse(&catalog_url).expect("catalog url");
        reader_url.set_username(&reader_role).expect("reader user");
        reader_url.set_password(Some(&reader_password)).expect("reader password");
        let reader_url = reader_url.to_string();
        let keyring = Keyring::from_base64(master_key).expect("keyring");
        let template_db = test_support::unique_name("ttpl");
        let credentials = local_credentials(&catalog, &keyring);
        let server = register_server_from_url(
            &catalog,
            &credentials,
            "default",
            &test_support::admin_url("postgres"),
            &template_db,
        )
        .await
        .expect("register server");
        Self { catalog, keyring, catalog_db, catalog_url, reader_url, reader_role, template_db, server }
    }

    /// Server admin passwords as this platform's provisioners read them (the local store).
    pub fn server_credentials(&self) -> migrator::ServerCredentials {
        local_credentials(&self.catalog, &self.keyring)
    }

    /// Moves the default server's admin password to `provisioner`'s secret store (e.g. Vault),
    /// out of the local one it was registered with.
    pub async fn move_default_server_to(&self, provisioner: &Provisioner) {
        register_server_from_url(
            &self.catalog,
            provisioner.server_credentials(),
            "default",
            &test_support::admin_url("postgres"),
            &self.template_db,
        )
        .await
        .expect("register server");
        local_credentials(&self.catalog, &self.keyring).forget(self.server.id).await.expect("forget local copy");
    }

    pub fn provisioner(&self) -> Provisioner {
        self.provisioner_with(ProvisionerConfig::default(), Faults::none())
    }

    pub fn provisioner_with(&self, config: ProvisionerConfig, faults: Faults) -> Provisioner {
        Provisioner::with_faults(self.catalog.clone(), self.keyring.clone(), config, faults)
    }

    /// Registers another server (on an extra test cluster from
    /// [`test_support::extra_cluster_url`], or any admin URL) through the live-checked path,
    /// with a template database of its own.
    pub async fn add_server(&self, name: &str, admin_url: &str, kind: catalog::ServerKind) -> database_server::Model {
        let url = url::Url::parse(admin_url).expect("admin url");
        let request = crate::RegisterServer {
            name: name.to_owned(),
            host: url.host_str().expect("host").to_owned(),
            port: url.port().expect("port"),
            admin_user: url.username().to_owned(),
            admin_password: url.password().map(|p| secrets::SecretString::from(p.to_owned())),
            admin_database: "postgres".into(),
            template_database: Some(test_support::unique_name("ttpl")),
            kind,
            placement: None,
            capacity: if kind == catalog::ServerKind::TenantHosted { 1 } else { 5000 },
            tls_mode: dbtls::TlsMode::Disable,
            tls_ca_pem: None,
            tls_client_identity: None,
        };
        let (server, _) =
            self.provisioner().register_server(request, &crate::Actor::system()).await.expect("register server");
        server
    }

    /// Drops every tenant database and role this platform placed (on every server), the
    /// templates and the catalog. First records every secret the platform held, for the
    /// suite-wide log scan.
    pub async fn cleanup(self) {
        self.record_secrets().await;
        let placements = self.catalog.placements().await.unwrap_or_default();
        let spares = self.catalog.all_spares().await.unwrap_or_default();
        let local = local_credentials(&self.catalog, &self.keyring);
        for server in self.catalog.servers().await.unwrap_or_default() {
            // A password moved to another store (Vault) is the shared test cluster's.
            let access = match local.access(&server).await {
                Ok(access) => access,
                Err(_) => match migrator::ServerAccess::new(&server, admin_password(), None) {
                    Ok(access) => access,
                    Err(_) => continue,
                },
            };
            let Ok(client) = access.connect("postgres").await else { continue };
            for spare in spares.iter().filter(|s| s.server_id == server.id) {
                let _ = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", spare.database_name))
                    .await;
                let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{}\"", spare.role_name)).await;
            }
            for p in placements.iter().filter(|p| p.server_id == server.id) {
                let _ = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", p.database_name))
                    .await;
                let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{}\"", p.role_name)).await;
            }
            let template = &server.template_database;
            let _ = client.batch_execute(&format!("ALTER DATABASE \"{template}\" WITH IS_TEMPLATE false")).await;
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS \"{template}\" WITH (FORCE)")).await;
        }
        let _ = self.catalog.connection().clone().close().await;
        let client = test_support::admin_client("postgres").await.expect("admin connection");
        let _ = client.batch_execute(&format!("ALTER DATABASE \"{}\" WITH IS_TEMPLATE false", self.template_db)).await;
        let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.template_db)).await;
        let _ = test_support::drop_database(&self.catalog_db).await;
        let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{}\"", self.reader_role)).await;
    }
}

/// The test cluster's admin password, if its URL has one.
fn admin_password() -> Option<secrets::SecretString> {
    let url = url::Url::parse(&test_support::admin_url("postgres")).ok()?;
    url.password().map(|p| secrets::SecretString::from(p.to_owned()))
}

fn local_credentials(catalog: &Catalog, keyring: &Keyring) -> migrator::ServerCredentials {
    let store = std::sync::Arc::new(secrets::LocalStore::new(catalog.clone(), keyring.clone()));
    migrator::ServerCredentials::new(store, keyring.clone())
}

impl TestPlatform {
    /// Records the platform's secrets (every stored version of every tenant's secrets, the
    /// superuser and catalog-reader passwords) for `scripts/test.sh`'s scan of all test logs.
    async fn record_secrets(&self) {
        use secrets::{ExposeSecret, Scope, SecretStore};
        for url in [&self.catalog_url, &self.reader_url] {
            if let Some(password) = url::Url::parse(url).ok().and_then(|u| u.password().map(str::to_owned)) {
                test_support::record_secret(&password);
            }
        }
        let store = secrets::LocalStore::new(self.catalog.clone(), self.keyring.clone());
        let Ok(placements) = self.catalog.placements().await else { return };
        for placement in placements {
            let scope = Scope::Tenant(domain::TenantId::from_uuid(placement.tenant_id));
            for name in store.list(&scope).await.unwrap_or_default() {
                let latest = store.get(&scope, &name, None).await.map_or(0, |v| v.version);
                for version in 1..=latest {
                    if let Ok(secret) = store.get(&scope, &name, Some(version)).await {
                        test_support::record_secret(secret.value.expose_secret());
                    }
                }
            }
        }
    }
}

/// A valid tenant request for `slug`.
pub fn tenant_request(slug: &str) -> CreateTenant {
    CreateTenant {
        slug: TenantSlug::parse(slug).expect("slug"),
        display_name: DisplayName::parse(&format!("Tenant {slug}")).expect("name"),
        plan: Plan::Standard,
        admin_email: Email::parse(&format!("owner@{slug}.test")).expect("email"),
        admin: crate::FirstAdmin::Password(Password::parse("correct horse battery staple").expect("password")),
        server: None,
        sandbox: None,
    }
}

/// A slug no other test uses.
pub fn unique_slug(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}
