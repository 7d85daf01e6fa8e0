use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;

fn kids(body: &serde_json::Value) -> Vec<String> {
    body["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn each_tenant_publishes_its_own_keys_and_a_rotated_key_is_published_at_once() {
    let app = TestApp::spawn().await;
    let (_, a) = app.create_tenant("jwks-a").await;
    let (_, b) = app.create_tenant("jwks-b").await;

    let jwks_a = app.tp(Method::GET, &a, "/.well-known/jwks.json", None).await;
    let jwks_b = app.tp(Method::GET, &b, "/.well-known/jwks.json", None).await;
    assert_eq!(jwks_a.status, StatusCode::OK);
    assert_eq!(kids(&jwks_a.body).len(), 1, "provisioning created one key");
    assert_eq!(jwks_a.body["keys"][0]["alg"], "EdDSA");
    assert!(
        jwks_a.body["keys"][0].get("d").is_none() && jwks_a.body["keys"][0].get("seed").is_none(),
        "public parts only"
    );
    assert_ne!(jwks_a.body["keys"][0]["x"], jwks_b.body["keys"][0]["x"], "tenants never share a key");

    let rotated = app.cp(Method::POST, &format!("/v1/tenants/{a}/rotate-signing-key"), None).await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let new_kid = rotated.body["kid"].as_str().unwrap().to_owned();
    let jwks_a = app.tp(Method::GET, &a, "/.well-known/jwks.json", None).await;
    assert_eq!(kids(&jwks_a.body).len(), 2);
    assert!(kids(&jwks_a.body).contains(&new_kid), "published before it signs");
    assert!(!kids(&app.tp(Method::GET, &b, "/.well-known/jwks.json", None).await.body).contains(&new_kid));
    app.cleanup().await;
}
