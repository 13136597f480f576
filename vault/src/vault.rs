//! `Vault`: create, open, manage secrets, decide grants, and keep the leak detector current.
//!
//! Every change runs under an exclusive lock on `<vault>.lock`: it first re-reads the file if
//! another process (the `redoubt secret` CLI next to a running node, say) replaced it, then applies
//! the change to that fresh state and writes atomically. So no process overwrites another's
//! change. A use of a secret with a use limit is persisted before the grant that spends it is
//! returned (a crash cannot give back uses). Uses of secrets without a limit are only counters:
//! they are kept in memory and written with the next change, by [`Vault::flush_uses`], or when
//! the vault is dropped, so the common request pays no file write.
//!
//! Limits: a running vault refuses a file rolled back to an older generation, but a vault opened
//! afresh cannot tell an old copy from the latest (that needs a monotonic counter outside the file,
//! which SEV-SNP does not provide); an old copy restores old use counts. Once injected, a value is
//! also held by the request's `http::HeaderValue` or `url::Url`, which do not zeroize.

use crate::crypto::{Keys, random_bytes};
use crate::format::{KdfRecord, VaultFile};
use crate::grant::{Decision, Grant, GrantRequest, decide};
use crate::rules::{validate_name, validate_value_len};
use crate::state::{Entry, State, now_unix};
use crate::store::{self, VaultLock, Version};
use crate::{DeepScanner, KeyMode, LeakDetector, MasterKey, Policy, SecretValue, VaultError};
use serde::Serialize;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What `list` shows about a secret: never its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretInfo {
    /// Name.
    pub name: String,
    /// Policy.
    pub policy: Policy,
    /// Requests that carried it so far.
    pub uses: u64,
    /// Unix time it was added.
    pub created_at: u64,
    /// Unix time its value last changed, if ever.
    pub rotated_at: Option<u64>,
}

/// An open vault. Plaintexts are held in memory (zeroized when dropped) for injection and for the
/// leak detector; the file holds only ciphertext.
pub struct Vault {
    path: PathBuf,
    keys: Keys,
    mode: KeyMode,
    kdf: Option<KdfRecord>,
    state: State,
    /// The version of the file `state` was read from or written to.
    version: Version,
    detector: Arc<LeakDetector>,
    /// Uses of secrets without a use limit, not yet written.
    pending_uses: HashMap<String, u64>,
    /// Deep scanners built for sets of secrets, valid while `detector` is the current one.
    deep: Mutex<DeepCache>,
}

/// Most sets of secrets whose deep scanners are kept (about one per installed agent).
const MAX_DEEP_SCANNERS: usize = 256;

/// Deep scanners by the sorted names of their secrets, for the values `detector` was built from.
#[derive(Default)]
struct DeepCache {
    detector: Option<Arc<LeakDetector>>,
    scanners: HashMap<Vec<String>, Arc<DeepScanner>>,
}

impl Vault {
    /// Creates an empty vault at `path` protected by `key`. Refuses to overwrite anything.
    pub fn create(path: impl AsRef<Path>, key: impl Borrow<MasterKey>) -> Result<Vault, VaultError> {
        let (path, key) = (path.as_ref().to_path_buf(), key.borrow());
        let _lock = VaultLock::acquire(&path)?;
        if store::exists(&path)? {
            return Err(VaultError::AlreadyExists(path));
        }
        let kdf = match key.params_for_new_vault() {
            Some(params) => Some(KdfRecord::new(params, random_bytes::<16>()?)),
            None => None,
        };
        let keys = Keys::new(input_key(key, &kdf)?, random_bytes::<16>()?, key.mode());
        let state = State::default();
        let version = store::write_atomic(&path, &state.encode(&keys, key.mode(), &kdf).to_bytes())?;
        let detector = Arc::new(LeakDetector::empty());
        Ok(Vault {
            path,
            keys,
            mode: key.mode(),
            kdf,
            state,
            version,
            detector,
            pending_uses: HashMap::new(),
            deep: Mutex::default(),
        })
    }

