//! End to end: control plane and tenant plane on real Postgres, two tenants attacking each
//! other, lifecycle changes seen by a running tenant plane, and bad input on both planes.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

mod api_keys;
mod audit_log;
mod auth;
mod bad_input;
mod bad_writes;
mod client_certificates;
mod connectors;
mod files;
mod helpers;
mod isolation;
mod jwks;
mod lifecycle;
mod limits;
mod logging;
mod master_keys;
mod matrix;
mod modules;
mod openapi;
mod password;
mod pools;
mod portal_app;
mod receiver;
mod rotation;
mod sabotage;
mod sandboxes;
mod server_passwords;
mod servers;
mod tenant_admin;
mod tenant_move;
mod users;
mod vault;
mod webhooks;
