//! The committed OpenAPI document (docs/openapi/tenant-plane.json) is the generated one, and
//! it is served at /openapi.json. After an intended API change:
//! `UPDATE_OPENAPI=1 cargo nextest run -p tenant-plane openapi`.

use reqwest::StatusCode;
use utoipa::OpenApi;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_committed_openapi_document_is_current_and_served() {
    let generated = tenant_plane::ApiDoc::openapi().to_pretty_json().unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi/tenant-plane.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "docs/openapi/tenant-plane.json is stale; regenerate with UPDATE_OPENAPI=1");

    let app = TestApp::spawn().await;
    let served = app.http.get(format!("{}/openapi.json", app.tp)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let served: serde_json::Value = served.json().await.unwrap();
    assert!(served["paths"]["/v1/notes"].is_object());
    // The interactive page reads that document and loads nothing from elsewhere.
    let page = app.http.get(format!("{}/docs", app.tp)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("fetch('openapi.json')"));
    assert!(!html.contains("<script src") && !html.contains("https://"), "no external assets");
    let cp: serde_json::Value =
        app.http.get(format!("{}/openapi.json", app.cp)).send().await.unwrap().json().await.unwrap();
    assert!(cp["paths"]["/v1/tenants"].is_object());
    app.cleanup().await;
}