    /// Opens the vault at `path`. Fails with `KeyModeMismatch` for a key of another mode, `WrongKey`
    /// for the wrong key or passphrase (before any secret is decrypted), `MetadataTampered` or
    /// `SecretTampered` for edits made outside the vault, `Corrupt` for anything malformed.
    /// Never writes.
    pub fn open(path: impl AsRef<Path>, key: impl Borrow<MasterKey>) -> Result<Vault, VaultError> {
        let (path, key) = (path.as_ref().to_path_buf(), key.borrow());
        let (bytes, version) = store::read(&path)?;
        let file = VaultFile::parse(&path, &bytes)?;
        if file.key_mode != key.mode() {
            return Err(VaultError::KeyModeMismatch { vault: file.key_mode, key: key.mode() });
        }
        let keys = Keys::new(input_key(key, &file.kdf)?, file.vault_id.0, file.key_mode);
        let state = State::decode(&path, &file, &keys)?;
        let detector = Arc::new(state.detector()?);
        Ok(Vault {
            path,
            keys,
            mode: file.key_mode,
            kdf: file.kdf,
            state,
            version,
            detector,
            pending_uses: HashMap::new(),
            deep: Mutex::default(),
        })
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the master key is obtained (see [`KeyMode::label`] for what to show operators).
    pub fn key_mode(&self) -> KeyMode {
        self.mode
    }

    /// Number of secrets.
    pub fn len(&self) -> usize {
        self.state.entries.len()
    }

    /// Whether the vault holds no secret.
    pub fn is_empty(&self) -> bool {
        self.state.entries.is_empty()
    }

    /// Adds a secret. Refuses an invalid or duplicate name, a value outside 8..=8192 bytes, an
    /// invalid policy, and a value its injection form cannot carry (control bytes in a header).
    pub fn add(&mut self, name: &str, value: SecretValue, policy: Policy) -> Result<(), VaultError> {
        validate_name(name)?;
        validate_value_len(name, value.len())?;
        policy.validate()?;
        policy.inject.check_value(name, value.expose())?;
        self.mutate(|state, keys| {
            if state.entries.contains_key(name) {
                return Err(VaultError::DuplicateName(name.to_string()));
            }
            let entry = Entry::new(keys, name, policy, value)?;
            state.entries.insert(name.to_string(), entry);
            Ok(((), true))
        })
    }

    /// Replaces a secret's value; its policy and use count stay.
    pub fn rotate(&mut self, name: &str, value: SecretValue) -> Result<(), VaultError> {
        validate_value_len(name, value.len())?;
        self.mutate(|state, keys| {
            let entry = state.entries.get_mut(name).ok_or_else(|| VaultError::UnknownSecret(name.to_string()))?;
            entry.policy.inject.check_value(name, value.expose())?;
            entry.seal(keys, name, Arc::new(value))?;
            entry.rotated_at = Some(now_unix());
            Ok(((), true))
        })
    }

    /// Replaces a secret's policy (the value is re-encrypted, since the policy is bound to it).
    pub fn set_policy(&mut self, name: &str, policy: Policy) -> Result<(), VaultError> {
        policy.validate()?;
        self.mutate(|state, keys| {
            let entry = state.entries.get_mut(name).ok_or_else(|| VaultError::UnknownSecret(name.to_string()))?;
            policy.inject.check_value(name, entry.value.expose())?;
            entry.policy = policy;
            let value = Arc::clone(&entry.value);
            entry.seal(keys, name, value)?;
            Ok(((), true))
        })
    }

    /// Deletes a secret.
    pub fn remove(&mut self, name: &str) -> Result<(), VaultError> {
        self.mutate(|state, _| match state.entries.remove(name) {
            Some(_) => Ok(((), true)),
            None => Err(VaultError::UnknownSecret(name.to_string())),
        })
    }

    /// Every secret's name, policy and counters, by name. Never values.
    pub fn list(&self) -> Vec<SecretInfo> {
        self.state
            .entries
            .iter()
            .map(|(name, e)| SecretInfo {
                name: name.clone(),
                policy: e.policy.clone(),
                uses: e.uses + self.pending_uses.get(name).copied().unwrap_or(0),
                created_at: e.created_at,
                rotated_at: e.rotated_at,
            })
            .collect()
    }

    /// The grants for a request: one per secret named in `req.secret_names` whose policy allows the
    /// host and the agent, is not expired and has uses left. Others are simply not granted (see
    /// [`Vault::explain`]). Each grant's use is counted; the use of a secret with a use limit is
    /// written to disk before this returns. Two granted secrets that would be injected into the
    /// same place are an error.
    ///
    /// The decision is made on the file as it is now: writers replace it by rename, so one
    /// `fstat` of the version last read tells whether another process changed it, and only then
    /// is it re-read under the lock. A grant of secrets without a use limit takes no lock and
    /// writes nothing.
    pub fn grants_for(&mut self, req: &GrantRequest<'_>) -> Result<Vec<Grant>, VaultError> {
        if self.version.outdated(&self.path)? {
            self.reload()?;
        }
        let allowed = allowed_names(&self.state, req)?;
        let limited = allowed.iter().any(|name| self.state.entries[name.as_str()].policy.max_uses.is_some());
        if !limited {
            // Counters only: no limit to enforce, so no write on the request path.
            for name in &allowed {
                *self.pending_uses.entry(name.clone()).or_default() += 1;
            }
            return Ok(allowed.into_iter().map(|name| grant_of(&self.state, name)).collect());
        }
        self.mutate(|state, _| {
            let allowed = allowed_names(state, req)?;
            for name in &allowed {
                state.entries.get_mut(name.as_str()).expect("allowed names exist").uses += 1;
            }
            let changed = !allowed.is_empty();
            Ok((allowed.into_iter().map(|name| grant_of(state, name)).collect(), changed))
        })
    }

    /// Whether [`Vault::grants_for`] would write the file for `req` (a named secret has a use
    /// limit, so its use must be durable first). When it would not, granting costs no disk write
    /// and no lock (only an `fstat` to check that no other process changed the file), so a caller
    /// on an async runtime may grant inline instead of on a blocking thread.
    pub fn grant_writes(&self, req: &GrantRequest<'_>) -> bool {
        req.secret_names
            .iter()
            .any(|name| self.state.entries.get(name.as_str()).is_some_and(|e| e.policy.max_uses.is_some()))
    }

    /// Writes the uses counted in memory (of secrets without a use limit).
    pub fn flush_uses(&mut self) -> Result<(), VaultError> {
        if self.pending_uses.is_empty() {
            return Ok(());
        }
        self.mutate(|_, _| Ok(((), true)))
    }

    /// Whether `req` would be granted the secret `name` now, and if not why (for audit messages).
    /// Uses the state as last read; does not count a use.
    pub fn explain(&self, name: &str, req: &GrantRequest<'_>) -> Decision {
        decide(name, self.state.entries.get(name).map(|e| (&e.policy, e.uses)), req)
    }

    /// The leak detector for the current secrets (rebuilt whenever a value is added, rotated or
    /// removed, here or by another process).
    pub fn leak_detector(&self) -> Arc<LeakDetector> {
        Arc::clone(&self.detector)
    }

    /// The deep check for the named secrets (those the vault holds; others are skipped): built once
    /// per set of names and kept until a value changes.
    pub fn deep_scanner(&self, names: &[String]) -> Result<Arc<DeepScanner>, VaultError> {
        let mut key: Vec<String> =
            names.iter().filter(|n| self.state.entries.contains_key(n.as_str())).cloned().collect();
        key.sort();
        key.dedup();
        let mut cache = self.deep.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !cache.detector.as_ref().is_some_and(|d| Arc::ptr_eq(d, &self.detector)) {
            *cache = DeepCache { detector: Some(Arc::clone(&self.detector)), scanners: HashMap::new() };
        }
        if let Some(scanner) = cache.scanners.get(&key) {
            return Ok(Arc::clone(scanner));
        }
        let values = key.iter().map(|name| (name.as_str(), self.state.entries[name.as_str()].value.expose()));
        let scanner = Arc::new(DeepScanner::new(values)?);
        if cache.scanners.len() >= MAX_DEEP_SCANNERS {
            cache.scanners.clear();
        }
        cache.scanners.insert(key, Arc::clone(&scanner));
        Ok(scanner)
    }

    /// Re-reads the file if another process changed it. Returns whether it had.
    pub fn reload(&mut self) -> Result<bool, VaultError> {
        let _lock = VaultLock::acquire(&self.path)?;
        self.refresh_locked()
    }

    /// Runs `change` on a copy of the freshest state under the lock; writes the copy when `change`
    /// reports a change, and only then adopts it.
    fn mutate<T>(
        &mut self,
        change: impl FnOnce(&mut State, &Keys) -> Result<(T, bool), VaultError>,
    ) -> Result<T, VaultError> {
        let _lock = VaultLock::acquire(&self.path)?;
        self.refresh_locked()?;
        let mut next = self.state.clone();
        // Counted-in-memory uses join the state first, so that a limit another process set
        // meanwhile sees every use already made.
        for (name, uses) in &self.pending_uses {
            if let Some(entry) = next.entries.get_mut(name.as_str()) {
                entry.uses += uses;
            }
        }
        let (out, changed) = change(&mut next, &self.keys)?;
        if !changed {
            return Ok(out);
        }
        next.generation += 1;
        let detector = match next.same_values(&self.state) {
            true => None,
            false => Some(Arc::new(next.detector()?)),
        };
        let bytes = next.encode(&self.keys, self.mode, &self.kdf).to_bytes();
        store::remove_stale_temps(&self.path)?;
        self.version = store::write_atomic(&self.path, &bytes)?;
        self.state = next;
        self.pending_uses.clear();
        if let Some(detector) = detector {
            self.detector = detector;
        }
        Ok(out)
    }

    fn refresh_locked(&mut self) -> Result<bool, VaultError> {
        if !self.version.outdated(&self.path)? {
            return Ok(false);
        }
        let (bytes, version) = store::read(&self.path)?;
        let file = VaultFile::parse(&self.path, &bytes)?;
        if file.vault_id.0 != *self.keys.vault_id() || file.key_mode != self.mode || file.kdf != self.kdf {
            return Err(VaultError::Replaced { path: self.path.clone() });
        }
        let mut state = State::decode(&self.path, &file, &self.keys)?;
        if state.generation < self.state.generation {
            return Err(VaultError::RolledBack { found: state.generation, expected: self.state.generation });
        }
        state.reuse_values(&self.state);
        if !state.same_values(&self.state) {
            self.detector = Arc::new(state.detector()?);
        }
        self.state = state;
        self.version = version;
        Ok(true)
    }
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("key_mode", &self.mode.as_str())
            .field("secrets", &self.state.entries.len())
            .finish()
    }
}

