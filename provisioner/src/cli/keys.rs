//! `tenantry keys status|rewrap`: master-key rotation for the local secret store.
//!
//! Rotation: put the new key first in `TENANTRY_MASTER_KEY` (or the key file) on every
//! process and restart them → new data keys use it → `tenantry keys rewrap` re-seals every
//! data key with it (server credentials live in the secret store; any still sealed in the
//! catalog move there), online → `tenantry keys status` shows the old key
//! unused → remove it from the configuration.

use std::process::ExitCode;

use anyhow::Context;
use catalog::Catalog;
use migrator::ServerCredentials;
use secrets::{Keyring, LocalStore, sealed_key_id};
use serde_json::json;

use super::output::print;
use crate::Actor;

/// `tenantry keys status`: which master keys are loaded and what each one still wraps.
pub async fn status(catalog: &Catalog, keyring: &Keyring, json_out: bool) -> anyhow::Result<ExitCode> {
    let usage = catalog.kek_usage().await?;
    let servers = catalog.servers().await?;
    let mut keys = Vec::new();
    let mut ids: Vec<String> = keyring.key_ids().iter().map(|s| (*s).to_owned()).collect();
    for u in &usage {
        if !ids.contains(&u.kek_id) {
            ids.push(u.kek_id.clone());
        }
    }
    for id in ids {
        let data_keys = usage.iter().find(|u| u.kek_id == id).map_or(0, |u| u.data_keys);
        let server_credentials = servers
            .iter()
            .filter(|s| s.admin_password_sealed.as_deref().and_then(|v| sealed_key_id(v).ok()) == Some(id.as_str()))
            .count();
        keys.push(json!({
            "keyId": id,
            "active": id == keyring.active_key_id(),
            "loaded": keyring.key_ids().contains(&id.as_str()),
            "dataKeys": data_keys,
            "serverCredentials": server_credentials,
            "retirable": id != keyring.active_key_id() && data_keys == 0 && server_credentials == 0,
        }));
    }
    let missing = keys.iter().any(|k| k["loaded"] == false);
    print(&json!({ "items": keys }), json_out)?;
    // A key that still wraps something but is not loaded means secrets cannot be read.
    Ok(if missing { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `tenantry keys rewrap`: re-seals every data key with the active key, and moves server
/// credentials still sealed in the catalog (servers registered before they went to the secret
/// store) into the secret store.
pub async fn rewrap(
    catalog: &Catalog,
    keyring: &Keyring,
    credentials: &ServerCredentials,
    actor: &Actor,
    json_out: bool,
) -> anyhow::Result<ExitCode> {
    let report = LocalStore::new(catalog.clone(), keyring.clone()).rewrap().await.context("rewrap data keys")?;
    let servers_moved = credentials.move_sealed_into_store(catalog).await.context("move server credentials")?;
    let event = catalog::NewAuditEvent {
        actor: actor.name.clone(),
        action: "keys.rewrap",
        tenant_id: None,
        details: json!({ "activeKeyId": report.active_key_id, "dataKeys": report.rewrapped, "serverCredentialsMoved": servers_moved }),
        request_id: None,
    };
    catalog.record_audit(event).await?;
    print(
        &json!({ "activeKeyId": report.active_key_id, "dataKeysRewrapped": report.rewrapped, "serverCredentialsMoved": servers_moved }),
        json_out,
    )?;
    Ok(ExitCode::SUCCESS)
}
