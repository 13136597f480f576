//! How many times each secret was caught reflected or re-encoded on its way to or from an agent
//! (the egress gate refused the message): shown with the secret's uses.

use super::{Store, StoreError};
use redb::{ReadableTable, TableDefinition, WriteTransaction};

/// Refused reflections by secret name.
const REFLECTIONS: TableDefinition<&str, u64> = TableDefinition::new("secret_reflections");

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(REFLECTIONS).map_err(StoreError::storage)?;
    Ok(())
}

impl Store {
    /// Counts one refused reflection of `secret`.
    pub async fn count_reflection(&self, secret: &str) -> Result<(), StoreError> {
        let secret = secret.to_string();
        self.write(move |txn| {
            let mut table = txn.open_table(REFLECTIONS).map_err(StoreError::storage)?;
            let count = table.get(secret.as_str()).map_err(StoreError::storage)?.map_or(0, |v| v.value());
            table.insert(secret.as_str(), count + 1).map_err(StoreError::storage)?;
            Ok(())
        })
        .await
    }

    /// Refused reflections of `secret` so far.
    pub fn reflections(&self, secret: &str) -> Result<u64, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(REFLECTIONS).map_err(StoreError::storage)?;
            Ok(table.get(secret).map_err(StoreError::storage)?.map_or(0, |v| v.value()))
        })
    }
}
