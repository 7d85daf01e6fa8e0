//! Files end to end: upload, list, download with ranges, replace, delete and usage; isolation
//! attacked from the other tenant's side (key tricks, credentials, signed URLs); the plan's
//! upload limit; tenant-hosted backends registered only after a live check; an S3 outage
//! absorbed by a NAS fallback and replicated back; a 200 MB file in bounded memory.

use bytes::Bytes;
use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{BASE_DOMAIN, TestApp, assert_error};

fn sample(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(29).wrapping_add(seed)).collect()
}

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A raw request at a tenant's host.
fn at(app: &TestApp, method: Method, slug: &str, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
    let req = app.tp_request(method, Some(&format!("{slug}.{BASE_DOMAIN}")), path);
    match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    }
}

async fn upload(app: &TestApp, slug: &str, token: &str, key: &str, data: Vec<u8>, ctype: &str) -> reqwest::Response {
    at(app, Method::PUT, slug, &format!("/v1/files/{key}"), Some(token))
        .header("content-type", ctype)
        .body(data)
        .send()
        .await
        .unwrap()
}

async fn download(
    app: &TestApp,
    slug: &str,
    token: Option<&str>,
    path: &str,
    range: Option<&str>,
) -> reqwest::Response {
    let mut req = at(app, Method::GET, slug, path, token);
    if let Some(r) = range {
        req = req.header("range", r);
    }
    req.send().await.unwrap()
}

/// Every file under `root`, read whole (the storage directory as an attacker with the disk sees it).
fn files_under(root: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[tokio::test]
async fn files_round_trip_with_ranges_replacement_usage_and_sealed_bytes_on_disk() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("files").await;
    let token = app.owner_token(&slug).await.unwrap();
    let report = sample(300_000, 7);
    let res = upload(&app, &slug, &token, "reports/2026/q3.pdf", report.clone(), "application/pdf").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(created["sha256"], sha(&report));
    assert_eq!(created["size"], 300_000);
    for key in ["reports/2026/q1.pdf", "reports/2026/q2.pdf", "images/logo.png"] {
        assert_eq!(upload(&app, &slug, &token, key, b"x".to_vec(), "image/png").await.status(), StatusCode::CREATED);
    }

    // Whole, ranges, suffix, open-ended, unsatisfiable.
    let whole = download(&app, &slug, Some(&token), "/v1/files/reports/2026/q3.pdf", None).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "application/pdf");
    assert_eq!(whole.headers()["etag"], format!("\"{}\"", sha(&report)).as_str());
    assert!(whole.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(whole.bytes().await.unwrap().to_vec(), report);
    for (range, expected) in [
        ("bytes=0-9", &report[..10]),
        ("bytes=-5", &report[report.len() - 5..]),
        ("bytes=299990-", &report[299_990..]),
        ("bytes=65530-65545", &report[65_530..65_546]),
    ] {
        let part = download(&app, &slug, Some(&token), "/v1/files/reports/2026/q3.pdf", Some(range)).await;
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert!(part.headers()["content-range"].to_str().unwrap().ends_with("/300000"));
        assert_eq!(part.bytes().await.unwrap().to_vec(), expected, "{range}");
    }
    let beyond = download(&app, &slug, Some(&token), "/v1/files/reports/2026/q3.pdf", Some("bytes=400000-")).await;
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()["content-range"], "bytes */300000");
    let head = at(&app, Method::HEAD, &slug, "/v1/files/reports/2026/q3.pdf", Some(&token)).send().await.unwrap();
    assert_eq!((head.status(), head.headers()["content-length"].to_str().unwrap()), (StatusCode::OK, "300000"));

    // Listing by prefix with a cursor.
    let page = app.tp(Method::GET, &slug, "/v1/files?prefix=reports/&limit=2", None).await;
    let keys: Vec<&str> = page.body["items"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["reports/2026/q1.pdf", "reports/2026/q2.pdf"]);
    let cursor = page.body["nextCursor"].as_str().unwrap();
    let rest = app.tp(Method::GET, &slug, &format!("/v1/files?prefix=reports/&cursor={cursor}"), None).await;
    assert_eq!(rest.body["items"][0]["key"], "reports/2026/q3.pdf");
    assert!(rest.body["nextCursor"].is_null());

    // The disk holds only sealed bytes (local platform storage is encrypted by default).
    let dir = app.storage_dir.as_ref().unwrap().path();
    let run = &report[1000..1064];
    assert!(!files_under(dir).iter().any(|f| f.windows(64).any(|w| w == run)), "plaintext found on disk");

    // Replace, then delete: usage follows, the replaced object is gone from disk.
    let status = app.tp(Method::GET, &slug, "/v1/storage", None).await;
    assert_eq!(status.body["usedBytes"], 300_003);
    assert_eq!((status.body["primary"].as_str(), status.body["encrypted"].as_bool()), (Some("platform"), Some(true)));
    let objects_before = files_under(dir).len();
    assert_eq!(
        upload(&app, &slug, &token, "reports/2026/q3.pdf", b"v2".to_vec(), "text/plain").await.status(),
        StatusCode::CREATED
    );
    assert_eq!(files_under(dir).len(), objects_before, "the old version's object was removed");
    assert_eq!(app.tp(Method::GET, &slug, "/v1/storage", None).await.body["usedBytes"], 5);
    let gone = app.tp(Method::DELETE, &slug, "/v1/files/reports/2026/q3.pdf", None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_error(
        &app.tp(Method::GET, &slug, "/v1/files/reports/2026/q3.pdf", None).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    assert_eq!(app.tp(Method::GET, &slug, "/v1/storage", None).await.body["usedBytes"], 3);
    let audit = app.tp(Method::GET, &slug, "/v1/audit-logs?action=file.", None).await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 6, "five uploads and one delete audited");
    app.cleanup().await;
}

