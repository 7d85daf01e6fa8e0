//! Database servers and placement across three real clusters: the shared test cluster, a
//! second platform cluster and a third registered as tenant-hosted.

use catalog::{PlacementMode, ServerKind, ServerUpdate};
use domain::TenantId;
use provisioner::{
    Actor, ProvisionError, RegisterServer, ServerAdminError,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use secrets::{ExposeSecret, Scope, SecretName, SecretString};

use super::helpers::connect_as;

async fn server_of(platform: &TestPlatform, tenant: &catalog::entity::tenant::Model) -> String {
    let placement = platform.catalog.placement(TenantId::from_uuid(tenant.id)).await.unwrap().unwrap();
    platform.catalog.server(placement.server_id).await.unwrap().name
}

fn pinned(slug: &str, server: &str) -> provisioner::CreateTenant {
    let mut req = tenant_request(slug);
    req.server = Some(server.to_owned());
    req
}

#[tokio::test]
async fn placement_follows_the_policy_and_draining_stops_new_placements() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let actor = Actor::system();
    platform.add_server("b", &test_support::extra_cluster_url("b", "postgres"), ServerKind::Platform).await;
    let onprem = platform
        .add_server("onprem", &test_support::extra_cluster_url("c", "postgres"), ServerKind::TenantHosted)
        .await;
    assert_eq!(onprem.placement, "dedicated");

    // Fewest tenants: four tenants alternate between the two shared servers.
    let mut on = std::collections::HashMap::<String, usize>::new();
    for _ in 0..4 {
        let t = provisioner.create_tenant(tenant_request(&unique_slug("pl")), &actor).await.unwrap();
        *on.entry(server_of(&platform, &t).await).or_default() += 1;
    }
    assert_eq!(on.get("default"), Some(&2), "{on:?}");
    assert_eq!(on.get("b"), Some(&2), "{on:?}");
    assert_eq!(on.get("onprem"), None, "automatic placement never picks a dedicated server");

    // Draining b: new tenants all go to default; pinning to b is refused before anything is reserved.
    let drain = ServerUpdate { state: Some("draining".into()), ..ServerUpdate::default() };
    provisioner.update_server("b", drain, &actor).await.unwrap();
    for _ in 0..2 {
        let t = provisioner.create_tenant(tenant_request(&unique_slug("pl")), &actor).await.unwrap();
        assert_eq!(server_of(&platform, &t).await, "default");
    }
    let slug = unique_slug("pl");
    let refused = provisioner.create_tenant(pinned(&slug, "b"), &actor).await.unwrap_err();
    assert!(matches!(&refused, ProvisionError::Placement(m) if m.contains("draining")), "{refused:?}");
    assert!(platform.catalog.tenant_by_slug(&slug).await.is_err(), "a refused placement reserves nothing");
    let activate = ServerUpdate { state: Some("active".into()), ..ServerUpdate::default() };
    provisioner.update_server("b", activate, &actor).await.unwrap();
    let t = provisioner.create_tenant(tenant_request(&unique_slug("pl")), &actor).await.unwrap();
    assert_eq!(server_of(&platform, &t).await, "b", "b has the fewest tenants again");

    // Pinned to the tenant-hosted server: provisioned there and served by its own role.
    let agency = provisioner.create_tenant(pinned(&unique_slug("gov"), "onprem"), &actor).await.unwrap();
    assert_eq!(server_of(&platform, &agency).await, "onprem");
    let placement = platform.catalog.placement(TenantId::from_uuid(agency.id)).await.unwrap().unwrap();
    let on_c = test_support::admin_client_at(&test_support::extra_cluster_url("c", "postgres")).await.unwrap();
    let exists =
        on_c.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&placement.database_name]).await.unwrap();
    assert!(exists.is_some(), "the database is on the tenant-hosted cluster");
    let on_default = test_support::admin_client("postgres").await.unwrap();
    let elsewhere = on_default
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&placement.database_name])
        .await
        .unwrap();
    assert!(elsewhere.is_none(), "and nowhere else");
    let password = provisioner
        .secrets()
        .get(&Scope::Tenant(TenantId::from_uuid(agency.id)), &SecretName::well_known(secrets::DB_PASSWORD), None)
        .await
        .unwrap()
        .value;
    let port = url::Url::parse(&test_support::extra_cluster_url("c", "postgres")).unwrap().port().unwrap();
    let client =
        connect_as(&placement.role_name, password.expose_secret(), &placement.database_name, port).await.unwrap();
    let users: i64 = client.query_one("SELECT count(*) FROM users", &[]).await.unwrap().get(0);
    assert_eq!(users, 1, "the first admin was seeded in the tenant-hosted database");

    // Dedicated means one tenant: a second pin is refused, as is an unknown server.
    let second = provisioner.create_tenant(pinned(&unique_slug("gov"), "onprem"), &actor).await.unwrap_err();
    assert!(matches!(&second, ProvisionError::Placement(m) if m.contains("dedicated")), "{second:?}");
    let unknown = provisioner.create_tenant(pinned(&unique_slug("x"), "nope"), &actor).await.unwrap_err();
    assert!(matches!(&unknown, ProvisionError::Placement(m) if m.contains("nope")), "{unknown:?}");

    // A server with tenants cannot be removed; a shared one with several cannot become dedicated.
    let busy = provisioner.remove_server("b", &actor).await.unwrap_err();
    assert!(matches!(busy, ServerAdminError::Catalog(catalog::CatalogError::InvalidState { .. })), "{busy:?}");
    let dedicate = ServerUpdate { placement: Some(PlacementMode::Dedicated), ..ServerUpdate::default() };
    assert!(provisioner.update_server("b", dedicate, &actor).await.is_err());
    platform.cleanup().await;
}

