//! The platform rotating a server's admin password itself: proven before it is used, put back
//! when the new one does not log in, one rotation at a time, and a crash half-way settled by
//! the next health check with nothing lost.

use provisioner::{
    Actor, ProvisionerConfig, ROTATION_SET_ON_SERVER, ServerAdminError,
    faults::{FaultKind, Faults},
    testing::TestPlatform,
};
use secrets::ExposeSecret;

use crate::helpers::{AgencyServer, connect_as};

#[tokio::test]
async fn a_rotated_admin_password_is_proven_before_use_and_open_admin_sessions_carry_on() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let rotating = AgencyServer::register(&provisioner, "SUPERUSER").await;
    // Its admin pool holds sessions logged in with the first password.
    provisioner.create_tenant(rotating.tenant(), &Actor::system()).await.unwrap();
    let sessions = rotating
        .superuser
        .query("SELECT pid FROM pg_stat_activity WHERE usename = $1", &[&rotating.role])
        .await
        .unwrap()
        .len();
    assert!(sessions > 0);

    let (server, check) = provisioner.rotate_server_password(&rotating.server.name, &Actor::system()).await.unwrap();
    assert_eq!(
        check.version_num,
        rotating
            .superuser
            .query_one("SHOW server_version_num", &[])
            .await
            .unwrap()
            .get::<_, String>(0)
            .parse::<i32>()
            .unwrap()
    );
    assert_eq!(server.access_version, rotating.server.access_version + 1);
    assert!(server.admin_password_changed_at.is_some());
    let credentials = provisioner.server_credentials();
    let second = credentials.password(&server).await.unwrap().unwrap();
    test_support::record_secret(second.expose_secret());
    assert!(!rotating.logs_in(&rotating.first).await, "the old password stops working");
    assert!(rotating.logs_in(&second).await);
    assert!(credentials.pending(server.id).await.unwrap().is_none());
    // Sessions logged in before are not cut off; new ones (the next tenant) use the new one.
    let still = rotating
        .superuser
        .query("SELECT pid FROM pg_stat_activity WHERE usename = $1", &[&rotating.role])
        .await
        .unwrap()
        .len();
    assert!(still >= sessions, "{sessions} sessions before, {still} after");
    let tenant = provisioner.create_tenant(rotating.tenant(), &Actor::system()).await.unwrap();
    assert_eq!(tenant.status, "active");
    let events = platform.catalog.audit_events(None, None, 50).await.unwrap();
    let event = events.iter().find(|e| e.action == "server.rotate_password").expect("audited");
    assert!(!event.details.to_string().contains(second.expose_secret()));

    platform.cleanup().await;
    rotating.drop_role().await;
}

#[tokio::test]
async fn a_new_admin_password_that_does_not_log_in_is_undone_and_the_old_one_kept() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    // One connection at a time for this admin (superusers have no limit): the rotation's own
    // session takes it, so the proof login with the new password is refused.
    let rotating = AgencyServer::register(&provisioner, "CREATEDB CREATEROLE").await;
    let role = &rotating.role;
    rotating.superuser.batch_execute(&format!("ALTER ROLE {role} CONNECTION LIMIT 1")).await.unwrap();
    rotating
        .superuser
        .execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", &[role])
        .await
        .unwrap();
    for _ in 0..100 {
        let open: i64 = rotating
            .superuser
            .query_one("SELECT count(*) FROM pg_stat_activity WHERE usename = $1", &[&rotating.role])
            .await
            .unwrap()
            .get(0);
        if open == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let err = provisioner.rotate_server_password(&rotating.server.name, &Actor::system()).await.unwrap_err();
    let ServerAdminError::CheckFailed { message } = err else { panic!("expected a failed check: {err:?}") };
    assert!(message.contains("put back"), "{message}");
    let server = platform.catalog.server(rotating.server.id).await.unwrap();
    assert_eq!(server.access_version, rotating.server.access_version, "nothing was counted");
    assert!(server.admin_password_changed_at.is_none());
    let credentials = provisioner.server_credentials();
    let stored = credentials.password(&server).await.unwrap().unwrap();
    assert_eq!(stored.expose_secret(), rotating.first.expose_secret());
    assert!(credentials.pending(server.id).await.unwrap().is_none());
    assert!(rotating.logs_in(&rotating.first).await, "the server has the old password again");

    platform.cleanup().await;
    rotating.drop_role().await;
}

