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
    for (_, slug) in &tenants {
        app.owner_token(slug).await.expect("owner logs in");
    }
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

    // At least five rounds, and as many more as it takes for the load to reach 50 requests
    // (a busy machine makes fewer per round).
    let mut round = 0u32;
    while round < 5 || ok.load(Ordering::SeqCst) + failed.load(Ordering::SeqCst) <= 50 {
        round += 1;
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
    assert_eq!(latest.version, round + 1, "one initial version plus one per rotation");
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

#[tokio::test]
async fn a_role_password_no_stored_version_matches_gives_a_503_until_the_next_rotation() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("lost").await;
    assert_eq!(app.tp(Method::GET, &slug, "/v1/notes", None).await.status, StatusCode::OK);
    // Someone changed the role's password outside the platform.
    let admin = test_support::admin_client("postgres").await.unwrap();
    admin.batch_execute(&format!("ALTER ROLE \"tenant_{}\" PASSWORD NULL", id.replace('-', ""))).await.unwrap();
    app.tp_state.pools().close_idle_connections(Duration::ZERO);

    // The retries see no rotation going on and give up with a clear, retryable error.
    let res = app.tp(Method::GET, &slug, "/v1/notes", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", res.body);
    assert_eq!(res.body["error"]["code"], "SERVICE_UNAVAILABLE");

    // A rotation sets a stored password on the role again, and the tenant is served.
    let rotated = app.cp(Method::POST, &format!("/v1/tenants/{id}/rotate-db-credentials"), None).await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let res = app.tp(Method::GET, &slug, "/v1/notes", None).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    app.cleanup().await;
}

/// Rotation under load, everything at once: master-key rotation with rewrap, database
/// credentials of every tenant, with route reloads and fresh logins forced all along.
/// `scripts/bench/rotation.sh` runs it longer and writes `reports/rotation.md`.
#[tokio::test]
async fn master_key_and_credential_rotation_under_load_fail_no_request() {
    let rounds: usize = std::env::var("ROTATION_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let (old, new) = (secrets::Keyring::generate_base64(), secrets::Keyring::generate_base64());
    let both = format!("{new},{old}");
    // Tenants provisioned while only the old key existed; then the new key is rolled out to
    // the control plane and the tenant plane (rotation step 2), and the rewrap runs under load.
    let options = crate::helpers::Options {
        master_key: Some(old.clone()),
        service_keys: Some(both.clone()),
        ..Default::default()
    };
    let app = Arc::new(TestApp::spawn_with(options).await);
    let mut tenants = Vec::new();
    for _ in 0..3 {
        let slug = provisioner::testing::unique_slug("load");
        let tenant = app
            .platform
            .provisioner()
            .create_tenant(provisioner::testing::tenant_request(&slug), &provisioner::Actor::system())
            .await
            .unwrap();
        tenants.push((tenant.id.to_string(), slug));
    }
    for (_, slug) in &tenants {
        app.owner_token(slug).await.expect("owner logs in");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed, server_errors) =
        (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut load = Vec::new();
    for worker in 0..6 {
        let (app, stop, ok, failed, server_errors) =
            (app.clone(), stop.clone(), ok.clone(), failed.clone(), server_errors.clone());
        let slug = tenants[worker % tenants.len()].1.clone();
        load.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                // Every third request reads the JWKS, which changes with every signing-key rotation.
                let path = if i.is_multiple_of(3) { "/.well-known/jwks.json" } else { "/v1/notes" };
                let res = app.tp(Method::GET, &slug, path, None).await;
                let has_keys = path == "/v1/notes" || res.body["keys"].as_array().is_some_and(|k| !k.is_empty());
                match res.status {
                    StatusCode::OK if has_keys => ok.fetch_add(1, Ordering::SeqCst),
                    s if s.is_server_error() => {
                        eprintln!("{s}: {:?}", res.body);
                        server_errors.fetch_add(1, Ordering::SeqCst);
                        failed.fetch_add(1, Ordering::SeqCst)
                    }
                    _ => failed.fetch_add(1, Ordering::SeqCst),
                };
            }
        }));
    }
    let started = std::time::Instant::now();
    let rotator = secrets::LocalStore::new(app.platform.catalog.clone(), secrets::Keyring::from_base64(&both).unwrap());
    let mut rewrapped = 0;
    // At least `rounds` rounds, and more until the load reaches 100 requests.
    let mut round = 0usize;
    while round < rounds || ok.load(Ordering::SeqCst) + failed.load(Ordering::SeqCst) <= 100 {
        round += 1;
        if round == rounds / 2 + 1 {
            rewrapped = rotator.rewrap().await.unwrap().rewrapped;
        }
        for (id, _) in &tenants {
            let res = app.cp(Method::POST, &format!("/v1/tenants/{id}/rotate-db-credentials"), None).await;
            assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
            let res = app.cp(Method::POST, &format!("/v1/tenants/{id}/rotate-signing-key"), None).await;
            assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
        }
        // Make the plane re-read routes (unwrapping data keys again) and log in again.
        app.tp_state.routes().flush();
        app.tp_state.pools().close_idle_connections(Duration::ZERO);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    // After all that, each tenant's signing key is published and every published key opens.
    let signing = secrets::signing::SigningKeys::with_defaults(Arc::new(rotator.clone()));
    for (id, slug) in &tenants {
        let scope = Scope::Tenant(id.parse().unwrap());
        let active = signing.active(&scope, chrono::Utc::now()).await.unwrap().kid;
        let jwks = app.tp(Method::GET, slug, "/.well-known/jwks.json", None).await;
        let kids: Vec<&str> =
            jwks.body["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert!(kids.contains(&active.as_str()), "the signing key {active} is published: {kids:?}");
    }
    let (ok, failed, server_errors) =
        (ok.load(Ordering::SeqCst), failed.load(Ordering::SeqCst), server_errors.load(Ordering::SeqCst));
    let usage = app.platform.catalog.kek_usage().await.unwrap();

    if let Ok(path) = std::env::var("ROTATION_REPORT") {
        let report = format!(
            "# Rotation under load\n\nGenerated by `scripts/bench/rotation.sh`. One tenant plane, {} tenants, 6 load \
             workers (GET /v1/notes, every third request GET /.well-known/jwks.json) for {:.1} s while {round} rounds \
             ran: database-credential and signing-key rotation of every tenant per round, a master-key rewrap in the \
             middle ({rewrapped} data keys), and after every round a route flush (data keys unwrapped again) and \
             closing every idle connection (fresh logins).\n\n\
             | requests | failures | 5xx |\n|---|---|---|\n| {} | {failed} | {server_errors} |\n\n\
             Data keys per master key afterwards: {:?}\n",
            tenants.len(),
            elapsed.as_secs_f64(),
            ok + failed,
            usage.iter().map(|u| (u.kek_id.clone(), u.data_keys)).collect::<Vec<_>>(),
        );
        std::fs::write(path, report).unwrap();
    }
    assert_eq!((failed, server_errors), (0, 0), "{failed} failures, {server_errors} 5xx out of {}", ok + failed);
    assert!(rewrapped >= 3, "every tenant's data key moved to the new master key");
    let old_id = secrets::Keyring::from_base64(&old).unwrap().active_key_id().to_owned();
    assert!(usage.iter().all(|u| u.kek_id != old_id), "the old master key wraps nothing any more");
    Arc::try_unwrap(app).ok().expect("no other owner").cleanup().await;
}