fn request(name: &str, admin_url: &str) -> RegisterServer {
    let url = url::Url::parse(admin_url).unwrap();
    RegisterServer {
        name: name.to_owned(),
        host: url.host_str().unwrap().to_owned(),
        port: url.port().unwrap(),
        admin_user: url.username().to_owned(),
        admin_password: url.password().map(|p| SecretString::from(p.to_owned())),
        admin_database: "postgres".into(),
        template_database: Some(test_support::unique_name("ttpl")),
        kind: ServerKind::TenantHosted,
        placement: None,
        capacity: 1,
        tls_mode: dbtls::TlsMode::Disable,
        tls_ca_pem: None,
        tls_client_identity: None,
    }
}

fn check_failure(err: ServerAdminError) -> String {
    match err {
        ServerAdminError::CheckFailed { message } => message,
        other => panic!("expected a failed live check, got {other:?}"),
    }
}

#[tokio::test]
async fn registering_a_tenant_hosted_server_checks_it_live_and_stores_nothing_on_failure() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let actor = Actor::system();
    let url = test_support::extra_cluster_url("c", "postgres");

    let mut wrong = request("wrong-password", &url);
    wrong.admin_password = Some(SecretString::from("not-the-password".to_owned()));
    let message = check_failure(provisioner.register_server(wrong, &actor).await.unwrap_err());
    assert!(message.contains("cannot connect"), "{message}");

    let mut unreachable = request("unreachable", &url);
    let closed_port = pgcluster::free_port().unwrap();
    unreachable.port = closed_port;
    let message = check_failure(provisioner.register_server(unreachable, &actor).await.unwrap_err());
    assert!(message.contains(&format!("cannot connect to 127.0.0.1:{closed_port}")), "{message}");

    // A login that may not create databases or roles is refused by name.
    let weak_role = test_support::unique_name("weak");
    let weak_password = secrets::random_password();
    test_support::record_secret(&weak_password);
    let admin = test_support::admin_client_at(&url).await.unwrap();
    // A SCRAM verifier, so the password itself never reaches a log.
    let verifier = postgres_protocol::password::scram_sha_256(weak_password.as_bytes());
    admin
        .batch_execute(&format!(
            "CREATE ROLE {weak_role} LOGIN PASSWORD '{verifier}'; GRANT CONNECT ON DATABASE postgres TO {weak_role}"
        ))
        .await
        .unwrap();
    let mut weak = request("weak", &url);
    weak.admin_user = weak_role.clone();
    weak.admin_password = Some(SecretString::from(weak_password.clone()));
    let message = check_failure(provisioner.register_server(weak, &actor).await.unwrap_err());
    assert!(message.contains("CREATEDB and CREATEROLE"), "{message}");

    let mut bad_name = request("Bad Name", &url);
    bad_name.name = "Bad Name".into();
    assert!(matches!(
        provisioner.register_server(bad_name, &actor).await.unwrap_err(),
        ServerAdminError::Invalid { field: "name", .. }
    ));
    let mut shared = request("shared-onprem", &url);
    shared.placement = Some(PlacementMode::Shared);
    assert!(matches!(
        provisioner.register_server(shared, &actor).await.unwrap_err(),
        ServerAdminError::Invalid { field: "placement", .. }
    ));
    let names: Vec<_> = platform.catalog.servers().await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, vec!["default".to_owned()], "failed registrations store nothing");
    let stored = provisioner.secrets().list(&Scope::Platform).await.unwrap();
    assert_eq!(stored, vec![migrator::admin_password_secret(platform.server.id)], "nor any password");

    // The good one: checked, template prepared, password in the secret store, not the catalog.
    let good = request("agency", &url);
    let password = good.admin_password.clone().unwrap();
    let (server, check) = provisioner.register_server(good, &actor).await.unwrap();
    assert!(check.version_num >= 150_000);
    assert_eq!((server.kind.as_str(), server.health.as_str()), ("tenant_hosted", "ok"));
    assert!(server.admin_password_stored && server.admin_password_sealed.is_none());
    let secret = migrator::admin_password_secret(server.id);
    let stored = provisioner.secrets().get(&Scope::Platform, &secret, None).await.unwrap();
    assert_eq!(stored.value.expose_secret(), password.expose_secret());
    let template = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", &[&server.template_database])
        .await
        .unwrap();
    assert!(template.is_some(), "the template database was prepared on the server");
    let again = provisioner.register_server(request("agency", &url), &actor).await.unwrap_err();
    assert!(matches!(again, ServerAdminError::Catalog(catalog::CatalogError::Conflict(_))), "{again:?}");

    // Removing an empty server drops its template and its stored password too.
    provisioner.remove_server("agency", &actor).await.unwrap();
    let gone = provisioner.secrets().get(&Scope::Platform, &secret, None).await;
    assert!(matches!(gone, Err(secrets::SecretError::NotFound)), "{gone:?}");
    let template =
        admin.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&server.template_database]).await.unwrap();
    assert!(template.is_none());
    admin
        .batch_execute(&format!("REVOKE CONNECT ON DATABASE postgres FROM {weak_role}; DROP ROLE {weak_role}"))
        .await
        .unwrap();
    platform.cleanup().await;
}

