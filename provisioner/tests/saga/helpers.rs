use domain::TenantId;
use secrets::SecretString;

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

/// A random password, recorded for the suite's log scan.
pub fn new_password() -> SecretString {
    let password = secrets::random_password();
    test_support::record_secret(&password);
    SecretString::from(password)
}