fn input_key(key: &MasterKey, kdf: &Option<KdfRecord>) -> Result<zeroize::Zeroizing<[u8; 32]>, VaultError> {
    match kdf {
        Some(record) => key.input_key(Some((&record.params()?, &record.salt.0))),
        None => key.input_key(None),
    }
}

/// The secrets of `req.secret_names` that `req` may carry, once each; two that would be injected
/// into the same place are an error.
fn allowed_names(state: &State, req: &GrantRequest<'_>) -> Result<Vec<String>, VaultError> {
    let mut allowed: Vec<String> = Vec::new();
    for name in req.secret_names {
        let found = state.entries.get(name.as_str()).map(|e| (&e.policy, e.uses));
        if decide(name, found, req) == Decision::Allowed && !allowed.contains(name) {
            allowed.push(name.clone());
        }
    }
    let mut targets = HashMap::new();
    for name in &allowed {
        let target = state.entries[name.as_str()].policy.inject.target();
        if let Some(first) = targets.insert(target.clone(), name) {
            let (first, second) = (first.to_string(), name.to_string());
            return Err(VaultError::InjectionConflict { first, second, target: target.to_string() });
        }
    }
    Ok(allowed)
}

fn grant_of(state: &State, name: String) -> Grant {
    let entry = &state.entries[name.as_str()];
    Grant::new(name.clone(), entry.policy.inject.clone(), Arc::clone(&entry.value))
}

impl Drop for Vault {
    /// Writes uses still counted only in memory (best effort: a failure here loses counters, never
    /// a limit, since limited uses are written before their grant).
    fn drop(&mut self) {
        let _ = self.flush_uses();
    }
}
