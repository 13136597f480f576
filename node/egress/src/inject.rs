//! Step 5: the vault. Reading the current leak detector, and granting and injecting the secrets
//! whose policy allows this host and agent, among those the agent's manifest declares.
//!
//! A grant of a secret with a use limit writes the vault file before it returns, so it runs on
//! tokio's blocking pool, never on a runtime worker. Any other grant runs in place when the vault's
//! lock is free: one `fstat`, and a re-read of the file only in the rare case that another process
//! changed it. Reading the current leak detector is an `Arc` clone under the lock, done in place
//! when the lock is free.

use crate::error::GateError;
use crate::request::Caller;
use http::HeaderMap;
use redoubt_vault::{DeepScanner, Grant, GrantRequest, Injection, LeakDetector, Vault, VaultError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use url::Url;

/// The vault, shared with the rest of the node.
pub(crate) type SharedVault = Arc<Mutex<Vault>>;

/// How often the gate re-reads the vault file for changes made by another process (the `redoubt
/// secret` CLI writing the file directly). Changes made through the node's own `Vault` (its API)
/// are in the detector at once, and every grant re-reads the file anyway.
pub(crate) const RELOAD_EVERY: Duration = Duration::from_secs(1);

/// When the vault file was last re-read by [`detector`].
pub(crate) struct Freshness(Mutex<Option<Instant>>);

impl Freshness {
    /// Never re-read yet: the first request re-reads.
    pub fn new() -> Freshness {
        Freshness(Mutex::new(None))
    }

    /// Whether a re-read is due (and, if so, counts it as done now).
    fn due(&self) -> bool {
        let mut last = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let due = last.is_none_or(|at| at.elapsed() >= RELOAD_EVERY);
        if due {
            *last = Some(Instant::now());
        }
        due
    }
}

/// The current leak detector: an `Arc` clone under the vault's lock when it is free and no re-read
/// of the file is due; otherwise, on the blocking pool, after re-reading the file if another
/// process changed it.
pub(crate) async fn detector(vault: &SharedVault, freshness: &Freshness) -> Result<Arc<LeakDetector>, GateError> {
    if !freshness.due()
        && let Ok(v) = vault.try_lock()
    {
        return Ok(v.leak_detector());
    }
    blocking(vault, |v| {
        v.reload()?;
        Ok(v.leak_detector())
    })
    .await
}

/// The deep check for the secrets `caller` may use (built once per set of names, kept by the vault
/// until a value changes): under the lock when it is free, else on the blocking pool.
pub(crate) async fn deep_scanner(vault: &SharedVault, caller: &Caller) -> Result<Arc<DeepScanner>, GateError> {
    if let Ok(v) = vault.try_lock() {
        return Ok(v.deep_scanner(&caller.secrets)?);
    }
    let names = caller.secrets.clone();
    blocking(vault, move |v| v.deep_scanner(&names)).await
}

/// The grants for a request from `caller` to `host` (canonical). Each counts as a use.
pub(crate) async fn grants(vault: &SharedVault, caller: &Caller, host: &str) -> Result<Vec<Grant>, GateError> {
    if caller.secrets.is_empty() {
        return Ok(Vec::new());
    }
    let now_unix = || SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let request = |now_unix| GrantRequest {
        host,
        agent_name: &caller.agent_name,
        code_hash: caller.code_hash,
        secret_names: &caller.secrets,
        now_unix,
    };
    // Inline when the lock is free and granting writes nothing (no use limit to persist).
    if let Ok(mut v) = vault.try_lock() {
        let req = request(now_unix());
        if !v.grant_writes(&req) {
            return Ok(v.grants_for(&req)?);
        }
    }
    let (agent, names, host, code_hash) =
        (caller.agent_name.clone(), caller.secrets.clone(), host.to_string(), caller.code_hash);
    blocking(vault, move |v| {
        let now_unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        v.grants_for(&GrantRequest { host: &host, agent_name: &agent, code_hash, secret_names: &names, now_unix })
    })
    .await
}

/// What was injected into one request.
#[derive(Debug, Default)]
pub(crate) struct Injected {
    /// The secrets' names.
    pub names: Vec<String>,
    /// The query parameters that now carry a secret.
    pub query_params: Vec<String>,
}

/// Writes every grant into the request.
pub(crate) fn inject(grants: &[Grant], url: &mut Url, headers: &mut HeaderMap) -> Result<Injected, VaultError> {
    let mut injected = Injected::default();
    for grant in grants {
        grant.inject(url, headers)?;
        injected.names.push(grant.name.clone());
        if let Injection::Query { param } = &grant.injection {
            injected.query_params.push(param.clone());
        }
    }
    Ok(injected)
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

#[cfg(test)]
mod tests {
    use super::*;
    use redoubt_vault::{AgentMatcher, HostPattern, MasterKey, Policy, SecretValue};

    fn policy(host: &str) -> Policy {
        Policy::new(vec![HostPattern::parse(host).unwrap()], vec![AgentMatcher::Name("bot".into())], Injection::Bearer)
    }

    fn caller(secrets: &[&str]) -> Caller {
        Caller {
            job_id: "j".into(),
            agent_name: "bot".into(),
            code_hash: [0; 32],
            hosts: vec![],
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn vault(dir: &tempfile::TempDir) -> SharedVault {
        let mut v = Vault::create(dir.path().join("v.json"), MasterKey::from_sealing_key([1; 32])).unwrap();
        v.add("a", SecretValue::new(b"value-of-a-123".to_vec()), policy("api.example.com")).unwrap();
        v.add("b", SecretValue::new(b"value-of-b-456".to_vec()), policy("other.example.com")).unwrap();
        Arc::new(Mutex::new(v))
    }

    #[tokio::test]
    async fn only_declared_secrets_allowed_for_the_host_are_granted_and_each_grant_is_a_use() {
        let dir = tempfile::tempdir().unwrap();
        let shared = vault(&dir);
        let granted = grants(&shared, &caller(&["a", "b"]), "api.example.com").await.unwrap();
        let mut url = Url::parse("https://api.example.com/").unwrap();
        let mut headers = HeaderMap::new();
        let injected = inject(&granted, &mut url, &mut headers).unwrap();
        assert_eq!((injected.names, injected.query_params), (vec!["a".to_string()], vec![]));
        assert!(headers["authorization"].is_sensitive());
        assert!(grants(&shared, &caller(&[]), "api.example.com").await.unwrap().is_empty());
        assert!(grants(&shared, &caller(&["b"]), "api.example.com").await.unwrap().is_empty());
        let uses: Vec<_> = lock(&shared).list().into_iter().map(|s| (s.name, s.uses)).collect();
        assert_eq!(uses, [("a".to_string(), 1), ("b".to_string(), 0)]);
    }

    #[tokio::test]
    async fn the_detector_follows_a_secret_added_by_another_process() {
        let dir = tempfile::tempdir().unwrap();
        let shared = vault(&dir);
        let freshness = Freshness::new();
        assert!(detector(&shared, &freshness).await.unwrap().scan(b"late-secret-789").is_none());
        let mut other = Vault::open(dir.path().join("v.json"), MasterKey::from_sealing_key([1; 32])).unwrap();
        other.add("late", SecretValue::new(b"late-secret-789".to_vec()), policy("api.example.com")).unwrap();
        // Within the interval the file is not re-read; after it, it is.
        assert!(detector(&shared, &freshness).await.unwrap().scan(b"late-secret-789").is_none());
        *freshness.0.lock().unwrap() = Some(Instant::now() - RELOAD_EVERY);
        let leak = detector(&shared, &freshness).await.unwrap().scan(b"x late-secret-789 x").unwrap();
        assert_eq!(leak.secret, "late");
    }

    #[tokio::test]
    async fn a_secret_added_through_the_shared_vault_is_in_the_detector_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let shared = vault(&dir);
        let freshness = Freshness::new();
        detector(&shared, &freshness).await.unwrap();
        lock(&shared).add("new", SecretValue::new(b"brand-new-secret".to_vec()), policy("api.example.com")).unwrap();
        let leak = detector(&shared, &freshness).await.unwrap().scan(b"brand-new-secret").unwrap();
        assert_eq!(leak.secret, "new");
    }
}
