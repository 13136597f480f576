//! The agents' key-value store: each agent sees only its own keys (scoped by
//! agent name), with bounded key and value sizes and a bounded key count.

use super::{Store, StoreError};
use redb::{ReadableTable, TableDefinition, WriteTransaction};

/// Values by `agent \0 key`.
const KV: TableDefinition<&str, &[u8]> = TableDefinition::new("kv");

/// Longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 256;
/// Largest value, in bytes.
pub const MAX_VALUE_BYTES: usize = 64 << 10;
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

impl Store {
    /// An agent's value for `key`.
    pub fn kv_get(&self, agent: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = scoped(agent, key)?;
        self.read(|txn| {
            let kv = txn.open_table(KV).map_err(StoreError::storage)?;
            Ok(kv.get(key.as_str()).map_err(StoreError::storage)?.map(|v| v.value().to_vec()))
        })
    }

    /// Sets an agent's value for `key`.
    pub async fn kv_set(&self, agent: &str, key: &str, value: Vec<u8>) -> Result<(), StoreError> {
        if value.len() > MAX_VALUE_BYTES {
            return Err(StoreError::Rejected(format!("values are at most {MAX_VALUE_BYTES} bytes")));
        }
        let scoped_key = scoped(agent, key)?;
        let prefix = format!("{agent}\0");
        self.write(move |txn| {
            let mut kv = txn.open_table(KV).map_err(StoreError::storage)?;
            if kv.get(scoped_key.as_str()).map_err(StoreError::storage)?.is_none() {
                let end = format!("{agent}\u{1}", agent = prefix.trim_end_matches('\0'));
                let held = kv.range(prefix.as_str()..end.as_str()).map_err(StoreError::storage)?.count();
                if held >= MAX_KEYS_PER_AGENT {
                    return Err(StoreError::Rejected(format!("an agent holds at most {MAX_KEYS_PER_AGENT} keys")));
                }
            }
            kv.insert(scoped_key.as_str(), value.as_slice()).map_err(StoreError::storage)?;
            Ok(())
        })
        .await
    }

    /// Removes an agent's `key` (no error if absent).
    pub async fn kv_delete(&self, agent: &str, key: &str) -> Result<(), StoreError> {
        let key = scoped(agent, key)?;
        self.write(move |txn| {
            let mut kv = txn.open_table(KV).map_err(StoreError::storage)?;
            kv.remove(key.as_str()).map_err(StoreError::storage)?;
            Ok(())
        })
        .await
    }
}