#[tokio::test]
async fn another_tenant_reaches_no_file_by_key_tricks_credentials_or_signed_urls() {
    let app = TestApp::spawn().await;
    let (_, victim) = app.create_tenant("victim").await;
    let (_, attacker) = app.create_tenant("attacker").await;
    let victim_token = app.owner_token(&victim).await.unwrap();
    let attacker_token = app.owner_token(&attacker).await.unwrap();
    let secret = b"victim's payroll".to_vec();
    assert_eq!(
        upload(&app, &victim, &victim_token, "hr/payroll.csv", secret.clone(), "text/csv").await.status(),
        StatusCode::CREATED
    );

    // The same key at the attacker's tenant is simply not there.
    assert_eq!(
        download(&app, &attacker, Some(&attacker_token), "/v1/files/hr/payroll.csv", None).await.status(),
        StatusCode::NOT_FOUND
    );
    // Key tricks: refused as invalid, or naming nothing; never the victim's bytes.
    let long = "a/".repeat(600);
    for trick in [
        "../hr/payroll.csv",
        "%2e%2e/%2e%2e/tenants/hr/payroll.csv",
        "hr/../../payroll.csv",
        "/hr/payroll.csv",
        "hr%5cpayroll.csv",
        "hr%EF%BC%8Fpayroll.csv",
        long.as_str(),
    ] {
        let res = download(&app, &attacker, Some(&attacker_token), &format!("/v1/files/{trick}"), None).await;
        assert!(
            matches!(res.status(), StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY),
            "{trick}: {}",
            res.status()
        );
        assert_ne!(res.bytes().await.unwrap().to_vec(), secret, "{trick}");
        let put = upload(&app, &attacker, &attacker_token, trick, b"planted".to_vec(), "text/plain").await;
        // Refused, or (dot segments resolved by the client) a path naming no file route at all;
        // a literal name that survives parsing is stored in the attacker's own space.
        assert!(
            matches!(put.status(), StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND | StatusCode::CREATED),
            "{trick}: {}",
            put.status()
        );
    }
    let still = download(&app, &victim, Some(&victim_token), "/v1/files/hr/payroll.csv", None).await;
    assert_eq!(still.bytes().await.unwrap().to_vec(), secret, "the victim's file is untouched");
    // The victim's token at the attacker's host, and the attacker's at the victim's.
    assert_eq!(
        download(&app, &victim, Some(&attacker_token), "/v1/files/hr/payroll.csv", None).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Signed URLs: valid where issued; not at another tenant, not for another key, not expired.
    let signed = app
        .tp(
            Method::POST,
            &victim,
            "/v1/files-signed",
            Some(json!({ "key": "hr/payroll.csv", "method": "GET", "expiresIn": 60 })),
        )
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{:?}", signed.body);
    let url = url::Url::parse(signed.body["url"].as_str().unwrap()).unwrap();
    let path_and_query = format!("{}?{}", url.path(), url.query().unwrap());
    assert_eq!(download(&app, &victim, None, &path_and_query, None).await.bytes().await.unwrap().to_vec(), secret);
    let elsewhere = download(&app, &attacker, None, &path_and_query, None).await;
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED, "the victim's URL at the attacker's host");
    let other_key = path_and_query.replace("payroll.csv", "other.csv");
    assert_eq!(download(&app, &victim, None, &other_key, None).await.status(), StatusCode::UNAUTHORIZED);
    let later = url.query_pairs().find(|(k, _)| k == "expires").unwrap().1.parse::<i64>().unwrap() + 3600;
    let extended = path_and_query.replace(&format!("expires={}", later - 3600), &format!("expires={later}"));
    assert_eq!(download(&app, &victim, None, &extended, None).await.status(), StatusCode::UNAUTHORIZED);
    let short = app
        .tp(
            Method::POST,
            &victim,
            "/v1/files-signed",
            Some(json!({ "key": "hr/payroll.csv", "method": "GET", "expiresIn": 1 })),
        )
        .await;
    let short = url::Url::parse(short.body["url"].as_str().unwrap()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = download(&app, &victim, None, &format!("{}?{}", short.path(), short.query().unwrap()), None).await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED, "after expiry");
    // A signed GET URL does not upload.
    let put = at(&app, Method::PUT, &victim, &path_and_query, None).body("overwritten").send().await.unwrap();
    assert_eq!(put.status(), StatusCode::UNAUTHORIZED);

    // A signed PUT uploads once granted, and only for its key.
    let grant = app
        .tp(Method::POST, &victim, "/v1/files-signed", Some(json!({ "key": "inbox/scan.pdf", "method": "PUT" })))
        .await;
    let put_url = url::Url::parse(grant.body["url"].as_str().unwrap()).unwrap();
    let put_path = format!("{}?{}", put_url.path(), put_url.query().unwrap());
    let uploaded = at(&app, Method::PUT, &victim, &put_path, None).body("scanned").send().await.unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let at_attacker = at(&app, Method::PUT, &attacker, &put_path, None).body("x").send().await.unwrap();
    assert_eq!(at_attacker.status(), StatusCode::UNAUTHORIZED);

    // A viewer reads but does not write.
    let (_, viewer) = app.add_user(&victim, "viewer@victim.test", "viewer").await;
    assert_eq!(download(&app, &victim, Some(&viewer), "/v1/files/hr/payroll.csv", None).await.status(), StatusCode::OK);
    assert_eq!(
        upload(&app, &victim, &viewer, "hr/x.csv", b"x".to_vec(), "text/csv").await.status(),
        StatusCode::FORBIDDEN
    );
    app.cleanup().await;
}

