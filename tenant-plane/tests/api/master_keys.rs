use control_plane::refuse_missing_master_keys;
use provisioner::{
    Actor,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use secrets::{Keyring, LocalStore};

#[tokio::test]
async fn the_control_plane_refuses_to_start_without_a_master_key_that_is_still_in_use() {
    let old = Keyring::generate_base64();
    let platform = TestPlatform::with_key(&old).await;
    platform.provisioner().create_tenant(tenant_request(&unique_slug("keys")), &Actor::system()).await.unwrap();
    let new = Keyring::generate_base64();
    let new_only = Keyring::from_base64(&new).unwrap();
    let both = Keyring::from_base64(&format!("{new},{old}")).unwrap();

    let refused = refuse_missing_master_keys(&platform.catalog, &new_only).await;
    let old_id = Keyring::from_base64(&old).unwrap().active_key_id().to_owned();
    assert!(refused.as_ref().is_err_and(|e| e.to_string().contains(&old_id)), "{refused:?}");
    assert!(refuse_missing_master_keys(&platform.catalog, &both).await.is_ok());

    // After the rewrap the old key may go (server credentials are in the secret store, whose
    // data keys the rewrap moved).
    LocalStore::new(platform.catalog.clone(), both.clone()).rewrap().await.unwrap();
    assert!(refuse_missing_master_keys(&platform.catalog, &new_only).await.is_ok());
    platform.cleanup().await;
}

/// A server registered before admin passwords went to the secret store kept it sealed in the
/// catalog: that copy still opens, holds its master key in use, and moves to the store.
#[tokio::test]
async fn a_server_password_sealed_in_the_catalog_moves_to_the_secret_store() {
    let old = Keyring::generate_base64();
    let platform = TestPlatform::with_key(&old).await;
    let keyring = Keyring::from_base64(&old).unwrap();
    let credentials = platform.server_credentials();
    let server = platform.server.clone();
    let password = credentials.access(&server).await.unwrap().admin_password().cloned().expect("a password");
    // As an old release left it: sealed in the row, nothing in the store.
    let sealed = keyring
        .seal(&migrator::admin::server_password_context(server.id), secrets::ExposeSecret::expose_secret(&password))
        .unwrap();
    let db = test_support::admin_client(&platform.catalog_db).await.unwrap();
    db.execute(
        "UPDATE database_servers SET admin_password_sealed = $2, admin_password_stored = false WHERE id = $1",
        &[&server.id, &sealed],
    )
    .await
    .unwrap();
    credentials.forget(server.id).await.unwrap();
    let new_only = Keyring::from_base64(&Keyring::generate_base64()).unwrap();
    assert!(refuse_missing_master_keys(&platform.catalog, &new_only).await.is_err(), "the sealed copy needs its key");
    // Provisioning works from the sealed copy.
    platform.provisioner().create_tenant(tenant_request(&unique_slug("sealed")), &Actor::system()).await.unwrap();

    assert_eq!(credentials.move_sealed_into_store(&platform.catalog).await.unwrap(), 1);
    assert_eq!(credentials.move_sealed_into_store(&platform.catalog).await.unwrap(), 0, "a rerun moves nothing");
    let server = platform.catalog.server_by_name("default").await.unwrap();
    assert!(server.admin_password_stored && server.admin_password_sealed.is_none());
    let access = credentials.access(&server).await.unwrap();
    access.connect(&access.admin_database).await.expect("the moved password logs in");
    platform.provisioner().create_tenant(tenant_request(&unique_slug("moved")), &Actor::system()).await.unwrap();
    platform.cleanup().await;
}
