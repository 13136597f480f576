//! The decrypted, verified contents of a vault in memory, and their conversion from and to the file.

use crate::crypto::{Keys, random_bytes};
use crate::format::{Base64, EntryRecord, FORMAT, Hex, KdfRecord, VERSION, VaultFile};
use crate::rules::{validate_name, validate_value_len};
use crate::{KeyMode, LeakDetector, Policy, SecretValue, VaultError};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// One secret in memory.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) id: [u8; 16],
    pub(crate) uses: u64,
    pub(crate) created_at: u64,
    pub(crate) rotated_at: Option<u64>,
    pub(crate) policy: Policy,
    pub(crate) nonce: [u8; 12],
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) value: Arc<SecretValue>,
}

impl Entry {
    /// A new secret with a random id, created now, encrypted under `policy`.
    pub(crate) fn new(keys: &Keys, name: &str, policy: Policy, value: SecretValue) -> Result<Entry, VaultError> {
        let id = random_bytes::<16>()?;
        let (nonce, ciphertext) = keys.seal(&id, name, &policy.hash(), &value)?;
        let value = Arc::new(value);
        Ok(Entry { id, uses: 0, created_at: now_unix(), rotated_at: None, policy, nonce, ciphertext, value })
    }

    /// Re-encrypts this entry with `value` under its current policy (fresh nonce).
    pub(crate) fn seal(&mut self, keys: &Keys, name: &str, value: Arc<SecretValue>) -> Result<(), VaultError> {
        let (nonce, ciphertext) = keys.seal(&self.id, name, &self.policy.hash(), &value)?;
        self.nonce = nonce;
        self.ciphertext = ciphertext;
        self.value = value;
        Ok(())
    }
}

/// Everything the vault holds, by secret name.
#[derive(Clone, Default)]
pub(crate) struct State {
    pub(crate) generation: u64,
    pub(crate) entries: BTreeMap<String, Entry>,
}

impl State {
    /// Verifies `file` with `keys` (key check, then metadata MAC, then each secret's AEAD) and
    /// decrypts it. Nothing is decrypted unless the key check and the MAC pass.
    pub(crate) fn decode(path: &Path, file: &VaultFile, keys: &Keys) -> Result<State, VaultError> {
        let corrupt = |reason: String| VaultError::Corrupt { path: path.to_path_buf(), reason };
        if !keys.key_check_matches(&file.key_check.0) {
            return Err(VaultError::WrongKey);
        }
        if !keys.mac_matches(&file.metadata(), &file.mac.0) {
            return Err(VaultError::MetadataTampered);
        }
        let mut entries = BTreeMap::new();
        let mut ids = HashSet::new();
        for record in &file.entries {
            let name = &record.name;
            validate_name(name).map_err(|e| corrupt(e.to_string()))?;
            if !ids.insert(record.id) {
                return Err(corrupt(format!("two entries share the id of {name:?}")));
            }
            let value = keys
                .open(&record.id.0, name, &record.policy.hash(), &record.nonce.0, &record.ciphertext.0)
                .ok_or_else(|| VaultError::SecretTampered { name: name.clone() })?;
            validate_value_len(name, value.len()).map_err(|e| corrupt(e.to_string()))?;
            record.policy.validate().map_err(|e| corrupt(format!("secret {name:?}: {e}")))?;
            let entry = Entry {
                id: record.id.0,
                uses: record.uses,
                created_at: record.created_at,
                rotated_at: record.rotated_at,
                policy: record.policy.clone(),
                nonce: record.nonce.0,
                ciphertext: record.ciphertext.0.clone(),
                value: Arc::new(value),
            };
            if entries.insert(name.clone(), entry).is_some() {
                return Err(corrupt(format!("two entries are named {name:?}")));
            }
        }
        Ok(State { generation: file.generation, entries })
    }

    /// The file for this state, MAC included.
    pub(crate) fn encode(&self, keys: &Keys, key_mode: KeyMode, kdf: &Option<KdfRecord>) -> VaultFile {
        let entries = self
            .entries
            .iter()
            .map(|(name, e)| EntryRecord {
                id: Hex(e.id),
                name: name.clone(),
                uses: e.uses,
                created_at: e.created_at,
                rotated_at: e.rotated_at,
                policy: e.policy.clone(),
                nonce: Hex(e.nonce),
                ciphertext: Base64(e.ciphertext.clone()),
            })
            .collect();
        let mut file = VaultFile {
            format: FORMAT.to_string(),
            version: VERSION,
            vault_id: Hex(*keys.vault_id()),
            key_mode,
            kdf: kdf.clone(),
            key_check: Hex(keys.key_check()),
            generation: self.generation,
            entries,
            mac: Hex([0; 32]),
        };
        file.seal(keys);
        file
    }

    /// Whether `other` holds exactly the same values under the same names (no detector rebuild).
    pub(crate) fn same_values(&self, other: &State) -> bool {
        self.entries.len() == other.entries.len()
            && self
                .entries
                .iter()
                .zip(&other.entries)
                .all(|((n1, e1), (n2, e2))| n1 == n2 && Arc::ptr_eq(&e1.value, &e2.value))
    }

    /// Shares the values of `previous` where an entry's ciphertext is unchanged, so a reload that
    /// changed only counters or policies does not rebuild the leak detector.
    pub(crate) fn reuse_values(&mut self, previous: &State) {
        for (name, entry) in &mut self.entries {
            if let Some(old) = previous.entries.get(name)
                && old.id == entry.id
                && old.nonce == entry.nonce
                && old.ciphertext == entry.ciphertext
            {
                entry.value = Arc::clone(&old.value);
            }
        }
    }

    /// A leak detector for every value.
    pub(crate) fn detector(&self) -> Result<LeakDetector, VaultError> {
        LeakDetector::new(self.entries.iter().map(|(name, e)| (name.as_str(), e.value.expose())))
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
