use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use reqwest::{Method, StatusCode};
use secrets::{Scope, SecretName};

use crate::helpers::TestApp;

#[tokio::test]
async fn rotating_database_credentials_under_load_fails_no_request() {
    let app = Arc::new(TestApp::spawn().await);
    let tenants = vec![app.create_tenant("rot-a").await, app.create_tenant("rot-b").await];
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (app, stop, ok, failed) = (app.clone(), stop.clone(), ok.clone(), failed.clone());
        let slug = tenants[worker % 2].1.clone();
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let res = app.tp(Method::GET, &slug, "/v1/notes", None).await;
                if res.status == StatusCode::OK {
                    ok.fetch_add(1, Ordering::SeqCst);
                } else {
                    failed.fetch_add(1, Ordering::SeqCst);
                    eprintln!("{}: {:?}", res.status, res.body);
                }
            }
        }));
    }

    for _ in 0..5 {
        for (id, _) in &tenants {
            let rotated = app.cp(Method::POST, &format!("/v1/tenants/{id}/rotate-db-credentials"), None).await;
            assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
        }
        // Force new logins: the next requests must connect with the rotated password.
        app.tp_state.pools().close_idle_connections(Duration::ZERO);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }

    let (ok, failed) = (ok.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
    assert_eq!(failed, 0, "{failed} failed requests out of {}", ok + failed);
    assert!(ok > 50, "the load generator made only {ok} requests");
    let provisioner = app.platform.provisioner();
    let scope = Scope::Tenant(tenants[0].0.parse().unwrap());
    let latest = provisioner.secrets().get(&scope, &SecretName::well_known(secrets::DB_PASSWORD), None).await.unwrap();
    assert_eq!(latest.version, 6, "one initial version plus five rotations");
    drop(provisioner);
    Arc::try_unwrap(app).ok().expect("no other owner").cleanup().await;
}

#[tokio::test]
async fn a_login_between_storing_and_setting_a_new_password_uses_the_previous_one() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("window").await;
    assert_eq!(app.tp(Method::GET, &slug, "/v1/notes", None).await.status, StatusCode::OK);
    // Step one of a rotation only: a new version stored, the role not yet changed.
    let scope = Scope::Tenant(id.parse().unwrap());
    let store = app.platform.provisioner();
    store
        .secrets()
        .put(&scope, &SecretName::well_known(secrets::DB_PASSWORD), "not-yet-on-the-role", None)
        .await
        .unwrap();
    app.tp_state.routes().invalidate_tenant(id.parse().unwrap());
    app.tp_state.pools().evict(id.parse().unwrap()).await;

    let res = app.tp(Method::GET, &slug, "/v1/notes", None).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    app.cleanup().await;
}
