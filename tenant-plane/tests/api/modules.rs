//! Modules: the registry, switching on and off with gating, settings validated per module, and
//! the crm module on real data, isolated per tenant.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};

fn names(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_module_is_off_until_enabled_and_its_settings_are_validated() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("mods").await;
    let list = app.tp(Method::GET, &slug, "/v1/modules", None).await;
    let keys: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["booking", "ecommerce", "crm", "support", "analytics", "ai_assistant"]);
    assert!(list.body["items"].as_array().unwrap().iter().all(|m| m["enabled"] == false));

    let off = app.tp(Method::GET, &slug, "/v1/crm/contacts", None).await;
    assert_error(&off, StatusCode::FORBIDDEN, "MODULE_DISABLED");
    let on = app.tp(Method::POST, &slug, "/v1/modules/crm/enable", None).await;
    assert_eq!(on.body["enabled"], true);
    assert_eq!(app.tp(Method::GET, &slug, "/v1/crm/contacts", None).await.status, StatusCode::OK);

    // Settings: defaults, validation per module, unknown modules.
    assert_eq!(app.tp(Method::GET, &slug, "/v1/modules/support/config", None).await.body["autoCloseDays"], 14);
    let bad = app.tp(Method::PUT, &slug, "/v1/modules/support/config", Some(json!({ "autoCloseDays": 0 }))).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(bad.body["error"]["details"]["field"], "config.autoCloseDays");
    let unknown_field = app.tp(Method::PUT, &slug, "/v1/modules/crm/config", Some(json!({ "color": "red" }))).await;
    assert_error(&unknown_field, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let set = app.tp(Method::PUT, &slug, "/v1/modules/ecommerce/config", Some(json!({ "currency": "CHF" }))).await;
    assert_eq!(set.body, json!({ "currency": "CHF" }));
    assert_eq!(app.tp(Method::GET, &slug, "/v1/modules/ecommerce", None).await.body["config"]["currency"], "CHF");
    assert_error(
        &app.tp(Method::POST, &slug, "/v1/modules/payroll/enable", None).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );

    // Only admins switch modules; everyone sees them; toggles are audited.
    let (_, staff) = app.add_user(&slug, "s@x.io", "staff").await;
    assert_error(
        &app.tp_as(Some(&staff), Method::POST, &slug, "/v1/modules/crm/disable", None).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    assert_eq!(app.tp_as(Some(&staff), Method::GET, &slug, "/v1/modules", None).await.status, StatusCode::OK);
    app.tp(Method::POST, &slug, "/v1/modules/crm/disable", None).await;
    assert_error(
        &app.tp_as(Some(&staff), Method::GET, &slug, "/v1/crm/contacts", None).await,
        StatusCode::FORBIDDEN,
        "MODULE_DISABLED",
    );
    let audit = app.tp(Method::GET, &slug, "/v1/audit-logs?action=module.", None).await;
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["module.disabled", "module.config_changed", "module.enabled"]);
    app.cleanup().await;
}

