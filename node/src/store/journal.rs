//! Append-only logs: the audit log (every security decision) and alerts
//! (what an operator must look at). Entries are numbered from 1.

use super::{Store, StoreError, decode, encode, next_id};
use redb::{TableDefinition, WriteTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;

const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
const ALERTS: TableDefinition<u64, &[u8]> = TableDefinition::new("alerts");

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(AUDIT).map_err(StoreError::storage)?;
    txn.open_table(ALERTS).map_err(StoreError::storage)?;
    Ok(())
}

/// A page of a log: entries after a position, and where the next page starts.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    /// The entries, oldest first, each with its number.
    pub entries: Vec<(u64, T)>,
    /// Pass as `after` to read on.
    pub last: u64,
}

/// Something that can be numbered and appended to a log.
pub trait Numbered {
    /// Sets the entry's number.
    fn set_id(&mut self, id: u64);
}

impl Store {
    /// Appends an audit record; returns it with its number.
    pub async fn append_audit<T: Serialize + Numbered + Send + 'static>(&self, record: T) -> Result<T, StoreError> {
        self.append(AUDIT, "next_audit", record).await
    }

    /// Appends an alert; returns it with its number.
    pub async fn append_alert<T: Serialize + Numbered + Send + 'static>(&self, alert: T) -> Result<T, StoreError> {
        self.append(ALERTS, "next_alert", alert).await
    }

    /// Audit records after `after`.
    pub fn audit<T: DeserializeOwned>(&self, after: u64, limit: usize) -> Result<Page<T>, StoreError> {
        self.page(AUDIT, "audit", after, limit)
    }

    /// Alerts after `after`.
    pub fn alerts<T: DeserializeOwned>(&self, after: u64, limit: usize) -> Result<Page<T>, StoreError> {
        self.page(ALERTS, "alerts", after, limit)
    }

    async fn append<T: Serialize + Numbered + Send + 'static>(
        &self,
        table: TableDefinition<'static, u64, &'static [u8]>,
        counter: &'static str,
        mut entry: T,
    ) -> Result<T, StoreError> {
        self.write(move |txn| {
            let id = next_id(txn, counter)?;
            entry.set_id(id);
            let mut log = txn.open_table(table).map_err(StoreError::storage)?;
            log.insert(id, encode(&entry).as_slice()).map_err(StoreError::storage)?;
            Ok(entry)
        })
        .await
    }

    fn page<T: DeserializeOwned>(
        &self,
        table: TableDefinition<u64, &[u8]>,
        name: &'static str,
        after: u64,
        limit: usize,
    ) -> Result<Page<T>, StoreError> {
        self.read(|txn| {
            let log = txn.open_table(table).map_err(StoreError::storage)?;
            let mut entries = Vec::new();
            for entry in log.range(after.saturating_add(1)..).map_err(StoreError::storage)?.take(limit) {
                let (id, bytes) = entry.map_err(StoreError::storage)?;
                entries.push((id.value(), decode(name, bytes.value())?));
            }
            let last = entries.last().map_or(after, |(id, _)| *id);
            Ok(Page { entries, last })
        })
    }
}
