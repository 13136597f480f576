//! The agents' key-value store: each agent sees only its own keys (scoped by
//! agent name), with bounded key and value sizes and a bounded key count.
//!
//! Reads go straight to the database. Writes are not made one by one: a job
//! gathers its writes in [`KvWrites`] and they are committed all together,
//! in the transaction that finishes the job ([`super::Finish::kv`]).

use super::{Store, StoreError};
use redb::{TableDefinition, WriteTransaction};
use std::collections::BTreeMap;

/// Values by `agent \0 key`.
const KV: TableDefinition<&str, &[u8]> = TableDefinition::new("kv");

/// Longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 256;
/// Largest value, in bytes (the sandbox's cap on `kv_bytes`; a manifest asks for less).
pub const MAX_VALUE_BYTES: usize = 1 << 20;
/// Most keys one agent may hold.
pub const MAX_KEYS_PER_AGENT: usize = 10_000;

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(KV).map_err(StoreError::storage)?;
    Ok(())
}

fn scoped(agent: &str, key: &str) -> Result<String, StoreError> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES || key.contains('\0') {
        return Err(StoreError::Rejected(format!("keys are 1 to {MAX_KEY_BYTES} bytes without NUL")));
    }
    Ok(format!("{agent}\0{key}"))
}

/// One agent's key-value writes, gathered to be committed together: for each
/// key, its new value or `None` for a removal. Keys are checked as they are
/// added; the values' total is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvWrites {
    agent: String,
    entries: BTreeMap<String, Option<Vec<u8>>>,
    value_bytes: usize,
}

impl KvWrites {
    /// No writes yet for `agent`.
    pub fn new(agent: &str) -> KvWrites {
        KvWrites { agent: agent.to_owned(), entries: BTreeMap::new(), value_bytes: 0 }
    }

    /// Sets `key` to `value` (replacing an earlier write of it).
    pub fn set(&mut self, key: &str, value: Vec<u8>) -> Result<(), StoreError> {
        if value.len() > MAX_VALUE_BYTES {
            return Err(StoreError::Rejected(format!("values are at most {MAX_VALUE_BYTES} bytes")));
        }
        self.put(key, Some(value))
    }

    /// Removes `key` (no error if it is absent).
    pub fn delete(&mut self, key: &str) -> Result<(), StoreError> {
        self.put(key, None)
    }

    fn put(&mut self, key: &str, value: Option<Vec<u8>>) -> Result<(), StoreError> {
        scoped(&self.agent, key)?;
        let added = value.as_ref().map_or(0, Vec::len);
        let replaced = self.entries.insert(key.to_owned(), value);
        let removed = replaced.flatten().map_or(0, |old| old.len());
        self.value_bytes = self.value_bytes + added - removed;
        Ok(())
    }

    /// What this batch says of `key`: `None` if it does not touch it,
    /// `Some(None)` if it removes it, `Some(Some(value))` if it sets it.
    pub fn get(&self, key: &str) -> Option<Option<&[u8]>> {
        self.entries.get(key).map(Option::as_deref)
    }

    /// How many keys it touches.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it touches no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The bytes of the values it sets, together.
    pub fn value_bytes(&self) -> usize {
        self.value_bytes
    }
}

/// Applies `writes` in `txn`. Only a storage error can stop it (the keys were
/// checked as the writes were gathered).
pub(super) fn apply(txn: &WriteTransaction, writes: &KvWrites) -> Result<(), StoreError> {
    let mut kv = txn.open_table(KV).map_err(StoreError::storage)?;
    for (key, value) in &writes.entries {
        let scoped_key = format!("{}\0{key}", writes.agent);
        match value {
            Some(value) => kv.insert(scoped_key.as_str(), value.as_slice()).map(drop),
            None => kv.remove(scoped_key.as_str()).map(drop),
        }
        .map_err(StoreError::storage)?;
    }
    Ok(())
}

impl Store {
    /// An agent's value for `key`.
    pub fn kv_get(&self, agent: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = scoped(agent, key)?;
        self.read(|txn| {
            let kv = txn.open_table(KV).map_err(StoreError::storage)?;
            Ok(kv.get(key.as_str()).map_err(StoreError::storage)?.map(|v| v.value().to_vec()))
        })
    }

    /// Whether an agent holds `key`.
    pub fn kv_contains(&self, agent: &str, key: &str) -> Result<bool, StoreError> {
        let key = scoped(agent, key)?;
        self.read(|txn| {
            let kv = txn.open_table(KV).map_err(StoreError::storage)?;
            Ok(kv.get(key.as_str()).map_err(StoreError::storage)?.is_some())
        })
    }

    /// How many keys an agent holds.
    pub fn kv_held(&self, agent: &str) -> Result<usize, StoreError> {
        let (prefix, end) = (format!("{agent}\0"), format!("{agent}\u{1}"));
        self.read(|txn| {
            let kv = txn.open_table(KV).map_err(StoreError::storage)?;
            Ok(kv.range(prefix.as_str()..end.as_str()).map_err(StoreError::storage)?.count())
        })
    }

    /// Commits `writes` on their own, durably (a job's writes are committed
    /// with its end instead, see [`super::Finish::kv`]).
    pub async fn kv_commit(&self, writes: KvWrites) -> Result<(), StoreError> {
        self.write(move |txn| apply(txn, &writes)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_keep_the_last_word_per_key_and_count_their_values() {
        let mut writes = KvWrites::new("agent");
        writes.set("a", vec![1; 10]).unwrap();
        writes.set("a", vec![2; 4]).unwrap();
        writes.set("b", vec![3; 6]).unwrap();
        writes.delete("b").unwrap();
        writes.delete("c").unwrap();
        assert_eq!((writes.len(), writes.value_bytes()), (3, 4));
        assert_eq!(writes.get("a"), Some(Some(&[2u8; 4][..])));
        assert_eq!((writes.get("b"), writes.get("c"), writes.get("d")), (Some(None), Some(None), None));
        assert!(writes.set("", vec![]).is_err() && writes.set("x\0y", vec![]).is_err());
        assert!(writes.set("big", vec![0; MAX_VALUE_BYTES + 1]).is_err());
        assert_eq!(writes.len(), 3, "refused writes leave nothing");
    }
}
