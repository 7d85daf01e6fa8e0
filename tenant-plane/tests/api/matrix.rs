//! The role × endpoint matrix: every endpoint of the tenant API, called anonymously, by each
//! role and by a narrowly scoped API key, each outcome checked against the documented table in
//! docs/tenant-permissions.md (read from the file, so the doc and the code cannot drift).

use std::collections::{BTreeSet, HashMap};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use utoipa::OpenApi;

use crate::helpers::{Response, TestApp};

#[derive(Debug, Clone, PartialEq)]
enum Needs {
    Nothing,
    AnyCredential,
    /// An access token of a user; API keys are refused.
    UserSession,
    Permission(String),
}

struct Table {
    /// permission → roles that have it
    roles: HashMap<String, Vec<String>>,
    /// (method, path) → requirement
    endpoints: Vec<(Method, String, Needs)>,
}

fn cells(line: &str) -> Vec<String> {
    line.trim().trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect()
}

fn backticked(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

fn documented_table() -> Table {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/tenant-permissions.md")).unwrap();
    let mut roles = HashMap::new();
    let mut endpoints = Vec::new();
    let order = ["owner", "admin", "staff", "viewer"];
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let c = cells(line);
        if c.len() == 6 {
            let perm = backticked(&c[0]).remove(0);
            let have = order.iter().zip(&c[1..5]).filter(|(_, m)| *m == "✓").map(|(r, _)| (*r).to_owned()).collect();
            roles.insert(perm, have);
        } else if c.len() == 2 {
            let needs = if c[1].starts_with("nothing") {
                Needs::Nothing
            } else if c[1].starts_with("any valid") {
                Needs::AnyCredential
            } else if c[1].starts_with("a signed-in user") {
                Needs::UserSession
            } else {
                Needs::Permission(backticked(&c[1]).remove(0))
            };
            for endpoint in backticked(&c[0]) {
                let (method, path) = endpoint.split_once(' ').unwrap();
                endpoints.push((method.parse().unwrap(), path.to_owned(), needs.clone()));
            }
        }
    }
    Table { roles, endpoints }
}

/// A request that reaches the handler's logic without changing anything that matters.
fn request_for(method: &Method, path: &str, n: usize) -> (String, Option<Value>) {
    let id = uuid::Uuid::now_v7();
    let key = if path.starts_with("/v1/connectors") { "push" } else { "crm" };
    let path = path.replace("{id}", &id.to_string()).replace("{key}", key);
    let body = match (method.as_str(), path.as_str()) {
        ("POST", "/v1/auth/login") => Some(json!({ "email": "nobody@x.io", "password": "wrong password!" })),
        ("POST", "/v1/auth/refresh" | "/v1/auth/logout") => Some(json!({ "refreshToken": "not-a-token" })),
        ("POST", "/v1/auth/register") => {
            Some(json!({ "email": format!("m{n}@x.io"), "password": "long enough password" }))
        }
        ("POST", "/v1/auth/accept-invitation") => Some(json!({ "token": "nope", "password": "long enough password" })),
        ("PATCH", "/v1/tenant") => Some(json!({})),
        ("POST", "/v1/invitations") => Some(json!({ "email": format!("inv{n}@x.io"), "role": "viewer" })),
        ("PATCH", p) if p.starts_with("/v1/users/") => Some(json!({ "name": "matrix" })),
        ("POST", "/v1/api-keys") => Some(json!({ "name": "matrix", "scopes": ["notes.read"] })),
        ("POST", "/v1/notes") => Some(json!({ "title": "matrix" })),
        ("POST", "/v1/crm/contacts") => Some(json!({ "name": "matrix" })),
        ("PATCH", p) if p.starts_with("/v1/crm/contacts/") => Some(json!({ "name": "matrix" })),
        ("PUT", p) if p.ends_with("/config") => Some(json!({})),
        ("PUT", "/v1/connectors/push") => {
            Some(json!({ "config": { "projectId": "matrix" }, "secrets": { "accessToken": "matrix" } }))
        }
        ("POST", "/v1/support/tickets") => Some(json!({ "subject": "matrix" })),
        // A wrong current password: a field error for users, never a change.
        ("POST", "/v1/me/password") => {
            Some(json!({ "currentPassword": "not the password", "newPassword": "long enough password" }))
        }
        ("POST", "/v1/files-signed") => Some(json!({ "key": "matrix.txt", "method": "GET" })),
        ("POST", "/v1/webhooks") => Some(json!({ "url": "https://hooks.invalid/hook", "events": ["*"] })),
        ("PATCH", p) if p.starts_with("/v1/webhooks/") => Some(json!({ "description": "matrix" })),
        ("PATCH", p) if p.starts_with("/v1/support/tickets/") => Some(json!({ "priority": "high" })),
        _ => None,
    };
    (path, body)
}

