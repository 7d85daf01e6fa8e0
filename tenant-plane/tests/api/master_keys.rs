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

    // After the rewrap (and the server credential re-seal) the old key may go.
    LocalStore::new(platform.catalog.clone(), both.clone()).rewrap().await.unwrap();
    for server in platform.catalog.servers().await.unwrap() {
        let sealed = server.admin_password_sealed.unwrap();
        let context = migrator::admin::server_password_context(server.id);
        let password = both.open(&context, &sealed).unwrap();
        let resealed = both.seal(&context, secrets::ExposeSecret::expose_secret(&password)).unwrap();
        platform.catalog.reseal_server_password(server.id, &sealed, &resealed).await.unwrap();
    }
    assert!(refuse_missing_master_keys(&platform.catalog, &new_only).await.is_ok());
    platform.cleanup().await;
}
