//! Bad input on every write endpoint of the tenant API: malformed JSON, unknown fields, wrong
//! types, missing fields, oversize strings and invalid e-mails get the documented error body,
//! never a 500, and change nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{BASE_DOMAIN, PASSWORD, TestApp, assert_error, into_response};

struct Endpoint {
    method: Method,
    path: String,
    valid: Value,
    /// Fields that must be present.
    required: &'static [&'static str],
    /// String fields with a length limit (oversize → 422).
    bounded: &'static [&'static str],
    /// E-mail fields.
    emails: &'static [&'static str],
}

fn endpoints(user: &str) -> Vec<Endpoint> {
    let e = |method: Method, path: &str, valid: Value, required, bounded, emails| Endpoint {
        method,
        path: path.to_owned(),
        valid,
        required,
        bounded,
        emails,
    };
    vec![
        e(
            Method::POST,
            "/v1/auth/register",
            json!({ "email": "r@x.io", "password": PASSWORD, "name": "R" }),
            &["email", "password"],
            &["password", "name", "email"],
            &["email"],
        ),
        e(
            Method::POST,
            "/v1/auth/accept-invitation",
            json!({ "token": "t", "password": PASSWORD }),
            &["token", "password"],
            &["password", "name"],
            &[],
        ),
        e(Method::PATCH, "/v1/tenant", json!({ "displayName": "Fine" }), &[], &["displayName"], &[]),
        e(
            Method::POST,
            "/v1/invitations",
            json!({ "email": "i@x.io", "role": "staff" }),
            &["email", "role"],
            &["email"],
            &["email"],
        ),
        e(Method::PATCH, &format!("/v1/users/{user}"), json!({ "name": "N" }), &[], &["name"], &[]),
        e(
            Method::POST,
            "/v1/api-keys",
            json!({ "name": "k", "scopes": ["notes.read"] }),
            &["name", "scopes"],
            &["name"],
            &[],
        ),
        e(Method::POST, "/v1/notes", json!({ "title": "t" }), &["title"], &["title", "body"], &[]),
        e(
            Method::POST,
            "/v1/crm/contacts",
            json!({ "name": "c", "email": "c@x.io" }),
            &["name"],
            &["name", "phone", "company", "notes"],
            &["email"],
        ),
        e(
            Method::PUT,
            "/v1/connectors/push",
            json!({ "config": { "projectId": "p" }, "secrets": { "accessToken": "t" } }),
            &["config"],
            &["config", "secrets"],
            &[],
        ),
        e(
            Method::POST,
            "/v1/webhooks",
            json!({ "url": "https://hooks.invalid/x", "events": ["*"], "description": "d" }),
            &["url", "events"],
            &["url", "description"],
            &[],
        ),
        e(
            Method::POST,
            "/v1/support/tickets",
            json!({ "subject": "s", "priority": "low" }),
            &["subject"],
            &["subject", "description"],
            &[],
        ),
        e(
            Method::POST,
            "/v1/auth/login",
            json!({ "email": "a@b.io", "password": "x" }),
            &["email", "password"],
            &[],
            &[],
        ),
        e(Method::POST, "/v1/auth/refresh", json!({ "refreshToken": "x" }), &["refreshToken"], &[], &[]),
        e(Method::POST, "/v1/auth/logout", json!({ "refreshToken": "x" }), &["refreshToken"], &[], &[]),
    ]
}

