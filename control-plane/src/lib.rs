//! The control plane: the system owner's HTTP API (`/v1`) over the catalog, and the
//! background provisioning worker.

mod auth;
mod bootstrap;
mod errors;
mod openapi;
mod routes;
mod settings;
mod startup;
mod views;

pub use openapi::ApiDoc;
pub use settings::Settings;
pub use startup::{AppState, Application, build_state, refuse_missing_master_keys};
