//! Step 5: the vault. Reading the current leak detector, and granting and injecting the secrets
//! whose policy allows this host and agent, among those the agent's manifest declares.
//!
//! The vault does file I/O (a grant's use is written to disk before it is returned), so every call
//! runs on tokio's blocking pool, never on a runtime worker.

use crate::error::GateError;
use crate::request::Caller;
use http::HeaderMap;
use redoubt_vault::{Grant, GrantRequest, LeakDetector, Vault, VaultError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};
use url::Url;

/// The vault, shared with the rest of the node.
pub(crate) type SharedVault = Arc<Mutex<Vault>>;

/// The leak detector for the vault as it is on disk now (re-read first if another process, such as
/// the `redoubt secret` CLI, changed it).
pub(crate) async fn detector(vault: &SharedVault) -> Result<Arc<LeakDetector>, GateError> {
    blocking(vault, |v| {
        v.reload()?;
        Ok(v.leak_detector())
    })
    .await
}

/// The grants for a request from `caller` to `host` (canonical). Each counts as a use.
pub(crate) async fn grants(vault: &SharedVault, caller: &Caller, host: &str) -> Result<Vec<Grant>, GateError> {
    if caller.secrets.is_empty() {
        return Ok(Vec::new());
    }
    let (agent, names, host, code_hash) =
        (caller.agent_name.clone(), caller.secrets.clone(), host.to_string(), caller.code_hash);
    blocking(vault, move |v| {
        let now_unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        v.grants_for(&GrantRequest { host: &host, agent_name: &agent, code_hash, secret_names: &names, now_unix })
    })
    .await
}

/// Writes every grant into the request; returns the injected secrets' names.
pub(crate) fn inject(grants: &[Grant], url: &mut Url, headers: &mut HeaderMap) -> Result<Vec<String>, VaultError> {
    grants.iter().map(|g| g.inject(url, headers).map(|()| g.name.clone())).collect()
}

async fn blocking<T: Send + 'static>(
    vault: &SharedVault,
    f: impl FnOnce(&mut Vault) -> Result<T, VaultError> + Send + 'static,
) -> Result<T, GateError> {
    let vault = Arc::clone(vault);
    match tokio::task::spawn_blocking(move || f(&mut lock(&vault))).await {
        Ok(result) => Ok(result?),
        Err(e) => Err(GateError::Internal(format!("vault task failed: {e}"))),
    }
}

/// The vault's lock; a panic elsewhere while holding it leaves the vault itself consistent (every
/// change is written atomically before it is adopted), so a poisoned lock is taken over.
fn lock(vault: &Mutex<Vault>) -> MutexGuard<'_, Vault> {
    vault.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
