//! The node's database: one redb file under the data dir holding agents,
//! jobs (with their state machine), receipts and batches, the audit log,
//! alerts, the agents' key-value store (a job's writes committed with its end),
//! and the count of refused reflections per secret.
//!
//! Reads open a read transaction directly. Writes go through [`writer`]'s
//! group commit and resolve only once durable. Records are JSON values.

mod agents;
mod jobs;
mod journal;
mod kv;
mod receipts;
mod reflections;
mod writer;

pub use agents::AgentRecord;
pub use jobs::{Finish, JobFilter, NewJob};
pub use journal::{Numbered, Page};
pub use kv::{KvWrites, MAX_KEYS_PER_AGENT};
pub use receipts::{BatchRecord, StoredReceipt};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::Arc;
use writer::Writer;

/// Counters (next ids) by name.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database file or a transaction failed.
    #[error("database: {0}")]
    Storage(String),
    /// Another operation in the same commit group failed; nothing was written.
    #[error("database: the write was rolled back with a failed neighbour; retry")]
    GroupAborted,
    /// The writer is gone (the node is shutting down or the database failed).
    #[error("database unavailable")]
    Unavailable,
    /// The operation was refused before it wrote anything.
    #[error("{0}")]
    Rejected(String),
    /// A record could not be read back.
    #[error("corrupt record in {table}: {detail}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What failed.
        detail: String,
    },
}

impl StoreError {
    /// Wraps a redb error.
    pub(crate) fn storage(error: impl std::fmt::Display) -> Self {
        StoreError::Storage(error.to_string())
    }

    /// Whether the error came from storage (and so must abort the commit group).
    pub(crate) fn is_storage(&self) -> bool {
        matches!(self, StoreError::Storage(_) | StoreError::Corrupt { .. })
    }
}

/// The open database.
#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    writer: Writer,
}

impl Store {
    /// Opens (or creates) the database at `path` and starts its writer.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let db = Arc::new(Database::create(path).map_err(StoreError::storage)?);
        create_tables(&db)?;
        let writer = Writer::start(db.clone()).map_err(StoreError::storage)?;
        Ok(Store { db, writer })
    }

    /// Runs a read-only closure over a read transaction.
    fn read<T>(&self, read: impl FnOnce(&redb::ReadTransaction) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let txn = self.db.begin_read().map_err(StoreError::storage)?;
        read(&txn)
    }

    /// Queues a write and waits until it is durable.
    async fn write<T, F>(&self, operation: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.write(operation).await
    }
}

/// Creates every table, so that readers never meet a missing one.
fn create_tables(db: &Database) -> Result<(), StoreError> {
    let txn = db.begin_write().map_err(StoreError::storage)?;
    txn.open_table(META).map_err(StoreError::storage)?;
    agents::create_tables(&txn)?;
    jobs::create_tables(&txn)?;
    receipts::create_tables(&txn)?;
    journal::create_tables(&txn)?;
    kv::create_tables(&txn)?;
    reflections::create_tables(&txn)?;
    txn.commit().map_err(StoreError::storage)
}

/// Takes the next value of the counter `name` (starting at 1).
fn next_id(txn: &WriteTransaction, name: &str) -> Result<u64, StoreError> {
    let mut meta = txn.open_table(META).map_err(StoreError::storage)?;
    let next = meta.get(name).map_err(StoreError::storage)?.map_or(1, |v| v.value());
    meta.insert(name, next + 1).map_err(StoreError::storage)?;
    Ok(next)
}

/// Encodes a record.
fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialize")
}

/// Decodes a record read from `table`.
fn decode<T: DeserializeOwned>(table: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt { table, detail: e.to_string() })
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}