#[tokio::test]
async fn every_write_endpoint_refuses_bad_input_with_the_documented_error() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("badwrite").await;
    let (user, _) = app.add_user(&slug, "target@x.io", "staff").await;
    for module in ["crm", "support"] {
        let on = app.tp(Method::POST, &slug, &format!("/v1/modules/{module}/enable"), None).await;
        assert_eq!(on.status, StatusCode::OK);
    }
    let host = format!("{slug}.{BASE_DOMAIN}");
    let token = app.owner_token(&slug).await.unwrap();
    let db = test_support::admin_client(&format!("tenant_{}", id.replace('-', ""))).await.unwrap();
    let snapshot = || async {
        let row = db
            .query_one(
                "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM invitations), (SELECT count(*) FROM api_keys), \
                 (SELECT count(*) FROM notes) + (SELECT count(*) FROM crm_contacts) + (SELECT count(*) FROM support_tickets) + (SELECT count(*) FROM webhook_endpoints) + (SELECT count(*) FROM connectors), (SELECT display_name FROM tenant_profile), \
                 (SELECT string_agg(name, ',' ORDER BY id) FROM users)",
                &[],
            )
            .await
            .unwrap();
        (
            row.get::<_, i64>(0),
            row.get::<_, i64>(1),
            row.get::<_, i64>(2),
            row.get::<_, i64>(3),
            row.get::<_, String>(4),
            row.get::<_, String>(5),
        )
    };
    let before = snapshot().await;

    for ep in endpoints(&user) {
        let send = |body: String| {
            app.tp_request(ep.method.clone(), Some(&host), &ep.path)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let what = format!("{} {}", ep.method, ep.path);
        let check = |res: crate::helpers::Response, status: StatusCode, code: &str, case: &str| {
            assert!(!res.status.is_server_error(), "{what} {case}: {:?}", res.body);
            assert_eq!(
                (res.status, res.body["error"]["code"].as_str()),
                (status, Some(code)),
                "{what} {case}: {:?}",
                res.body
            );
            assert!(res.body["requestId"].is_string());
        };
        check(
            into_response(send("{,}".into()).await.unwrap()).await,
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            "malformed",
        );
        check(
            into_response(send("[]".into()).await.unwrap()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
            "array",
        );
        let mut extra = ep.valid.clone();
        extra["isAdmin"] = json!(true);
        check(
            into_response(send(extra.to_string()).await.unwrap()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
            "unknown field",
        );
        for field in ep.valid.as_object().unwrap().keys() {
            let mut wrong = ep.valid.clone();
            wrong[field] = json!({ "nested": [1] });
            check(
                into_response(send(wrong.to_string()).await.unwrap()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_FAILED",
                &format!("{field} wrong type"),
            );
        }
        for field in ep.required {
            let mut missing = ep.valid.clone();
            missing.as_object_mut().unwrap().remove(*field);
            check(
                into_response(send(missing.to_string()).await.unwrap()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_FAILED",
                &format!("{field} missing"),
            );
        }
        for field in ep.bounded {
            let mut long = ep.valid.clone();
            // Past every field's maximum, within the route's body limit (sign-in routes take 8 KiB).
            let size = if ep.path.starts_with("/v1/auth/") { 1_100 } else { 12_000 };
            long[*field] = json!(format!("{}@x.io", "a".repeat(size)));
            check(
                into_response(send(long.to_string()).await.unwrap()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_FAILED",
                &format!("{field} oversize"),
            );
        }
        for field in ep.emails {
            for bad in ["not-an-email", "a@b", "a b@c.io", "@x.io", "a@b@c.io", "nul\u{0}@x.io"] {
                let mut invalid = ep.valid.clone();
                invalid[*field] = json!(bad);
                check(
                    into_response(send(invalid.to_string()).await.unwrap()).await,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "VALIDATION_FAILED",
                    &format!("{field}={bad:?}"),
                );
            }
        }
        let huge = json!({ "x": "y".repeat(70 * 1024) }).to_string();
        check(
            into_response(send(huge).await.unwrap()).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "huge body",
        );
    }
    // Specific values each endpoint refuses.
    for (method, path, body, field) in [
        (Method::POST, "/v1/invitations", json!({ "email": "i@x.io", "role": "root" }), None),
        (Method::PATCH, "/v1/tenant", json!({ "branding": { "primaryColor": "red" } }), Some("branding.primaryColor")),
        (
            Method::PATCH,
            "/v1/tenant",
            json!({ "branding": { "logoUrl": "javascript:alert(1)" } }),
            Some("branding.logoUrl"),
        ),
        (
            Method::PATCH,
            "/v1/tenant",
            json!({ "branding": { "logoUrl": "http://insecure.example.com/x.png" } }),
            Some("branding.logoUrl"),
        ),
        (Method::PATCH, "/v1/tenant", json!({ "signupPolicy": "everyone" }), None),
        (Method::PATCH, "/v1/tenant", json!({ "displayName": "  " }), Some("displayName")),
        (Method::POST, "/v1/api-keys", json!({ "name": "bell\u{7}", "scopes": ["notes.read"] }), Some("name")),
        (Method::POST, "/v1/webhooks", json!({ "url": "https://hooks.invalid/x", "events": ["nope"] }), Some("events")),
        (Method::POST, "/v1/webhooks", json!({ "url": "https://hooks.invalid/x", "events": [] }), Some("events")),
        (Method::POST, "/v1/webhooks", json!({ "url": "not a url", "events": ["*"] }), Some("url")),
        (Method::POST, "/v1/auth/register", json!({ "email": "short@x.io", "password": "short" }), Some("password")),
    ] {
        let res = app.tp(method.clone(), &slug, path, Some(body.clone())).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        if let Some(field) = field {
            assert_eq!(res.body["error"]["details"]["field"], field, "{method} {path} {body}");
        }
    }
    // Bad ids and queries.
    assert_error(
        &app.tp(Method::PATCH, &slug, "/v1/users/not-a-uuid", Some(json!({}))).await,
        StatusCode::BAD_REQUEST,
        "INVALID_PATH",
    );
    assert_error(
        &app.tp(Method::GET, &slug, "/v1/users?role=god", None).await,
        StatusCode::BAD_REQUEST,
        "INVALID_QUERY",
    );
    assert_error(
        &app.tp(Method::GET, &slug, "/v1/users?limit=1000", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    assert_eq!(snapshot().await, before, "bad input changed nothing");
    app.cleanup().await;
}