#[tokio::test]
async fn an_upload_over_the_plans_limit_is_refused_and_leaves_nothing() {
    let app = TestApp::spawn().await;
    let slug = format!("freefiles{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    let created = app
        .cp(
            Method::POST,
            "/v1/tenants",
            Some(json!({ "slug": slug, "displayName": "Free", "plan": "free", "admin": { "email": format!("owner@{slug}.test"), "password": crate::helpers::PASSWORD } })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let token = app.owner_token(&slug).await.unwrap();
    let dir = app.storage_dir.as_ref().unwrap().path();
    let before = files_under(dir).len();
    // Announced too large: refused before a byte is stored.
    let res = upload(&app, &slug, &token, "big.bin", vec![0u8; 26 * 1024 * 1024], "application/octet-stream").await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Not announced (chunked): refused while streaming.
    let chunks = futures::stream::iter((0..27).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![1u8; 1024 * 1024]))));
    let res = at(&app, Method::PUT, &slug, "/v1/files/big.bin", Some(&token))
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(files_under(dir).len(), before, "no object and no temporary file left");
    assert_eq!(app.tp(Method::GET, &slug, "/v1/storage", None).await.body["usedBytes"], 0);
    app.cleanup().await;
}

fn s3_spec(s3: &test_support::S3Server, bucket: &str) -> serde_json::Value {
    json!({ "kind": "s3", "endpoint": s3.url, "region": "us-east-1", "bucket": bucket, "pathStyle": true, "accessKeyId": s3.access_key })
}