#[tokio::test]
async fn crm_contacts_are_created_searched_paginated_changed_and_isolated() {
    let app = TestApp::spawn().await;
    let (_, a) = app.create_tenant("crm-a").await;
    let (_, b) = app.create_tenant("crm-b").await;
    for slug in [&a, &b] {
        app.tp(Method::POST, slug, "/v1/modules/crm/enable", None).await;
    }
    let mut ids = Vec::new();
    for (name, company) in [
        ("Ada Lovelace", "Analytical"),
        ("Grace Hopper", "Navy"),
        ("Alan Turing", "Bletchley"),
        ("Adele Goldberg", "Xerox"),
    ] {
        let res = app
            .tp(Method::POST, &a, "/v1/crm/contacts", Some(json!({ "name": name, "company": company, "email": format!("{}@x.io", name.split(' ').next().unwrap().to_lowercase()) })))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
        ids.push(res.body["id"].as_str().unwrap().to_owned());
    }
    let search = app.tp(Method::GET, &a, "/v1/crm/contacts?q=ad", None).await;
    assert_eq!(names(&search.body), ["Ada Lovelace", "Adele Goldberg"]);
    let by_company = app.tp(Method::GET, &a, "/v1/crm/contacts?q=NAVY", None).await;
    assert_eq!(names(&by_company.body), ["Grace Hopper"]);
    let wildcard = app.tp(Method::GET, &a, "/v1/crm/contacts?q=%25", None).await;
    assert!(names(&wildcard.body).is_empty(), "% is matched literally");
    let first = app.tp(Method::GET, &a, "/v1/crm/contacts?limit=3", None).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let second = app.tp(Method::GET, &a, &format!("/v1/crm/contacts?limit=3&cursor={cursor}"), None).await;
    assert_eq!(names(&second.body), ["Adele Goldberg"]);
    assert!(second.body["nextCursor"].is_null());

    let changed = app
        .tp(
            Method::PATCH,
            &a,
            &format!("/v1/crm/contacts/{}", ids[1]),
            Some(json!({ "phone": "+1 555 0100", "company": "" })),
        )
        .await;
    assert_eq!((changed.body["phone"].as_str(), changed.body["company"].is_null()), (Some("+1 555 0100"), true));
    assert_error(
        &app.tp(Method::POST, &a, "/v1/crm/contacts", Some(json!({ "name": "x", "email": "not-an-email" }))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    assert_error(
        &app.tp(Method::POST, &a, "/v1/crm/contacts", Some(json!({ "company": "nameless" }))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    // uniqueEmails setting.
    app.tp(Method::PUT, &a, "/v1/modules/crm/config", Some(json!({ "uniqueEmails": true }))).await;
    let dup =
        app.tp(Method::POST, &a, "/v1/crm/contacts", Some(json!({ "name": "Ada Two", "email": "ada@x.io" }))).await;
    assert_error(&dup, StatusCode::CONFLICT, "CONFLICT");

    // B sees none of A's contacts and cannot reach them by id.
    assert!(names(&app.tp(Method::GET, &b, "/v1/crm/contacts", None).await.body).is_empty());
    for method in [Method::GET, Method::DELETE] {
        assert_error(
            &app.tp(method, &b, &format!("/v1/crm/contacts/{}", ids[0]), None).await,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        );
    }
    assert_eq!(
        app.tp(Method::DELETE, &a, &format!("/v1/crm/contacts/{}", ids[0]), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &app.tp(Method::GET, &a, &format!("/v1/crm/contacts/{}", ids[0]), None).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    app.cleanup().await;
}

#[tokio::test]
async fn support_tickets_follow_the_workflow_and_take_only_staff_assignees() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("support").await;
    let off = app.tp(Method::POST, &slug, "/v1/support/tickets", Some(json!({ "subject": "x" }))).await;
    assert_error(&off, StatusCode::FORBIDDEN, "MODULE_DISABLED");
    app.tp(Method::POST, &slug, "/v1/modules/support/enable", None).await;
    let (staff_id, staff) = app.add_user(&slug, "agent@x.io", "staff").await;
    let (viewer_id, viewer) = app.add_user(&slug, "watcher@x.io", "viewer").await;

    let opened = app
        .tp_as(
            Some(&staff),
            Method::POST,
            &slug,
            "/v1/support/tickets",
            Some(json!({ "subject": "Printer on fire", "priority": "urgent", "assigneeId": staff_id })),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{:?}", opened.body);
    assert_eq!(
        (opened.body["status"].as_str(), opened.body["assigneeId"].as_str()),
        (Some("open"), Some(staff_id.as_str()))
    );
    let id = opened.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/support/tickets/{id}");
    // Viewers read but do not change, and cannot be assigned.
    assert_eq!(app.tp_as(Some(&viewer), Method::GET, &slug, &path, None).await.status, StatusCode::OK);
    assert_error(
        &app.tp_as(Some(&viewer), Method::PATCH, &slug, &path, Some(json!({ "status": "pending" }))).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    let bad_assignee = app.tp(Method::PATCH, &slug, &path, Some(json!({ "assigneeId": viewer_id }))).await;
    assert_error(&bad_assignee, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(bad_assignee.body["error"]["details"]["field"], "assigneeId");

    // The workflow: open → closed is not a step; open → pending → resolved → open → resolved → closed is.
    assert_error(
        &app.tp(Method::PATCH, &slug, &path, Some(json!({ "status": "closed" }))).await,
        StatusCode::CONFLICT,
        "INVALID_STATE",
    );
    for status in ["pending", "resolved", "open", "resolved", "closed"] {
        let res = app.tp(Method::PATCH, &slug, &path, Some(json!({ "status": status }))).await;
        assert_eq!(res.body["status"], status, "{:?}", res.body);
    }
    assert_error(
        &app.tp(Method::PATCH, &slug, &path, Some(json!({ "status": "open" }))).await,
        StatusCode::CONFLICT,
        "INVALID_STATE",
    );
    assert_error(
        &app.tp(Method::PATCH, &slug, &path, Some(json!({ "subject": "edit" }))).await,
        StatusCode::CONFLICT,
        "INVALID_STATE",
    );

    // Unassigning with null; listing by status and assignee.
    let second = app
        .tp(Method::POST, &slug, "/v1/support/tickets", Some(json!({ "subject": "Second", "assigneeId": staff_id })))
        .await;
    let second_path = format!("/v1/support/tickets/{}", second.body["id"].as_str().unwrap());
    let unassigned = app.tp(Method::PATCH, &slug, &second_path, Some(json!({ "assigneeId": null }))).await;
    assert!(unassigned.body["assigneeId"].is_null(), "{:?}", unassigned.body);
    let closed = app.tp(Method::GET, &slug, "/v1/support/tickets?status=closed", None).await;
    assert_eq!(closed.body["items"].as_array().unwrap().len(), 1);
    let mine = app.tp(Method::GET, &slug, &format!("/v1/support/tickets?assigneeId={staff_id}"), None).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    let audit = app.tp(Method::GET, &slug, "/v1/audit-logs?action=support.ticket_status_changed", None).await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 5);
    app.cleanup().await;
}
