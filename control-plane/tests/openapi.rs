//! The committed OpenAPI document (docs/openapi/control-plane.json) is the generated one.
//! After an intended API change: `UPDATE_OPENAPI=1 cargo nextest run -p control-plane openapi`.

use utoipa::OpenApi;

#[test]
fn the_committed_openapi_document_is_current() {
    let generated = control_plane::ApiDoc::openapi().to_pretty_json().unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi/control-plane.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "docs/openapi/control-plane.json is stale; regenerate with UPDATE_OPENAPI=1");
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for path in ["/v1/tenants", "/v1/tenants/{tenant}/suspend", "/v1/jobs/{id}/retry", "/v1/bootstrap"] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
}