#[tokio::test]
async fn a_failing_server_is_reported_by_the_probe_and_skipped_by_automatic_placement() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let actor = Actor::system();
    let url = test_support::extra_cluster_url("b", "postgres");
    let target: std::net::SocketAddr =
        format!("127.0.0.1:{}", url::Url::parse(&url).unwrap().port().unwrap()).parse().unwrap();
    let proxy = test_support::ChaosProxy::start(target).await.unwrap();
    let mut via_proxy = url::Url::parse(&url).unwrap();
    via_proxy.set_port(Some(proxy.port())).unwrap();
    platform.add_server("flaky", via_proxy.as_str(), ServerKind::Platform).await;
    // The default server holds one tenant, so "fewest tenants" prefers the empty flaky one.
    provisioner.create_tenant(tenant_request(&unique_slug("pr")), &actor).await.unwrap();

    proxy.cut().await;
    provisioner::probe_server_health(&provisioner).await.unwrap();
    let flaky = platform.catalog.server_by_name("flaky").await.unwrap();
    assert_eq!(flaky.health, "failing");
    assert!(flaky.health_detail.unwrap().contains("cannot connect"));
    let t = provisioner.create_tenant(tenant_request(&unique_slug("pr")), &actor).await.unwrap();
    assert_eq!(server_of(&platform, &t).await, "default", "a failing server gets no new tenants");

    proxy.restore().await.unwrap();
    provisioner::probe_server_health(&provisioner).await.unwrap();
    assert_eq!(platform.catalog.server_by_name("flaky").await.unwrap().health, "ok");
    let t = provisioner.create_tenant(tenant_request(&unique_slug("pr")), &actor).await.unwrap();
    assert_eq!(server_of(&platform, &t).await, "flaky");
    platform.cleanup().await;
}
