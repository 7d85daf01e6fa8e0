use domain::{TenantId, TenantStatus};
use provisioner::{
    Actor, ProvisionError,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use secrets::{ExposeSecret, Scope, SecretName};

use crate::helpers::{connect_as, tenant_resources_exist};

#[tokio::test]
async fn a_provisioned_tenant_is_active_with_its_own_locked_down_database() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();

    let tenant = provisioner.create_tenant(tenant_request(&unique_slug("acme")), &Actor::system()).await.unwrap();

    assert_eq!(tenant.status, TenantStatus::Active.as_str());
    let id = TenantId::from_uuid(tenant.id);
    assert_eq!(tenant_resources_exist(id).await, (true, true));
    let placement = platform.catalog.placement(id).await.unwrap().unwrap();
    assert_eq!(placement.schema_version, migrator::latest_version::<migrator::tenant::TenantMigrator>());
    // The role owns its database and every object in it, and has no superpowers.
    let admin = test_support::admin_client(&placement.database_name).await.unwrap();
    let row = admin
        .query_one(
            "SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, pg_get_userbyid(d.datdba) = r.rolname, \
                    (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> r.rolname) \
             FROM pg_roles r, pg_database d WHERE r.rolname = $1 AND d.datname = $1",
            &[&placement.role_name],
        )
        .await
        .unwrap();
    assert!(!row.get::<_, bool>(0) && !row.get::<_, bool>(1) && !row.get::<_, bool>(2));
    assert!(row.get::<_, bool>(3), "role owns its database");
    assert_eq!(row.get::<_, i64>(4), 0, "every table belongs to the tenant role");
    // The first admin was seeded as owner.
    let owners: i64 = admin.query_one("SELECT count(*) FROM users WHERE role = 'owner'", &[]).await.unwrap().get(0);
    assert_eq!(owners, 1);
    // The job succeeded and no longer holds the admin password hash.
    let job = &platform.catalog.jobs_for_tenant(tenant.id).await.unwrap()[0];
    assert_eq!(job.state, "succeeded");
    assert!(job.params.get("adminPasswordHash").is_none());
    drop(admin);
    platform.cleanup().await;
}

#[tokio::test]
async fn one_tenants_role_cannot_connect_to_another_tenants_database() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let a = provisioner.create_tenant(tenant_request(&unique_slug("a")), &Actor::system()).await.unwrap();
    let b = provisioner.create_tenant(tenant_request(&unique_slug("b")), &Actor::system()).await.unwrap();
    let pa = platform.catalog.placement(TenantId::from_uuid(a.id)).await.unwrap().unwrap();
    let pb = platform.catalog.placement(TenantId::from_uuid(b.id)).await.unwrap().unwrap();
    let password_a = platform
        .provisioner()
        .secrets()
        .get(&Scope::Tenant(TenantId::from_uuid(a.id)), &SecretName::well_known(secrets::DB_PASSWORD), None)
        .await
        .unwrap()
        .value;
    let port = platform.server.port as u16;

    let own = connect_as(&pa.role_name, password_a.expose_secret(), &pa.database_name, port).await;
    let other = connect_as(&pa.role_name, password_a.expose_secret(), &pb.database_name, port).await;
    let postgres = connect_as(&pa.role_name, password_a.expose_secret(), "postgres", port).await;
    let wrong_password = connect_as(&pb.role_name, password_a.expose_secret(), &pb.database_name, port).await;

    assert!(own.is_ok(), "{:?}", own.err());
    let err = other.expect_err("A's role must not reach B's database");
    assert!(err.contains("permission denied"), "{err}");
    assert!(postgres.expect_err("nor the admin database").contains("permission denied"));
    assert!(wrong_password.is_err(), "B's role needs B's password");
    drop(own);
    platform.cleanup().await;
}

#[tokio::test]
async fn a_taken_slug_is_refused_and_creates_nothing() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let slug = unique_slug("dup");
    provisioner.create_tenant(tenant_request(&slug), &Actor::system()).await.unwrap();

    let second = provisioner.create_tenant(tenant_request(&slug), &Actor::system()).await;

    assert!(matches!(second, Err(ProvisionError::SlugTaken(_))), "{second:?}");
    assert_eq!(platform.catalog.list_tenants(None, 10, None).await.unwrap().items.len(), 1);
    platform.cleanup().await;
}

#[tokio::test]
async fn deleting_a_tenant_drops_database_and_role_and_keeps_a_tombstone() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let tenant = provisioner.create_tenant(tenant_request(&unique_slug("gone")), &Actor::system()).await.unwrap();
    let id = TenantId::from_uuid(tenant.id);

    let deleted = provisioner::delete_tenant(&provisioner, id, &Actor::system()).await.unwrap();

    assert_eq!(deleted.status, "deleted");
    assert_eq!(tenant_resources_exist(id).await, (false, false));
    assert!(platform.catalog.placement(id).await.unwrap().is_none());
    assert!(platform.catalog.tenant_by_slug(&tenant.slug).await.is_err(), "slug no longer live");
    platform.cleanup().await;
}
