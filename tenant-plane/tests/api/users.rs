//! Users, invitations, roles and the sign-up policy, end to end.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, assert_error};

#[tokio::test]
async fn an_invited_user_joins_with_the_invited_role_and_the_token_works_once() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("invite").await;
    let invited = app
        .tp(Method::POST, &slug, "/v1/invitations", Some(json!({ "email": "Sam@Example.com", "role": "staff" })))
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
    assert_eq!(invited.body["email"], "sam@example.com");
    assert_eq!(invited.body["delivery"], "returned");
    let token = invited.body["token"].as_str().unwrap().to_owned();
    test_support::record_secret(&token);
    // Listed without its token.
    let open = app.tp(Method::GET, &slug, "/v1/invitations", None).await;
    assert_eq!(open.body["items"].as_array().unwrap().len(), 1);
    assert!(!open.body.to_string().contains(&token));

    let accept = json!({ "token": token, "password": PASSWORD, "name": "Sam" });
    let joined = app.tp_anon(Method::POST, &slug, "/v1/auth/accept-invitation", Some(accept.clone())).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
    let access = joined.body["accessToken"].as_str().unwrap();
    test_support::record_secret(access);
    let me = app.tp_as(Some(access), Method::GET, &slug, "/v1/me", None).await;
    assert_eq!((me.body["role"].as_str(), me.body["name"].as_str()), (Some("staff"), Some("Sam")));
    assert!(me.body["permissions"].as_array().unwrap().contains(&json!("notes.write")));
    // Used once: the same token again is refused, and the invitation is no longer open.
    let again = app.tp_anon(Method::POST, &slug, "/v1/auth/accept-invitation", Some(accept)).await;
    assert_error(&again, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    assert!(app.tp(Method::GET, &slug, "/v1/invitations", None).await.body["items"].as_array().unwrap().is_empty());
    // The new user logs in with the password they chose.
    assert!(!app.login_as(&slug, "sam@example.com").await.is_empty());
    // Inviting an existing user is a conflict.
    let dup = app
        .tp(Method::POST, &slug, "/v1/invitations", Some(json!({ "email": "sam@example.com", "role": "viewer" })))
        .await;
    assert_error(&dup, StatusCode::CONFLICT, "CONFLICT");
    app.cleanup().await;
}