#[tokio::test]
async fn a_rotation_is_refused_while_another_holds_the_servers_rotation_lock() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let rotating = AgencyServer::register(&provisioner, "SUPERUSER").await;
    // Another control plane mid-rotation: it holds the lock in the admin database.
    let other = connect_as(&rotating.role, rotating.first.expose_secret(), "postgres", rotating.port).await.unwrap();
    let lock =
        "SELECT pg_try_advisory_lock(x'74656e61'::int4, (SELECT oid::int4 FROM pg_roles WHERE rolname = current_user))";
    let held: bool = other.query_one(lock, &[]).await.unwrap().get(0);
    assert!(held);

    let err = provisioner.rotate_server_password(&rotating.server.name, &Actor::system()).await.unwrap_err();
    assert!(
        matches!(&err, ServerAdminError::Catalog(catalog::CatalogError::Conflict(_))),
        "expected a conflict: {err:?}"
    );
    assert!(rotating.logs_in(&rotating.first).await, "the password was not changed");
    assert!(provisioner.server_credentials().pending(rotating.server.id).await.unwrap().is_none());

    // Once it lets go, the rotation goes through.
    drop(other);
    let mut rotated = false;
    for _ in 0..50 {
        match provisioner.rotate_server_password(&rotating.server.name, &Actor::system()).await {
            Ok(_) => {
                rotated = true;
                break;
            }
            Err(ServerAdminError::Catalog(catalog::CatalogError::Conflict(_))) => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(err) => panic!("{err:?}"),
        }
    }
    assert!(rotated);
    let server = platform.catalog.server(rotating.server.id).await.unwrap();
    test_support::record_secret(
        provisioner.server_credentials().password(&server).await.unwrap().unwrap().expose_secret(),
    );

    platform.cleanup().await;
    rotating.drop_role().await;
}

#[tokio::test]
async fn a_rotation_that_crashed_after_changing_the_server_is_settled_by_the_next_health_check() {
    let platform = TestPlatform::new().await;
    let faults = Faults::inject_at(ROTATION_SET_ON_SERVER, FaultKind::Crash, 1);
    let provisioner = platform.provisioner_with(ProvisionerConfig::default(), faults);
    let rotating = AgencyServer::register(&provisioner, "SUPERUSER").await;

    // The server has the new password, the catalog and the stored secret the old one.
    provisioner.rotate_server_password(&rotating.server.name, &Actor::system()).await.unwrap_err();
    let credentials = provisioner.server_credentials();
    let pending = credentials.pending(rotating.server.id).await.unwrap().expect("the new password is kept pending");
    test_support::record_secret(pending.expose_secret());
    assert!(!rotating.logs_in(&rotating.first).await, "the server changed before the crash");
    assert!(rotating.logs_in(&pending).await);
    let stale = platform.catalog.server(rotating.server.id).await.unwrap();
    assert_eq!(credentials.password(&stale).await.unwrap().unwrap().expose_secret(), rotating.first.expose_secret());

    // The next health check finds the pending password working and keeps it.
    let (health, check) = provisioner.check_registered_server(&stale).await.unwrap();
    assert!(health.ok && check.is_some(), "{health:?}");
    let settled = platform.catalog.server(rotating.server.id).await.unwrap();
    assert_eq!(settled.access_version, stale.access_version + 1, "admin connections made before are stale");
    assert_eq!(credentials.password(&settled).await.unwrap().unwrap().expose_secret(), pending.expose_secret());
    assert!(credentials.pending(settled.id).await.unwrap().is_none());
    let tenant = provisioner.create_tenant(rotating.tenant(), &Actor::system()).await.unwrap();
    assert_eq!(tenant.status, "active");
    let events = platform.catalog.audit_events(None, None, 50).await.unwrap();
    let event = events.iter().find(|e| e.action == "server.rotate_password").expect("the settling is audited");
    assert_eq!(event.details["kept"], "pending");

    platform.cleanup().await;
    rotating.drop_role().await;
}

#[tokio::test]
async fn the_rotation_policy_rotates_only_platform_servers_whose_password_is_older_than_the_limit() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let old = AgencyServer::register(&provisioner, "SUPERUSER").await;
    let fresh = AgencyServer::register(&provisioner, "SUPERUSER").await;
    let hosted = AgencyServer::register(&provisioner, "SUPERUSER").await;
    let catalog = test_support::admin_client(&platform.catalog_db).await.unwrap();
    let age = |id: uuid::Uuid, days: i32| {
        let catalog = &catalog;
        async move {
            catalog
                .execute(
                    "UPDATE database_servers SET admin_password_changed_at = now() - make_interval(days => $2) WHERE id = $1",
                    &[&id, &days],
                )
                .await
                .unwrap();
        }
    };
    age(old.server.id, 100).await;
    age(fresh.server.id, 10).await;
    age(hosted.server.id, 100).await;
    catalog
        .execute("UPDATE database_servers SET kind = 'tenant_hosted' WHERE id = $1", &[&hosted.server.id])
        .await
        .unwrap();

    let rotated = provisioner.rotate_due_server_passwords(chrono::TimeDelta::days(90)).await.unwrap();
    assert_eq!(rotated, vec![old.server.name.clone()], "only the old platform server (not the tenant-hosted one)");
    assert!(!old.logs_in(&old.first).await);
    for kept in [&fresh, &hosted] {
        assert!(kept.logs_in(&kept.first).await, "{} kept its password", kept.server.name);
    }
    let server = platform.catalog.server(old.server.id).await.unwrap();
    assert!(chrono::Utc::now() - server.admin_password_changed_at.unwrap() < chrono::TimeDelta::minutes(1));
    test_support::record_secret(
        provisioner.server_credentials().password(&server).await.unwrap().unwrap().expose_secret(),
    );
    // Now young again: the next pass leaves it alone.
    assert!(provisioner.rotate_due_server_passwords(chrono::TimeDelta::days(90)).await.unwrap().is_empty());

    platform.cleanup().await;
    for rotating in [old, fresh, hosted] {
        rotating.drop_role().await;
    }
}