#[tokio::test]
async fn a_tenant_hosted_backend_is_accepted_only_after_a_live_check() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("hosted").await;
    let s3 = test_support::S3Server::start();
    s3.create_bucket("acme-files");
    let path = format!("/v1/tenants/{id}/storage");

    let wrong = app
        .cp(
            Method::PUT,
            &path,
            Some(json!({ "primary": s3_spec(&s3, "acme-files"), "secrets": { "primary": "not-the-secret" } })),
        )
        .await;
    assert_error(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(wrong.body["error"]["details"]["field"], "primary");
    assert!(wrong.body["error"]["message"].as_str().unwrap().contains("refused"), "{:?}", wrong.body);
    let mut unreachable = s3_spec(&s3, "acme-files");
    unreachable["endpoint"] = json!("http://127.0.0.1:9");
    let down = app
        .cp(Method::PUT, &path, Some(json!({ "primary": unreachable, "secrets": { "primary": s3.secret_key } })))
        .await;
    assert_error(&down, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert!(down.body["error"]["message"].as_str().unwrap().contains("unreachable"), "{:?}", down.body);
    // Still on the platform backend after the refusals.
    assert_eq!(app.cp(Method::GET, &path, None).await.body["primary"]["kind"], "platform");

    let ok = app
        .cp(
            Method::PUT,
            &path,
            Some(json!({ "primary": s3_spec(&s3, "acme-files"), "secrets": { "primary": s3.secret_key } })),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!((ok.body["health"].as_str(), ok.body["encrypted"].as_bool()), (Some("ok"), Some(false)));
    assert!(!ok.body.to_string().contains(&s3.secret_key), "the secret is never returned");
    let token = app.owner_token(&slug).await.unwrap();
    let data = sample(100_000, 3);
    assert_eq!(
        upload(&app, &slug, &token, "a.bin", data.clone(), "application/octet-stream").await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        download(&app, &slug, Some(&token), "/v1/files/a.bin", None).await.bytes().await.unwrap().to_vec(),
        data
    );
    // The bytes are in the tenant's bucket.
    let direct = storage::S3Store::new(&storage::S3Settings {
        endpoint: Some(s3.url.clone()),
        region: "us-east-1".into(),
        bucket: "acme-files".into(),
        access_key_id: s3.access_key.clone(),
        secret_access_key: s3.secret_key.clone().into(),
        path_style: true,
        server_side_encryption: None,
    });
    let prefix = format!("tenants/{}/objects/", uuid::Uuid::parse_str(&id).unwrap().simple());
    let listed = storage::ObjectStore::list(&direct, &prefix, None, 10).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].size, 100_000);
    // Unsealed on a backend that signs: the signed URL is the backend's own.
    let signed = app
        .tp(Method::POST, &slug, "/v1/files-signed", Some(json!({ "key": "a.bin", "method": "GET", "expiresIn": 60 })))
        .await;
    assert_eq!(signed.body["servedBy"], "backend", "{:?}", signed.body);
    let url = signed.body["url"].as_str().unwrap();
    assert!(url.starts_with(&s3.url), "{url}");
    let fetched = app.http.get(url).send().await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), data);
    let tampered = url.replacen("/objects/", "/objects/0", 1);
    assert_eq!(app.http.get(&tampered).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // With a file on it, the primary cannot be switched away, nor sealing turned on under it.
    let switch = app.cp(Method::PUT, &path, Some(json!({ "primary": { "kind": "platform" } }))).await;
    assert_error(&switch, StatusCode::CONFLICT, "INVALID_STATE");
    let seal =
        app.cp(Method::PUT, &path, Some(json!({ "primary": s3_spec(&s3, "acme-files"), "encrypted": true }))).await;
    assert_error(&seal, StatusCode::CONFLICT, "INVALID_STATE");
    let same = app.cp(Method::PUT, &path, Some(json!({ "primary": s3_spec(&s3, "acme-files") }))).await;
    assert_eq!(same.status, StatusCode::OK, "the stored secret is reused: {:?}", same.body);
    app.cleanup().await;
}

