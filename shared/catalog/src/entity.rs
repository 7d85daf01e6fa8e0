//! sea-orm entities of the catalog tables (created by `migrator::catalog`).

pub mod audit_event;
pub mod bootstrap_token;
pub mod database_server;
pub mod domain;
pub mod operator;
pub mod operator_session;
pub mod provisioning_job;
pub mod secret;
pub mod secret_data_key;
pub mod tenant;
pub mod tenant_database;
