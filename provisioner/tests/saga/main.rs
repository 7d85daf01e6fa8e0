//! Provisioning saga against a real Postgres cluster.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly")]

mod audit;
mod cli;
mod crash_safety;
mod helpers;
mod migrations;
mod moves;
mod placement;
mod provision;
mod secret_store;
mod server_access;
mod server_rotation;
mod signing;
mod spares;
mod worker;