#[tokio::test]
async fn an_s3_outage_falls_back_to_the_nas_and_everything_replicates_back() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("hybrid").await;
    let mut s3 = test_support::S3Server::start();
    s3.create_bucket("hybrid-files");
    let nas = tempfile::tempdir().unwrap();
    let registered = app
        .cp(
            Method::PUT,
            &format!("/v1/tenants/{id}/storage"),
            Some(json!({
                "primary": s3_spec(&s3, "hybrid-files"),
                "fallback": { "kind": "nas", "root": nas.path() },
                "encrypted": false,
                "secrets": { "primary": s3.secret_key },
            })),
        )
        .await;
    assert_eq!(registered.status, StatusCode::OK, "{:?}", registered.body);
    let token = app.owner_token(&slug).await.unwrap();
    let mut expected = Vec::new();
    let first = sample(200_000, 1);
    assert_eq!(
        upload(&app, &slug, &token, "before.bin", first.clone(), "application/octet-stream").await.status(),
        StatusCode::CREATED
    );
    expected.push(("before.bin", sha(&first)));

    s3.stop();
    for (i, size) in [(2u8, 1_000_000usize), (3, 9 * 1024 * 1024), (4, 10)] {
        let data = sample(size, i);
        let key = format!("during-{i}.bin");
        let res = upload(&app, &slug, &token, &key, data.clone(), "application/octet-stream").await;
        assert_eq!(res.status(), StatusCode::CREATED, "{key} lands on the fallback");
        expected.push((Box::leak(key.into_boxed_str()), sha(&data)));
    }
    let status = app.tp(Method::GET, &slug, "/v1/storage", None).await;
    assert_eq!(
        (status.body["degraded"].as_bool(), status.body["queueLength"].as_u64()),
        (Some(true), Some(3)),
        "{:?}",
        status.body
    );
    // The control plane's probe sees it too.
    let prober = app.platform.provisioner();
    provisioner::probe_storage_health(&prober).await.unwrap();
    let health = app.cp(Method::GET, &format!("/v1/tenants/{id}/storage"), None).await;
    assert_eq!(health.body["health"], "degraded", "{:?}", health.body);
    assert!(health.body["healthDetail"].as_str().unwrap().starts_with("primary:"), "{:?}", health.body);
    // What the fallback holds reads back while the primary is out.
    let during = download(&app, &slug, Some(&token), "/v1/files/during-3.bin", None).await;
    assert_eq!(sha(&during.bytes().await.unwrap()), expected[2].1);

    s3.resume();
    let mut drained = false;
    for _ in 0..100 {
        let status = app.tp(Method::GET, &slug, "/v1/storage", None).await;
        if status.body["queueLength"] == 0 && status.body["degraded"] == false {
            drained = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(drained, "replication drained after the primary came back");
    provisioner::probe_storage_health(&prober).await.unwrap();
    assert_eq!(app.cp(Method::GET, &format!("/v1/tenants/{id}/storage"), None).await.body["health"], "ok");
    assert!(files_under(nas.path()).iter().all(|f| f.len() < 1024), "only the marker is left on the NAS");
    // Every file is on the primary itself with the same SHA-256.
    let direct = storage::S3Store::new(&storage::S3Settings {
        endpoint: Some(s3.url.clone()),
        region: "us-east-1".into(),
        bucket: "hybrid-files".into(),
        access_key_id: s3.access_key.clone(),
        secret_access_key: s3.secret_key.clone().into(),
        path_style: true,
        server_side_encryption: None,
    });
    let prefix = format!("tenants/{}/objects/", uuid::Uuid::parse_str(&id).unwrap().simple());
    let listed = storage::ObjectStore::list(&direct, &prefix, None, 100).await.unwrap();
    let mut on_primary = Vec::new();
    for item in listed.items {
        let (_, body) = storage::ObjectStore::get(&direct, &item.key, None).await.unwrap();
        let bytes: Vec<u8> = body.map(|c| c.unwrap().to_vec()).concat().await;
        on_primary.push(sha(&bytes));
    }
    on_primary.sort();
    let mut wanted: Vec<String> = expected.iter().map(|(_, h)| h.clone()).collect();
    wanted.sort();
    assert_eq!(on_primary, wanted, "nothing lost, nothing extra");
    app.cleanup().await;
}

/// Peak resident memory of this process so far, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

#[tokio::test]
async fn a_200_mb_file_streams_up_and_down_in_bounded_memory() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("bigfile").await;
    let token = app.owner_token(&slug).await.unwrap();
    const MB: usize = 1024 * 1024;
    let chunk: Vec<u8> = (0..MB).map(|i| (i % 251) as u8).collect();
    let mut expected = Sha256::new();
    for _ in 0..200 {
        expected.update(&chunk);
    }
    let expected = hex::encode(expected.finalize());
    let before = peak_rss();
    let started = std::time::Instant::now();
    let body = futures::stream::iter((0..200).map(move |_| Ok::<_, std::io::Error>(Bytes::from(chunk.clone()))));
    let res = at(&app, Method::PUT, &slug, "/v1/files/big.bin", Some(&token))
        .header("content-length", (200 * MB).to_string())
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let uploaded = started.elapsed();
    let mut down = download(&app, &slug, Some(&token), "/v1/files/big.bin", None).await.bytes_stream();
    let mut hasher = Sha256::new();
    let mut received = 0usize;
    while let Some(part) = down.next().await {
        let part = part.unwrap();
        received += part.len();
        hasher.update(&part);
    }
    assert_eq!((received, hex::encode(hasher.finalize())), (200 * MB, expected));
    let growth = peak_rss().saturating_sub(before);
    eprintln!(
        "200 MB up ({:.1} s) and down ({:.1} s), sealed, local: peak RSS grew by {} MiB",
        uploaded.as_secs_f64(),
        (started.elapsed() - uploaded).as_secs_f64(),
        growth / MB as u64
    );
    assert!(growth < 64 * MB as u64, "peak RSS grew by {} MiB moving 200 MB", growth / MB as u64);
    app.cleanup().await;
}