fn code(res: &Response) -> Option<&str> {
    res.body["error"]["code"].as_str()
}

#[tokio::test]
async fn every_endpoint_answers_every_role_as_the_permission_table_says() {
    let table = documented_table();
    assert!(table.roles.len() >= 7 && table.endpoints.len() >= 20, "the doc's tables were not found");

    // Every operation in the OpenAPI document is in the table.
    let spec = serde_json::to_value(tenant_plane::ApiDoc::openapi()).unwrap();
    let mut documented: BTreeSet<(String, String)> =
        table.endpoints.iter().map(|(m, p, _)| (m.as_str().to_owned(), p.clone())).collect();
    documented.insert(("GET".into(), "/openapi.json".into()));
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let key = (method.to_uppercase(), path.clone());
            assert!(documented.contains(&key), "{key:?} is not in docs/tenant-permissions.md");
        }
    }

    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("matrix").await;
    // Modules on, so their endpoints answer for real.
    for module in ["crm", "support"] {
        let on = app.tp(Method::POST, &slug, &format!("/v1/modules/{module}/enable"), None).await;
        assert_eq!(on.status, StatusCode::OK, "{:?}", on.body);
    }
    let mut callers: Vec<(String, Option<String>)> = vec![("anonymous".into(), None)];
    callers.push(("owner".into(), app.owner_token(&slug).await));
    for role in ["admin", "staff", "viewer"] {
        let (_, token) = app.add_user(&slug, &format!("{role}@matrix.test"), role).await;
        callers.push((role.into(), Some(token)));
    }
    let key =
        app.tp(Method::POST, &slug, "/v1/api-keys", Some(json!({ "name": "reader", "scopes": ["notes.read"] }))).await;
    let key = key.body["secret"].as_str().unwrap().to_owned();
    test_support::record_secret(&key);
    callers.push(("key:notes.read".into(), Some(key)));

    let mut n = 0;
    for (method, path, needs) in &table.endpoints {
        let mut outcomes = Vec::new();
        for (who, token) in &callers {
            n += 1;
            let (url, body) = request_for(method, path, n);
            let res = app.tp_as(token.as_deref(), method.clone(), &slug, &url, body).await;
            let where_ = format!("{who} {method} {path}: {} {:?}", res.status, res.body);
            // A HEAD answer has no body: its status stands for the code.
            let code = |res: &Response| -> Option<String> {
                match (*method == Method::HEAD, res.status) {
                    (true, StatusCode::UNAUTHORIZED) => Some("UNAUTHENTICATED".into()),
                    (true, StatusCode::FORBIDDEN) => Some("FORBIDDEN".into()),
                    _ => code(res).map(str::to_owned),
                }
            };
            assert!(!res.status.is_server_error(), "{where_}");
            let allowed = match needs {
                Needs::Nothing => None,
                Needs::AnyCredential => Some(token.is_some()),
                Needs::UserSession => Some(token.is_some() && !who.starts_with("key:")),
                Needs::Permission(p) => Some(match (who.as_str(), token) {
                    (_, None) => false,
                    (key, Some(_)) if key.starts_with("key:") => key == format!("key:{p}"),
                    (role, Some(_)) => table.roles[p].iter().any(|r| r == role),
                }),
            };
            match (allowed, token) {
                // Public: no refusal for lack of a permission, whoever calls.
                (None, _) => {
                    assert_ne!(code(&res).as_deref(), Some("FORBIDDEN"), "{where_}");
                    outcomes.push(res.status);
                }
                (Some(true), _) => {
                    assert!(!matches!(code(&res).as_deref(), Some("UNAUTHENTICATED" | "FORBIDDEN")), "{where_}");
                }
                (Some(false), None) => {
                    assert_eq!(
                        (res.status, code(&res).as_deref()),
                        (StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED")),
                        "{where_}"
                    );
                }
                (Some(false), Some(_)) => {
                    assert_eq!(
                        (res.status, code(&res).as_deref()),
                        (StatusCode::FORBIDDEN, Some("FORBIDDEN")),
                        "{where_}"
                    );
                }
            }
        }
        if *needs == Needs::Nothing && !path.ends_with("/register") {
            // The answer does not depend on who asks.
            assert!(outcomes.windows(2).all(|w| w[0] == w[1]), "{method} {path}: {outcomes:?}");
        }
    }
    app.cleanup().await;
}
