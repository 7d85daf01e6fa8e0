use catalog::{ServerKind, entity::database_server};
use domain::TenantId;
use provisioner::{
    Actor, Provisioner, RegisterServer,
    testing::{tenant_request, unique_slug},
};
use secrets::{ExposeSecret, SecretString};

/// Whether a role and a database with the tenant's deterministic names exist on the server.
pub async fn tenant_resources_exist(tenant: TenantId) -> (bool, bool) {
    let client = test_support::admin_client("postgres").await.unwrap();
    let name = domain::RoleName::for_tenant(&tenant).as_str().to_owned();
    let role = client.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name]).await.unwrap().is_some();
    let db = client.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name]).await.unwrap().is_some();
    (role, db)
}

/// Connects to `database` as `role` with `password`, returning the error text on failure.
pub async fn connect_as(
    role: &str,
    password: &str,
    database: &str,
    port: u16,
) -> Result<tokio_postgres::Client, String> {
    let mut config = tokio_postgres::Config::new();
    config.host("127.0.0.1").port(port).user(role).password(password).dbname(database);
    match config.connect(tokio_postgres::NoTls).await {
        Ok((client, conn)) => {
            tokio::spawn(async move {
                let _ = conn.await;
            });
            Ok(client)
        }
        Err(err) => Err(err.as_db_error().map_or_else(|| err.to_string(), |e| e.message().to_owned())),
    }
}

/// A new login on the cluster `superuser` is connected to, with `password` and `attributes`
/// (e.g. `SUPERUSER`): an agency's admin user, which tests may change without touching the
/// cluster's own superuser.
pub async fn create_admin_login(superuser: &tokio_postgres::Client, role: &str, password: &str, attributes: &str) {
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    superuser.batch_execute(&format!("CREATE ROLE {role} LOGIN {attributes} PASSWORD '{verifier}'")).await.unwrap();
}

/// Lets `role` connect to the cluster's `postgres` database, which the platform closed to
/// PUBLIC (superusers need no grant). Other tests change its ACL meanwhile ("tuple
/// concurrently updated"): tried again.
pub async fn grant_connect(superuser: &tokio_postgres::Client, role: &str) {
    let grant = format!("GRANT CONNECT ON DATABASE postgres TO {role}");
    for attempt in 1.. {
        match superuser.batch_execute(&grant).await {
            Ok(()) => return,
            Err(err) if attempt >= 20 => panic!("{err}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
}

/// A random password, recorded for the suite's log scan.
pub fn new_password() -> SecretString {
    let password = secrets::random_password();
    test_support::record_secret(&password);
    SecretString::from(password)
}

/// A platform server on extra cluster `c` whose admin is a login of its own (`role`, with
/// `attributes`), as an agency would create for the platform: tests may change or rotate its
/// password without touching the cluster's superuser.
pub struct AgencyServer {
    pub superuser: tokio_postgres::Client,
    pub role: String,
    pub port: u16,
    pub first: SecretString,
    pub server: database_server::Model,
}

impl AgencyServer {
    pub async fn register(provisioner: &Provisioner, attributes: &str) -> Self {
        let url = url::Url::parse(&test_support::extra_cluster_url("c", "postgres")).unwrap();
        let superuser = test_support::admin_client_at(url.as_str()).await.unwrap();
        let role = test_support::unique_name("adm");
        let first = new_password();
        create_admin_login(&superuser, &role, first.expose_secret(), attributes).await;
        if !attributes.contains("SUPERUSER") {
            grant_connect(&superuser, &role).await;
        }
        let request = RegisterServer {
            name: test_support::unique_name("rot").replace('_', "-"),
            host: url.host_str().unwrap().to_owned(),
            port: url.port().unwrap(),
            admin_user: role.clone(),
            admin_password: Some(first.clone()),
            admin_database: "postgres".into(),
            template_database: Some(test_support::unique_name("ttpl")),
            kind: ServerKind::Platform,
            placement: None,
            capacity: 100,
            tls_mode: dbtls::TlsMode::Disable,
            tls_ca_pem: None,
            tls_client_identity: None,
        };
        let (server, _) = provisioner.register_server(request, &Actor::system()).await.unwrap();
        Self { superuser, role, port: url.port().unwrap(), first, server }
    }

    pub async fn logs_in(&self, password: &SecretString) -> bool {
        connect_as(&self.role, password.expose_secret(), "postgres", self.port).await.is_ok()
    }

    pub fn tenant(&self) -> provisioner::CreateTenant {
        let mut request = tenant_request(&unique_slug("rot"));
        request.server = Some(self.server.name.clone());
        request
    }

    pub async fn drop_role(self) {
        let role = self.role;
        let _ = self.superuser.batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE IF EXISTS {role}")).await;
    }
}