#[tokio::test]
async fn a_tenants_azure_account_serves_its_files_and_signs_sas_links() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("azure").await;
    let azurite = test_support::AzuriteServer::start();
    let settings = |key: &str| storage::AzureSettings {
        endpoint: Some(azurite.url.clone()),
        account: test_support::AZURITE_ACCOUNT.into(),
        container: "acme-blobs".into(),
        credential: storage::AzureCredential::SharedKey(key.to_owned().into()),
    };
    // A tenant-hosted container exists before it is registered.
    storage::AzureStore::new(&settings(test_support::AZURITE_KEY)).unwrap().create_container().await.unwrap();
    let spec = json!({ "kind": "azure", "endpoint": azurite.url, "account": test_support::AZURITE_ACCOUNT, "container": "acme-blobs", "auth": "sharedKey" });
    let path = format!("/v1/tenants/{id}/storage");
    let wrong_key = "bm90LXRoZS1rZXktbm90LXRoZS1rZXktbm90LXRoZS1rZXk=";
    let refused =
        app.cp(Method::PUT, &path, Some(json!({ "primary": spec, "secrets": { "primary": wrong_key } }))).await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let ok = app
        .cp(Method::PUT, &path, Some(json!({ "primary": spec, "secrets": { "primary": test_support::AZURITE_KEY } })))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);

    let token = app.owner_token(&slug).await.unwrap();
    let data = sample(5 * 1024 * 1024 + 3, 9);
    let up = upload(&app, &slug, &token, "designs/plan.dwg", data.clone(), "application/octet-stream").await;
    assert_eq!(up.status(), StatusCode::CREATED);
    let part = download(&app, &slug, Some(&token), "/v1/files/designs/plan.dwg", Some("bytes=4194300-4194309")).await;
    assert_eq!(part.bytes().await.unwrap().to_vec(), data[4_194_300..4_194_310], "a range across two blocks");
    let signed = app
        .tp(Method::POST, &slug, "/v1/files-signed", Some(json!({ "key": "designs/plan.dwg", "method": "GET" })))
        .await;
    assert_eq!(signed.body["servedBy"], "backend", "{:?}", signed.body);
    let url = signed.body["url"].as_str().unwrap();
    assert!(url.starts_with(&azurite.url) && url.contains("sig="), "{url}");
    let fetched = app.http.get(url).send().await.unwrap();
    assert_eq!(sha(&fetched.bytes().await.unwrap()), sha(&data));
    let tampered = url.replacen("/objects/", "/objects/0", 1);
    assert!(app.http.get(&tampered).send().await.unwrap().status().is_client_error(), "another blob with the same SAS");
    app.cleanup().await;
}