#[tokio::test]
async fn a_revoked_or_replaced_invitation_cannot_be_accepted() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("revoke").await;
    let invite =
        || app.tp(Method::POST, &slug, "/v1/invitations", Some(json!({ "email": "r@x.io", "role": "viewer" })));
    let first = invite().await;
    let second = invite().await;
    let revoked =
        app.tp(Method::DELETE, &slug, &format!("/v1/invitations/{}", second.body["id"].as_str().unwrap()), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    for res in [&first, &second] {
        let token = res.body["token"].as_str().unwrap();
        test_support::record_secret(token);
        let accepted = app
            .tp_anon(
                Method::POST,
                &slug,
                "/v1/auth/accept-invitation",
                Some(json!({ "token": token, "password": PASSWORD })),
            )
            .await;
        assert_error(&accepted, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn only_owners_touch_owners_and_the_last_owner_stays() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("owners").await;
    let owner_id = app.tp(Method::GET, &slug, "/v1/me", None).await.body["id"].as_str().unwrap().to_owned();
    let (admin_id, admin) = app.add_user(&slug, "admin@x.io", "admin").await;
    let (staff_id, _) = app.add_user(&slug, "staff@x.io", "staff").await;

    // An admin manages staff but not owners, and cannot make owners.
    let promote = app
        .tp_as(Some(&admin), Method::PATCH, &slug, &format!("/v1/users/{staff_id}"), Some(json!({ "role": "viewer" })))
        .await;
    assert_eq!(promote.status, StatusCode::OK, "{:?}", promote.body);
    assert_eq!(promote.body["role"], "viewer");
    for (path, body) in [
        (format!("/v1/users/{staff_id}"), json!({ "role": "owner" })),
        (format!("/v1/users/{owner_id}"), json!({ "role": "viewer" })),
        (format!("/v1/users/{owner_id}"), json!({ "status": "disabled" })),
    ] {
        assert_error(
            &app.tp_as(Some(&admin), Method::PATCH, &slug, &path, Some(body)).await,
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
        );
    }
    assert_error(
        &app.tp_as(Some(&admin), Method::DELETE, &slug, &format!("/v1/users/{owner_id}"), None).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    let invite_owner = app
        .tp_as(
            Some(&admin),
            Method::POST,
            &slug,
            "/v1/invitations",
            Some(json!({ "email": "o2@x.io", "role": "owner" })),
        )
        .await;
    assert_error(&invite_owner, StatusCode::FORBIDDEN, "FORBIDDEN");

    // Admins cannot revoke an owner invitation; an invitation dies with its issuer's authority.
    let owner_invite =
        app.tp(Method::POST, &slug, "/v1/invitations", Some(json!({ "email": "o3@x.io", "role": "owner" }))).await;
    test_support::record_secret(owner_invite.body["token"].as_str().unwrap());
    let revoke = app
        .tp_as(
            Some(&admin),
            Method::DELETE,
            &slug,
            &format!("/v1/invitations/{}", owner_invite.body["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_error(&revoke, StatusCode::FORBIDDEN, "FORBIDDEN");
    let by_admin = app
        .tp_as(
            Some(&admin),
            Method::POST,
            &slug,
            "/v1/invitations",
            Some(json!({ "email": "s9@x.io", "role": "staff" })),
        )
        .await;
    test_support::record_secret(by_admin.body["token"].as_str().unwrap());

    // The only owner can be neither demoted, disabled nor removed, not even by themself.
    for body in [json!({ "role": "admin" }), json!({ "status": "disabled" })] {
        let res = app.tp(Method::PATCH, &slug, &format!("/v1/users/{owner_id}"), Some(body)).await;
        assert_error(&res, StatusCode::CONFLICT, "LAST_OWNER");
    }
    assert_error(
        &app.tp(Method::DELETE, &slug, &format!("/v1/users/{owner_id}"), None).await,
        StatusCode::CONFLICT,
        "LAST_OWNER",
    );
    let (_, second_admin) = app.add_user(&slug, "admin2@x.io", "admin").await;
    let by_second = app
        .tp_as(
            Some(&second_admin),
            Method::POST,
            &slug,
            "/v1/invitations",
            Some(json!({ "email": "s10@x.io", "role": "viewer" })),
        )
        .await;
    let token = by_second.body["token"].as_str().unwrap().to_owned();
    test_support::record_secret(&token);
    let second_id = app.tp_as(Some(&second_admin), Method::GET, &slug, "/v1/me", None).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.tp(Method::PATCH, &slug, &format!("/v1/users/{second_id}"), Some(json!({ "role": "viewer" }))).await;
    let accepted = app
        .tp_anon(
            Method::POST,
            &slug,
            "/v1/auth/accept-invitation",
            Some(json!({ "token": token, "password": crate::helpers::PASSWORD })),
        )
        .await;
    assert_error(&accepted, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    // With a second owner, the first may step down.
    let made_owner =
        app.tp(Method::PATCH, &slug, &format!("/v1/users/{admin_id}"), Some(json!({ "role": "owner" }))).await;
    assert_eq!(made_owner.body["role"], "owner");
    let stepped_down =
        app.tp(Method::PATCH, &slug, &format!("/v1/users/{owner_id}"), Some(json!({ "role": "admin" }))).await;
    assert_eq!(stepped_down.status, StatusCode::OK, "{:?}", stepped_down.body);
    // The role is read on every request: the old owner's token now acts as an admin.
    let me = app.tp(Method::GET, &slug, "/v1/me", None).await;
    assert_eq!(me.body["role"], "admin");
    assert_error(
        &app.tp(Method::PATCH, &slug, &format!("/v1/users/{admin_id}"), Some(json!({ "role": "staff" }))).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    app.cleanup().await;
}

#[tokio::test]
async fn disabling_or_removing_a_user_ends_their_access_at_once() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("disable").await;
    let (staff_id, staff) = app.add_user(&slug, "s@x.io", "staff").await;
    let refresh = app
        .tp_anon(Method::POST, &slug, "/v1/auth/login", Some(json!({ "email": "s@x.io", "password": PASSWORD })))
        .await
        .body["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    test_support::record_secret(&refresh);
    assert_eq!(app.tp_as(Some(&staff), Method::GET, &slug, "/v1/notes", None).await.status, StatusCode::OK);

    let disabled =
        app.tp(Method::PATCH, &slug, &format!("/v1/users/{staff_id}"), Some(json!({ "status": "disabled" }))).await;
    assert_eq!(disabled.body["status"], "disabled");
    assert_error(
        &app.tp_as(Some(&staff), Method::GET, &slug, "/v1/notes", None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    let refreshed =
        app.tp_anon(Method::POST, &slug, "/v1/auth/refresh", Some(json!({ "refreshToken": refresh }))).await;
    assert_error(&refreshed, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let login = app
        .tp_anon(Method::POST, &slug, "/v1/auth/login", Some(json!({ "email": "s@x.io", "password": PASSWORD })))
        .await;
    assert_error(&login, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    assert_eq!(
        app.tp(Method::DELETE, &slug, &format!("/v1/users/{staff_id}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &app.tp(Method::GET, &slug, &format!("/v1/users/{staff_id}"), None).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    let users = app.tp(Method::GET, &slug, "/v1/users", None).await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);
    app.cleanup().await;
}

#[tokio::test]
async fn sign_up_is_closed_until_an_admin_opens_it() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("signup").await;
    let body = json!({ "email": "new@x.io", "password": PASSWORD, "name": "New" });
    let closed = app.tp_anon(Method::POST, &slug, "/v1/auth/register", Some(body.clone())).await;
    assert_error(&closed, StatusCode::FORBIDDEN, "SIGNUP_CLOSED");

    let profile = app.tp_anon(Method::GET, &slug, "/v1/tenant", None).await;
    assert_eq!(profile.body["signupPolicy"], "invite_only");
    let opened = app
        .tp(
            Method::PATCH,
            &slug,
            "/v1/tenant",
            Some(json!({ "signupPolicy": "open", "displayName": "Renamed", "branding": { "primaryColor": "#112233", "logoUrl": "https://cdn.example.com/logo.png" } })),
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{:?}", opened.body);
    assert_eq!(opened.body["branding"]["primaryColor"], "#112233");
    assert_eq!(app.tp_anon(Method::GET, &slug, "/v1/tenant", None).await.body["displayName"], "Renamed");

    let registered = app.tp_anon(Method::POST, &slug, "/v1/auth/register", Some(body.clone())).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{:?}", registered.body);
    let access = registered.body["accessToken"].as_str().unwrap();
    test_support::record_secret(access);
    test_support::record_secret(registered.body["refreshToken"].as_str().unwrap());
    let me = app.tp_as(Some(access), Method::GET, &slug, "/v1/me", None).await;
    assert_eq!(me.body["role"], "viewer");
    assert_error(
        &app.tp_anon(Method::POST, &slug, "/v1/auth/register", Some(body)).await,
        StatusCode::CONFLICT,
        "CONFLICT",
    );
    // A viewer cannot change the profile.
    let denied = app
        .tp_as(Some(access), Method::PATCH, &slug, "/v1/tenant", Some(json!({ "signupPolicy": "invite_only" })))
        .await;
    assert_error(&denied, StatusCode::FORBIDDEN, "FORBIDDEN");
    app.cleanup().await;
}
