//! Changing how the platform reaches a registered server after its owner rotated the admin
//! password: the new one is checked live before it is stored, and admin connections made
//! from then on use it.

use catalog::ServerUpdate;
use provisioner::{Actor, ServerAccessChange, ServerAdminError, testing::TestPlatform};
use secrets::ExposeSecret;

use crate::helpers::{AgencyServer, new_password};

#[tokio::test]
async fn a_servers_new_admin_password_is_checked_before_it_is_stored_and_then_used_for_new_connections() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let actor = Actor::system();
    let agency = AgencyServer::register(&provisioner, "SUPERUSER").await;
    let (registered, name, role, first) = (&agency.server, agency.server.name.as_str(), &agency.role, &agency.first);
    // Its admin pool holds connections made with the first password.
    provisioner.create_tenant(agency.tenant(), &actor).await.unwrap();

    // The owner rotates the password on the server.
    let second = new_password();
    let verifier = postgres_protocol::password::scram_sha_256(second.expose_secret().as_bytes());
    agency.superuser.batch_execute(&format!("ALTER ROLE {role} PASSWORD '{verifier}'")).await.unwrap();

    // A wrong one is refused by the live check, and nothing changes.
    let wrong = ServerAccessChange { admin_password: Some(new_password()), ..Default::default() };
    let err = provisioner.change_server(name, ServerUpdate::default(), wrong, &actor).await.unwrap_err();
    let ServerAdminError::CheckFailed { message } = err else { panic!("expected a failed live check: {err:?}") };
    assert!(message.contains("cannot connect"), "{message}");
    let unchanged = platform.catalog.server(registered.id).await.unwrap();
    assert_eq!(unchanged.access_version, registered.access_version);
    let stored = provisioner.server_credentials().password(&unchanged).await.unwrap().unwrap();
    assert_eq!(stored.expose_secret(), first.expose_secret());

    // The right one: stored, counted.
    let right = ServerAccessChange { admin_password: Some(second.clone()), ..Default::default() };
    let (changed, check) = provisioner.change_server(name, ServerUpdate::default(), right, &actor).await.unwrap();
    assert!(check.is_some(), "the new password was checked live");
    assert_eq!(changed.access_version, registered.access_version + 1);
    assert!(registered.admin_password_changed_at.is_none() && changed.admin_password_changed_at.is_some());
    let stored = provisioner.server_credentials().password(&changed).await.unwrap().unwrap();
    assert_eq!(stored.expose_secret(), second.expose_secret());

    // The old admin connections go away: the next tenant on the server needs new logins,
    // which only the new password gets.
    agency
        .superuser
        .execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", &[role])
        .await
        .unwrap();
    let tenant = provisioner.create_tenant(agency.tenant(), &actor).await.unwrap();
    assert_eq!(tenant.status, "active");

    // Recorded without the password.
    let events = platform.catalog.audit_events(None, None, 50).await.unwrap();
    let update = events.iter().find(|e| e.action == "server.update").expect("a server.update event");
    assert_eq!(update.details["adminPasswordChanged"], true);
    assert!(!update.details.to_string().contains(second.expose_secret()));

    platform.cleanup().await;
    agency.drop_role().await;
}

/// What a tenant's DBA hands the platform: `CREATEDB CREATEROLE`, not a superuser. The admin
/// joins the roles it acts for (the template owner, each tenant's role), which Postgres 15
/// requires before it creates a database owned by one or hands objects to it.
#[tokio::test]
async fn a_server_whose_admin_is_not_a_superuser_provisions_and_offboards_tenants() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let actor = Actor::system();
    let agency = AgencyServer::register(&provisioner, "CREATEDB CREATEROLE").await;
    assert!(!agency.server.health.is_empty());

    let tenant = provisioner.create_tenant(agency.tenant(), &actor).await.unwrap();
    assert_eq!(tenant.status, "active");
    let id = domain::TenantId::from_uuid(tenant.id);
    let placement = platform.catalog.placement(id).await.unwrap().unwrap();
    let exists = "SELECT (SELECT count(*) FROM pg_roles WHERE rolname = $1) + \
                  (SELECT count(*) FROM pg_database WHERE datname = $1)";
    let count: i64 = agency.superuser.query_one(exists, &[&placement.role_name]).await.unwrap().get(0);
    assert_eq!(count, 2, "the tenant's role and database are on the agency's server");

    provisioner::delete_tenant(&provisioner, id, &actor).await.unwrap();
    let count: i64 = agency.superuser.query_one(exists, &[&placement.role_name]).await.unwrap().get(0);
    assert_eq!(count, 0, "offboarding removed both");

    platform.cleanup().await;
    agency.drop_role().await;
}