#[tokio::test]
async fn a_worker_that_never_served_the_tenant_drains_its_log_after_a_restart() {
    // The first worker replays only once an hour: the log is left as by a worker that crashed.
    let mut app = TestApp::spawn_with(crate::helpers::Options {
        replication_every: std::time::Duration::from_secs(3600),
        ..Default::default()
    })
    .await;
    let (id, slug) = app.create_tenant("restart").await;
    let mut s3 = test_support::S3Server::start();
    s3.create_bucket("restart-files");
    let nas = tempfile::tempdir().unwrap();
    let body = json!({
        "primary": s3_spec(&s3, "restart-files"),
        "fallback": { "kind": "nas", "root": nas.path() },
        "secrets": { "primary": s3.secret_key },
    });
    assert_eq!(app.cp(Method::PUT, &format!("/v1/tenants/{id}/storage"), Some(body)).await.status, StatusCode::OK);
    let token = app.owner_token(&slug).await.unwrap();
    s3.stop();
    let data = sample(300_000, 5);
    assert_eq!(upload(&app, &slug, &token, "kept.bin", data.clone(), "text/plain").await.status(), StatusCode::CREATED);
    assert_eq!(app.tp(Method::GET, &slug, "/v1/storage", None).await.body["queueLength"], 1);
    s3.resume();

    app.spawn_second_tenant_plane(std::time::Duration::from_millis(200)).await;
    let mut drained = false;
    for _ in 0..100 {
        if app.tp(Method::GET, &slug, "/v1/storage", None).await.body["queueLength"] == 0 {
            drained = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(drained, "the second worker found the tenant in the catalog and replayed its log");
    let direct = storage::S3Store::new(&storage::S3Settings {
        endpoint: Some(s3.url.clone()),
        region: "us-east-1".into(),
        bucket: "restart-files".into(),
        access_key_id: s3.access_key.clone(),
        secret_access_key: s3.secret_key.clone().into(),
        path_style: true,
        server_side_encryption: None,
    });
    let prefix = format!("tenants/{}/objects/", uuid::Uuid::parse_str(&id).unwrap().simple());
    assert_eq!(storage::ObjectStore::list(&direct, &prefix, None, 10).await.unwrap().items.len(), 1);
    let read = download(&app, &slug, Some(&token), "/v1/files/kept.bin", None).await;
    assert_eq!(read.status(), StatusCode::OK, "readable from the primary at the worker that saw the outage");
    assert_eq!(sha(&read.bytes().await.unwrap()), sha(&data));
    app.cleanup().await;
}

#[tokio::test]
async fn offboarding_empties_and_removes_the_tenants_storage_space() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("leaving").await;
    let (_, staying) = app.create_tenant("staying").await;
    let token = app.owner_token(&slug).await.unwrap();
    let other = app.owner_token(&staying).await.unwrap();
    assert_eq!(upload(&app, &slug, &token, "a.txt", b"a".to_vec(), "text/plain").await.status(), StatusCode::CREATED);
    assert_eq!(
        upload(&app, &staying, &other, "b.txt", b"b".to_vec(), "text/plain").await.status(),
        StatusCode::CREATED
    );
    let root = app.storage_dir.as_ref().unwrap().path();
    let space = root.join("tenants").join(uuid::Uuid::parse_str(&id).unwrap().simple().to_string());
    assert!(space.join(".tenantry/marker").is_file(), "provisioning wrote the marker");
    assert_eq!(files_under(&space).len(), 2, "the marker and one object");

    assert_eq!(app.cp(Method::DELETE, &format!("/v1/tenants/{id}"), None).await.status, StatusCode::OK);
    assert!(files_under(&space).is_empty(), "no object of the offboarded tenant is left");
    assert_eq!(app.cp(Method::GET, &format!("/v1/tenants/{id}/storage"), None).await.status, StatusCode::NOT_FOUND);
    let kept = download(&app, &staying, Some(&other), "/v1/files/b.txt", None).await;
    assert_eq!(kept.bytes().await.unwrap().to_vec(), b"b", "the other tenant's files stay");
    app.cleanup().await;
}
