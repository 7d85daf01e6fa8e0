use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;

fn kids(body: &serde_json::Value) -> Vec<String> {
    body["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn each_tenant_publishes_its_own_keys_and_a_rotated_key_is_published_before_it_signs() {
    let app = TestApp::spawn().await;
    let (_, a) = app.create_tenant("jwks-a").await;
    let (_, b) = app.create_tenant("jwks-b").await;

    let jwks_b = app.tp(Method::GET, &b, "/.well-known/jwks.json", None).await;
    assert_eq!(jwks_b.status, StatusCode::OK);
    assert_eq!(kids(&jwks_b.body).len(), 1, "provisioning created one key");
    assert_eq!(jwks_b.body["keys"][0]["alg"], "EdDSA");
    let key = jwks_b.body["keys"][0].as_object().unwrap();
    assert!(
        key.keys().all(|k| ["kty", "crv", "alg", "use", "kid", "x"].contains(&k.as_str())),
        "public parts only: {key:?}"
    );

    // A's worker cache is cold, so the rotation shows at once (in general within 10 s, while
    // the new key only signs 5 minutes later).
    let rotated = app.cp(Method::POST, &format!("/v1/tenants/{a}/rotate-signing-key"), None).await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let new_kid = rotated.body["kid"].as_str().unwrap().to_owned();
    let jwks_a = app.tp(Method::GET, &a, "/.well-known/jwks.json", None).await;
    assert_eq!(jwks_a.status, StatusCode::OK);
    assert_eq!(kids(&jwks_a.body).len(), 2);
    assert!(kids(&jwks_a.body).contains(&new_kid), "published before it signs");
    for key in jwks_a.body["keys"].as_array().unwrap() {
        assert_ne!(key["x"], jwks_b.body["keys"][0]["x"], "tenants never share a key");
    }
    assert!(!kids(&app.tp(Method::GET, &b, "/.well-known/jwks.json", None).await.body).contains(&new_kid));
    app.cleanup().await;
}
