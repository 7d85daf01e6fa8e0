//! Webhooks end to end against a real receiver: signatures, retries and backoff, the delivery
//! log, test events, auto-disable, the SSRF guard, secrets shown once, isolation.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tenant_plane::webhooks::signature::{VerifyError, verify};

use crate::{
    helpers::{Options, TestApp, assert_error},
    receiver::Receiver,
};

async fn create_webhook(app: &TestApp, slug: &str, url: &str, events: Value) -> (String, String) {
    let res = app.tp(Method::POST, slug, "/v1/webhooks", Some(json!({ "url": url, "events": events }))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let secret = res.body["secret"].as_str().unwrap().to_owned();
    test_support::record_secret(&secret);
    (res.body["id"].as_str().unwrap().to_owned(), secret)
}

#[tokio::test]
async fn deliveries_are_signed_retried_after_500s_and_stop_on_success() {
    let app = TestApp::spawn().await;
    let (_, a) = app.create_tenant("hook-a").await;
    let (_, b) = app.create_tenant("hook-b").await;
    let receiver = Receiver::start().await;
    let other = Receiver::start().await;
    for slug in [&a, &b] {
        app.tp(Method::POST, slug, "/v1/modules/crm/enable", None).await;
    }
    let (hook, secret) =
        create_webhook(&app, &a, &format!("{}/hooks", receiver.url), json!(["crm.contact.created"])).await;
    create_webhook(&app, &b, &format!("{}/hooks", other.url), json!(["*"])).await;
    // The secret is never shown again.
    for path in ["/v1/webhooks".to_owned(), format!("/v1/webhooks/{hook}")] {
        let res = app.tp(Method::GET, &a, &path, None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(!res.body.to_string().contains(&secret));
    }

    receiver.respond_with(&[500, 500]);
    let contact = app.tp(Method::POST, &a, "/v1/crm/contacts", Some(json!({ "name": "Ada" }))).await;
    assert_eq!(contact.status, StatusCode::CREATED);
    let hits = receiver.wait_for(3, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.hits().len(), 3, "no more attempts after the success");

    // Every attempt carries the same event, signed over its timestamp and body.
    let now = chrono::Utc::now().timestamp();
    assert!(hits.iter().all(|h| h.path == "/hooks"));
    let first: Value = serde_json::from_slice(&hits[0].body).unwrap();
    assert_eq!(first["type"], "crm.contact.created");
    assert_eq!(first["data"]["name"], "Ada");
    for hit in &hits {
        let header = &hit.headers["tenantry-signature"];
        assert_eq!(verify(&secret, header, &hit.body, now, 300), Ok(()));
        assert_eq!(hit.headers["tenantry-event-id"], first["id"].as_str().unwrap());
        // A replay later than the tolerance is detectable.
        assert_eq!(verify(&secret, header, &hit.body, now + 301, 300), Err(VerifyError::Stale));
        assert_eq!(verify("whsec_wrong", header, &hit.body, now, 300), Err(VerifyError::Mismatch));
    }

    // The delivery log: three attempts, newest first, the event delivered.
    let log = app.tp(Method::GET, &a, &format!("/v1/webhooks/{hook}/deliveries"), None).await;
    let attempts: Vec<(i64, Option<i64>)> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["attempt"].as_i64().unwrap(), d["statusCode"].as_i64()))
        .collect();
    assert_eq!(attempts, vec![(3, Some(200)), (2, Some(500)), (1, Some(500))]);
    assert_eq!(log.body["items"][0]["eventStatus"], "delivered");

    // Events it did not subscribe to are not sent; B's endpoint saw nothing of A.
    app.tp(Method::POST, &a, "/v1/modules/support/enable", None).await;
    app.tp(Method::POST, &a, "/v1/support/tickets", Some(json!({ "subject": "not subscribed" }))).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.hits().len(), 3);
    assert!(other.hits().is_empty(), "B's endpoint received A's events");
    receiver.stop().await;
    other.stop().await;
    app.cleanup().await;
}

