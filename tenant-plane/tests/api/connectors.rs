//! The connectors hub against real servers (SMTP: aiosmtpd, S3: s3s-fs) and HTTP-level
//! stand-ins for Stripe and FCM: settings validated, secrets write-only and never logged.

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tenant_plane::ConnectorSettings;

use crate::helpers::{Options, TestApp, assert_error};

/// Stripe's `GET /v1/balance` and FCM's `messages:send`, accepting one bearer token each.
struct ThirdParties {
    url: String,
    fcm_bodies: Arc<Mutex<Vec<Value>>>,
    handle: actix_web::dev::ServerHandle,
}

const STRIPE_KEY: &str = "sk_test_51goodkey";
const FCM_TOKEN: &str = "ya29.fcm-token";

async fn stripe_balance(req: HttpRequest) -> HttpResponse {
    if req.headers().get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {STRIPE_KEY}")) {
        HttpResponse::Ok().json(json!({ "object": "balance", "livemode": false, "available": [] }))
    } else {
        HttpResponse::Unauthorized()
            .json(json!({ "error": { "message": "Invalid API Key provided", "type": "invalid_request_error" } }))
    }
}

async fn fcm_send(req: HttpRequest, body: web::Json<Value>, bodies: web::Data<Arc<Mutex<Vec<Value>>>>) -> HttpResponse {
    bodies.lock().unwrap().push(body.into_inner());
    if req.headers().get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {FCM_TOKEN}")) {
        HttpResponse::Ok().json(json!({ "name": "projects/acme-app/messages/fake" }))
    } else {
        HttpResponse::Unauthorized()
            .json(json!({ "error": { "message": "Request had invalid authentication credentials." } }))
    }
}

impl ThirdParties {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let fcm_bodies = Arc::new(Mutex::new(Vec::new()));
        let bodies = fcm_bodies.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(bodies.clone()))
                .route("/v1/balance", web::get().to(stripe_balance))
                .route("/v1/projects/{project}/messages:send", web::post().to(fcm_send))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self { url, fcm_bodies, handle }
    }
}

async fn spawn_with_third_parties() -> (TestApp, ThirdParties) {
    let third = ThirdParties::start().await;
    let app = TestApp::spawn_with(Options {
        connectors: ConnectorSettings { stripe_api_base: third.url.clone(), push_api_base: third.url.clone() },
        ..Options::default()
    })
    .await;
    (app, third)
}

