//! Provisioning saga against a real Postgres cluster.

mod crash_safety;
mod helpers;
mod migrations;
mod provision;