#[tokio::test]
async fn a_test_event_reports_at_once_and_a_failing_endpoint_is_switched_off() {
    let app = TestApp::spawn_with(Options {
        webhooks: tenant_plane::WebhookSettings {
            outbound_allow_loopback: true,
            outbound_allow_cidrs: Vec::new(),
            webhook_retry_scale: 0.00001,
            webhook_timeout_secs: 5,
            webhook_sweep_secs: 60,
        },
        ..Options::default()
    })
    .await;
    let (_, slug) = app.create_tenant("hook-fail").await;
    let receiver = Receiver::start().await;
    let (hook, secret) = create_webhook(&app, &slug, &receiver.url, json!(["*"])).await;

    let ok = app.tp(Method::POST, &slug, &format!("/v1/webhooks/{hook}/test"), None).await;
    assert_eq!(
        (ok.body["delivered"].as_bool(), ok.body["statusCode"].as_i64()),
        (Some(true), Some(200)),
        "{:?}",
        ok.body
    );
    let hit = &receiver.hits()[0];
    assert_eq!(serde_json::from_slice::<Value>(&hit.body).unwrap()["type"], "webhook.test");
    assert_eq!(
        verify(&secret, &hit.headers["tenantry-signature"], &hit.body, chrono::Utc::now().timestamp(), 300),
        Ok(())
    );

    receiver.always(503);
    let failed = app.tp(Method::POST, &slug, &format!("/v1/webhooks/{hook}/test"), None).await;
    assert_eq!((failed.body["delivered"].as_bool(), failed.body["statusCode"].as_i64()), (Some(false), Some(503)));

    // Three events, eight attempts each on the (scaled) schedule: the endpoint goes off.
    app.tp(Method::POST, &slug, "/v1/modules/crm/enable", None).await;
    for name in ["one", "two", "three"] {
        app.tp(Method::POST, &slug, "/v1/crm/contacts", Some(json!({ "name": name }))).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let endpoint = loop {
        let endpoint = app.tp(Method::GET, &slug, &format!("/v1/webhooks/{hook}"), None).await.body;
        if endpoint["enabled"] == false {
            break endpoint;
        }
        assert!(tokio::time::Instant::now() < deadline, "never disabled: {endpoint:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(endpoint["disabledReason"].as_str().unwrap().contains("failed attempts"));
    assert!(endpoint["failureStreak"].as_i64().unwrap() >= 20);
    let audit = app.tp(Method::GET, &slug, "/v1/audit-logs?action=webhook.auto_disabled", None).await;
    assert_eq!(audit.body["items"][0]["actorType"], "system");
    // Switched back on by an admin, its streak starts over.
    let on = app.tp(Method::PATCH, &slug, &format!("/v1/webhooks/{hook}"), Some(json!({ "enabled": true }))).await;
    assert_eq!((on.body["enabled"].as_bool(), on.body["failureStreak"].as_i64()), (Some(true), Some(0)));
    assert!(on.body["disabledReason"].is_null());
    receiver.stop().await;
    app.cleanup().await;
}

#[tokio::test]
async fn internal_targets_are_refused_and_never_connected_to() {
    let app = TestApp::spawn_with(Options {
        webhooks: tenant_plane::WebhookSettings { outbound_allow_loopback: false, ..Options::default().webhooks },
        ..Options::default()
    })
    .await;
    let (_, slug) = app.create_tenant("ssrf").await;
    for url in [
        "https://10.0.0.1/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fc00::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "http://example.com/hook",
        "ftp://example.com/hook",
    ] {
        let res = app.tp(Method::POST, &slug, "/v1/webhooks", Some(json!({ "url": url, "events": ["*"] }))).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(res.body["error"]["details"]["field"], "url", "{url}");
    }
    // A name that resolves to loopback passes the URL check but is refused at connect time:
    // the listener behind it never sees a connection.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let (hook, _) = create_webhook(&app, &slug, &format!("https://localhost:{port}/hook"), json!(["*"])).await;
    let res = app.tp(Method::POST, &slug, &format!("/v1/webhooks/{hook}/test"), None).await;
    assert_eq!(res.body["delivered"], false, "{:?}", res.body);
    assert!(res.body["error"].as_str().unwrap().contains("internal address"), "{:?}", res.body);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 0, "a connection was made");
    app.cleanup().await;
}

#[tokio::test]
async fn a_redirect_to_an_internal_address_is_not_followed() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("redirect").await;
    let receiver = Receiver::start().await;
    receiver.redirect_to("http://169.254.169.254/latest/meta-data/");
    let (hook, _) = create_webhook(&app, &slug, &format!("{}/redirect", receiver.url), json!(["*"])).await;
    let res = app.tp(Method::POST, &slug, &format!("/v1/webhooks/{hook}/test"), None).await;
    assert_eq!(res.body["delivered"], false, "{:?}", res.body);
    assert!(res.body["error"].as_str().unwrap().contains("redirect"), "{:?}", res.body);
    assert_eq!(receiver.hits().len(), 1, "only the redirecting endpoint was reached");
    // Rotating the secret shows a new one once; deliveries use it.
    let rotated = app.tp(Method::POST, &slug, &format!("/v1/webhooks/{hook}/rotate-secret"), None).await;
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    test_support::record_secret(&new_secret);
    app.tp(
        Method::PATCH,
        &slug,
        &format!("/v1/webhooks/{hook}"),
        Some(json!({ "url": format!("{}/plain", receiver.url) })),
    )
    .await;
    app.tp(Method::POST, &slug, &format!("/v1/webhooks/{hook}/test"), None).await;
    let hit = receiver.hits().pop().unwrap();
    assert_eq!(
        verify(&new_secret, &hit.headers["tenantry-signature"], &hit.body, chrono::Utc::now().timestamp(), 300),
        Ok(())
    );
    receiver.stop().await;
    app.cleanup().await;
}

#[tokio::test]
async fn a_slow_endpoint_of_one_tenant_does_not_hold_up_another_tenants_deliveries() {
    let app = TestApp::spawn().await;
    let (_, slow_slug) = app.create_tenant("hook-slow").await;
    let (_, fast_slug) = app.create_tenant("hook-fast").await;
    let tarpit = Receiver::start().await;
    tarpit.slow(Duration::from_secs(4));
    let fast = Receiver::start().await;
    for slug in [&slow_slug, &fast_slug] {
        app.tp(Method::POST, slug, "/v1/modules/crm/enable", None).await;
    }
    create_webhook(&app, &slow_slug, &tarpit.url, json!(["*"])).await;
    create_webhook(&app, &fast_slug, &fast.url, json!(["*"])).await;
    for i in 0..3 {
        app.tp(Method::POST, &slow_slug, "/v1/crm/contacts", Some(json!({ "name": format!("slow {i}") }))).await;
    }
    tarpit.wait_for(1, Duration::from_secs(10)).await;
    // The tarpit is now holding the slow tenant's delivery; the other tenant's event goes out.
    let started = std::time::Instant::now();
    app.tp(Method::POST, &fast_slug, "/v1/crm/contacts", Some(json!({ "name": "fast" }))).await;
    fast.wait_for(1, Duration::from_secs(3)).await;
    assert!(started.elapsed() < Duration::from_secs(3), "waited {:?} behind another tenant", started.elapsed());
    tarpit.stop().await;
    fast.stop().await;
    app.cleanup().await;
}

#[tokio::test]
async fn an_operator_approved_network_is_reachable_and_nothing_else_is() {
    // Loopback stands in for an on-prem network the operator approved.
    let app = TestApp::spawn_with(Options {
        webhooks: tenant_plane::WebhookSettings {
            outbound_allow_loopback: false,
            outbound_allow_cidrs: vec!["127.0.0.0/8".parse().unwrap(), "169.254.0.0/16".parse().unwrap()],
            ..Options::default().webhooks
        },
        ..Options::default()
    })
    .await;
    let (_, slug) = app.create_tenant("onprem").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    let (hook, _) = create_webhook(&app, &slug, &format!("https://localhost:{port}/hook"), json!(["*"])).await;
    let res = app.tp(Method::POST, &slug, &format!("/v1/webhooks/{hook}/test"), None).await;
    assert_eq!(res.body["delivered"], false, "no TLS server there: {:?}", res.body);
    assert!(accepted.load(std::sync::atomic::Ordering::SeqCst) >= 1, "the approved network was not reached");
    // The metadata range stays closed even when configured, and other private ranges too.
    for url in ["https://169.254.169.254/latest/meta-data", "https://10.0.0.1/hook", "http://localhost/hook"] {
        let res = app.tp(Method::POST, &slug, "/v1/webhooks", Some(json!({ "url": url, "events": ["*"] }))).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    }
    app.cleanup().await;
}