fn test_ok(res: &crate::helpers::Response) -> (bool, String) {
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    (res.body["ok"].as_bool().unwrap(), res.body["message"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_email_connector_sends_through_a_real_smtp_server_and_never_shows_its_password() {
    let (app, third) = spawn_with_third_parties().await;
    let (_, slug) = app.create_tenant("conn-mail").await;
    let password = format!("smtp-{}", secrets::random_token(12));
    test_support::record_secret(&password);
    let smtp = test_support::SmtpServer::start("mailer", &password);

    let list = app.tp(Method::GET, &slug, "/v1/connectors", None).await;
    let keys: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["stripe", "email", "storage", "push"]);
    assert!(list.body["items"].as_array().unwrap().iter().all(|c| c["connected"] == false));

    let config = json!({ "host": "127.0.0.1", "port": smtp.port, "security": "none", "fromAddress": "noreply@acme.test", "fromName": "Acme", "username": "mailer" });
    let put = app
        .tp(
            Method::PUT,
            &slug,
            "/v1/connectors/email",
            Some(json!({ "config": config, "secrets": { "password": password } })),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    assert_eq!(put.body["secrets"]["password"], json!({ "set": true }));
    for res in [
        &put,
        &app.tp(Method::GET, &slug, "/v1/connectors/email", None).await,
        &app.tp(Method::GET, &slug, "/v1/connectors", None).await,
    ] {
        assert!(!res.body.to_string().contains(&password), "the password came back");
    }

    let sent = app.tp(Method::POST, &slug, "/v1/connectors/email/test", Some(json!({ "to": "ops@acme.test" }))).await;
    let (ok, message) = test_ok(&sent);
    assert!(ok, "{message}");
    let mail = smtp.messages();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains("X-Envelope-To: ops@acme.test") && mail[0].contains("Subject: Tenantry connector test"));
    assert!(mail[0].contains("Acme <noreply@acme.test>"));

    // With e-mail connected, invitations are sent, not shown to the inviter.
    let invited = app
        .tp(Method::POST, &slug, "/v1/invitations", Some(json!({ "email": "new@acme.test", "role": "staff" })))
        .await;
    assert_eq!(
        (invited.status, invited.body["delivery"].as_str()),
        (StatusCode::CREATED, Some("email")),
        "{:?}",
        invited.body
    );
    assert!(invited.body.get("token").is_none());
    let mail = smtp.messages();
    assert_eq!(mail.len(), 2);
    assert!(mail[1].contains("X-Envelope-To: new@acme.test"));
    let body = mail[1].replace("=\r\n", "").replace("\r\n", "\n");
    let token =
        body.lines().map(str::trim).find(|l| l.len() == 43 && !l.contains(' ')).expect("token in the mail").to_owned();
    test_support::record_secret(&token);
    let joined = app
        .tp_anon(
            Method::POST,
            &slug,
            "/v1/auth/accept-invitation",
            Some(json!({ "token": token, "password": crate::helpers::PASSWORD })),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
    test_support::record_secret(joined.body["accessToken"].as_str().unwrap());
    test_support::record_secret(joined.body["refreshToken"].as_str().unwrap());

    // Owner invitations are never e-mailed (admins control where mail goes).
    let owner_invite = app
        .tp(Method::POST, &slug, "/v1/invitations", Some(json!({ "email": "boss@acme.test", "role": "owner" })))
        .await;
    assert_eq!(owner_invite.body["delivery"], "returned");
    test_support::record_secret(owner_invite.body["token"].as_str().unwrap());
    assert_eq!(smtp.messages().len(), 2);

    // A settings change without `secrets` keeps the stored password; a wrong one fails the test.
    let kept = app.tp(Method::PUT, &slug, "/v1/connectors/email", Some(json!({ "config": config }))).await;
    assert_eq!(kept.body["secrets"]["password"]["set"], true);
    assert!(test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/email/test", None).await).0);
    app.tp(
        Method::PUT,
        &slug,
        "/v1/connectors/email",
        Some(json!({ "config": config, "secrets": { "password": "not-the-password" } })),
    )
    .await;
    let (ok, message) = test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/email/test", None).await);
    assert!(!ok, "{message}");
    let shown = app.tp(Method::GET, &slug, "/v1/connectors/email", None).await;
    assert_eq!(shown.body["lastTest"]["ok"], false);
    assert_eq!(smtp.messages().len(), 3);
    // Sending fails now: the invitation falls back to returning the token, saying why.
    let fallback = app
        .tp(Method::POST, &slug, "/v1/invitations", Some(json!({ "email": "later@acme.test", "role": "viewer" })))
        .await;
    assert_eq!(fallback.body["delivery"], "returned");
    assert!(fallback.body["token"].is_string() && fallback.body["deliveryError"].is_string(), "{:?}", fallback.body);
    test_support::record_secret(fallback.body["token"].as_str().unwrap());

    // The audit log names the secret that changed, never its value.
    let audit = app.tp(Method::GET, &slug, "/v1/audit-logs?action=connector.updated", None).await;
    assert_eq!(audit.body["items"][0]["metadata"]["secretsChanged"], json!(["password"]));
    assert!(!audit.body.to_string().contains(&password));
    third.handle.stop(false).await;
    app.cleanup().await;
}

#[tokio::test]
async fn stripe_and_push_are_tested_at_the_http_level() {
    let (app, third) = spawn_with_third_parties().await;
    let (_, slug) = app.create_tenant("conn-pay").await;
    test_support::record_secret(STRIPE_KEY);
    test_support::record_secret(FCM_TOKEN);

    // A live-mode connector refuses a test key; a key must look like one.
    let live = app
        .tp(
            Method::PUT,
            &slug,
            "/v1/connectors/stripe",
            Some(json!({ "config": { "mode": "live" }, "secrets": { "secretKey": STRIPE_KEY } })),
        )
        .await;
    assert_error(&live, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(live.body["error"]["details"]["field"], "secrets.secretKey");
    let not_a_key = app
        .tp(
            Method::PUT,
            &slug,
            "/v1/connectors/stripe",
            Some(json!({ "config": {}, "secrets": { "secretKey": "pk_test_123" } })),
        )
        .await;
    assert_error(&not_a_key, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");

    let put = app
        .tp(
            Method::PUT,
            &slug,
            "/v1/connectors/stripe",
            Some(json!({ "config": { "accountName": "Acme" }, "secrets": { "secretKey": STRIPE_KEY } })),
        )
        .await;
    assert_eq!(put.body["config"], json!({ "mode": "test", "accountName": "Acme" }));
    let (ok, message) = test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/stripe/test", None).await);
    assert!(ok, "{message}");
    app.tp(
        Method::PUT,
        &slug,
        "/v1/connectors/stripe",
        Some(json!({ "config": {}, "secrets": { "secretKey": "sk_test_revoked" } })),
    )
    .await;
    let (ok, message) = test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/stripe/test", None).await);
    assert!(!ok && message.contains("Invalid API Key"), "{message}");

    let push = app
        .tp(
            Method::PUT,
            &slug,
            "/v1/connectors/push",
            Some(json!({ "config": { "projectId": "acme-app" }, "secrets": { "accessToken": FCM_TOKEN } })),
        )
        .await;
    assert_eq!(push.status, StatusCode::OK, "{:?}", push.body);
    let (ok, message) = test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/push/test", None).await);
    assert!(ok, "{message}");
    assert_eq!(third.fcm_bodies.lock().unwrap()[0]["validate_only"], true, "the test never sends a real notification");

    // Disconnecting deletes settings and secrets; testing then asks to connect first.
    assert_eq!(app.tp(Method::DELETE, &slug, "/v1/connectors/push", None).await.status, StatusCode::NO_CONTENT);
    assert_error(
        &app.tp(Method::POST, &slug, "/v1/connectors/push/test", None).await,
        StatusCode::CONFLICT,
        "INVALID_STATE",
    );
    third.handle.stop(false).await;
    app.cleanup().await;
}

#[tokio::test]
async fn the_storage_connector_reaches_a_real_s3_server_with_sigv4() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("conn-s3").await;
    let s3 = test_support::S3Server::start();
    s3.create_bucket("acme-files");
    let config = json!({ "endpoint": s3.url, "bucket": "acme-files", "pathStyle": true });
    let secrets = json!({ "accessKeyId": s3.access_key, "secretAccessKey": s3.secret_key });
    let put = app
        .tp(Method::PUT, &slug, "/v1/connectors/storage", Some(json!({ "config": config, "secrets": secrets })))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    assert!(!put.body.to_string().contains(&s3.secret_key));
    let (ok, message) = test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/storage/test", None).await);
    assert!(ok, "{message}");

    let wrong = json!({ "accessKeyId": s3.access_key, "secretAccessKey": "wrong-secret-key" });
    app.tp(Method::PUT, &slug, "/v1/connectors/storage", Some(json!({ "config": config, "secrets": wrong }))).await;
    let (ok, message) = test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/storage/test", None).await);
    assert!(!ok && message.contains("403"), "{message}");

    let missing = json!({ "endpoint": s3.url, "bucket": "no-such-bucket" });
    app.tp(Method::PUT, &slug, "/v1/connectors/storage", Some(json!({ "config": missing, "secrets": secrets }))).await;
    let (ok, message) = test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/storage/test", None).await);
    assert!(!ok && message.contains("NoSuchBucket"), "{message}");
    app.cleanup().await;
}

#[tokio::test]
async fn connector_input_is_validated_and_internal_endpoints_are_refused() {
    let app = TestApp::spawn_with(Options {
        webhooks: tenant_plane::WebhookSettings { outbound_allow_loopback: false, ..Options::default().webhooks },
        ..Options::default()
    })
    .await;
    let (_, slug) = app.create_tenant("conn-bad").await;
    for (key, body, field) in [
        (
            "email",
            json!({ "config": { "host": "smtp.acme.test", "fromAddress": "a@acme.test", "colour": "red" } }),
            "config.colour",
        ),
        ("email", json!({ "config": { "fromAddress": "a@acme.test" } }), "config.host"),
        (
            "email",
            json!({ "config": { "host": "smtp.acme.test", "fromAddress": "not-an-email" } }),
            "config.fromAddress",
        ),
        (
            "email",
            json!({ "config": { "host": "smtp.acme.test", "port": 70000, "fromAddress": "a@acme.test" } }),
            "config.port",
        ),
        ("email", json!({ "config": { "host": "bad host!", "fromAddress": "a@acme.test" } }), "config.host"),
        (
            "email",
            json!({ "config": { "host": "smtp.acme.test", "fromAddress": "a@acme.test", "username": "u" } }),
            "secrets.password",
        ),
        ("stripe", json!({ "config": {} }), "secrets.secretKey"),
        ("stripe", json!({ "config": {}, "secrets": { "secretKey": "sk_test_x", "extra": "y" } }), "secrets.extra"),
        (
            "storage",
            json!({ "config": { "endpoint": "https://169.254.169.254/", "bucket": "b" }, "secrets": { "accessKeyId": "a", "secretAccessKey": "b" } }),
            "config.endpoint",
        ),
        (
            "storage",
            json!({ "config": { "endpoint": "http://s3.acme.test", "bucket": "b" }, "secrets": { "accessKeyId": "a", "secretAccessKey": "b" } }),
            "config.endpoint",
        ),
        ("push", json!({ "config": { "projectId": "" }, "secrets": { "accessToken": "t" } }), "config.projectId"),
    ] {
        let res = app.tp(Method::PUT, &slug, &format!("/v1/connectors/{key}"), Some(body.clone())).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(res.body["error"]["details"]["field"], field, "{key} {body}");
    }
    assert_error(&app.tp(Method::GET, &slug, "/v1/connectors/fax", None).await, StatusCode::NOT_FOUND, "NOT_FOUND");
    // An SMTP host resolving to loopback is refused at connect time when loopback is not allowed.
    let put = app
        .tp(Method::PUT, &slug, "/v1/connectors/email", Some(json!({ "config": { "host": "localhost", "port": 2525, "security": "starttls", "fromAddress": "a@acme.test" } })))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    let (ok, message) = test_ok(&app.tp(Method::POST, &slug, "/v1/connectors/email/test", None).await);
    assert!(!ok && message.contains("internal address"), "{message}");
    let bad_option = app.tp(Method::POST, &slug, "/v1/connectors/email/test", Some(json!({ "to": "nope" }))).await;
    assert_error(&bad_option, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let _: Value = bad_option.body;
    app.cleanup().await;
}
