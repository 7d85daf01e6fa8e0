//! The portal served by the tenant plane: at the root of a tenant's host, and under
//! `/t/<slug>/` when path routing is on — there its pages, never its API, fall back to the app.

use reqwest::{Method, StatusCode};

use crate::helpers::{Options, TestApp};

const INDEX: &str = "<!doctype html><html><head></head><body>portal</body></html>";

#[tokio::test]
async fn the_portal_answers_under_a_path_routed_tenant_and_the_api_keeps_its_errors() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), INDEX).unwrap();
    std::fs::create_dir_all(dist.path().join("assets")).unwrap();
    std::fs::write(dist.path().join("assets/app-1.js"), "console.log(1)").unwrap();
    let app = TestApp::spawn_with(Options { portal: Some(dist.path().to_owned()), ..Options::default() }).await;
    let (_, slug) = app.create_tenant("pathapp").await;

    for page in ["", "/", "/users", "/files/a/b"] {
        let res = app.tp_request(Method::GET, None, &format!("/t/{slug}{page}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
        assert_eq!(res.text().await.unwrap(), INDEX, "{page}");
    }
    // The app's files live at the root only.
    let res = app.tp_request(Method::GET, None, "/assets/app-1.js").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "console.log(1)");
    let res = app.tp_request(Method::GET, None, &format!("/t/{slug}/assets/app-1.js")).send().await.unwrap();
    assert_ne!(res.text().await.unwrap(), "console.log(1)");

    // The API under the prefix: real answers, and its own 404 for an unknown path.
    let res = app.tp_request(Method::GET, None, &format!("/t/{slug}/v1/tenant")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["slug"], slug.as_str());
    let res = app.tp_request(Method::GET, None, &format!("/t/{slug}/v1/no-such-thing")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    // Writes are never the app.
    let res = app.tp_request(Method::POST, None, &format!("/t/{slug}/users")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.cleanup().await;
}
