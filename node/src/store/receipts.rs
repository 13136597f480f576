//! Signed receipts, the queue of receipts waiting for a batch, and the
//! batches (Merkle roots over receipt hashes) they end up in.

use super::{Store, StoreError, decode, encode, next_id};
use crate::job::JobId;
use redb::{ReadableTable, TableDefinition, WriteTransaction};
use redoubt_attestation::SignedReceipt;
use serde::{Deserialize, Serialize};

/// Receipts by hash (hex).
const RECEIPTS: TableDefinition<&str, &[u8]> = TableDefinition::new("receipts");
/// Receipts not yet in a batch, in the order they were made.
const PENDING: TableDefinition<u64, &str> = TableDefinition::new("receipts_pending");
/// Batches by index.
const BATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("batches");

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(RECEIPTS).map_err(StoreError::storage)?;
    txn.open_table(PENDING).map_err(StoreError::storage)?;
    txn.open_table(BATCHES).map_err(StoreError::storage)?;
    Ok(())
}

/// A receipt as the node keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReceipt {
    /// SHA-256 (hex) of the receipt: what the node signed and batches.
    pub hash: String,
    /// The job it is for.
    pub job_id: JobId,
    /// The receipt and the node's signature.
    pub signed: SignedReceipt,
    /// The batch it is in, once batched.
    pub batch: Option<u64>,
}

/// A batch of receipts under one Merkle root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchRecord {
    /// The batch's number (from 1).
    pub index: u64,
    /// RFC 6962 Merkle root (hex) over the receipt hashes, in order.
    pub root: String,
    /// The receipt hashes (hex), in leaf order.
    pub receipts: Vec<String>,
    /// When it was sealed (Unix ms).
    pub created_at_ms: u64,
}

/// Stores a receipt and queues it for batching (inside the job's finishing transaction).
pub(super) fn insert(txn: &WriteTransaction, receipt: &StoredReceipt) -> Result<(), StoreError> {
    let mut receipts = txn.open_table(RECEIPTS).map_err(StoreError::storage)?;
    receipts.insert(receipt.hash.as_str(), encode(receipt).as_slice()).map_err(StoreError::storage)?;
    let seq = next_id(txn, "next_pending_receipt")?;
    let mut pending = txn.open_table(PENDING).map_err(StoreError::storage)?;
    pending.insert(seq, receipt.hash.as_str()).map_err(StoreError::storage)?;
    Ok(())
}

impl Store {
    /// One receipt.
    pub fn receipt(&self, hash: &str) -> Result<Option<StoredReceipt>, StoreError> {
        self.read(|txn| {
            let receipts = txn.open_table(RECEIPTS).map_err(StoreError::storage)?;
            receipts.get(hash).map_err(StoreError::storage)?.map(|v| decode("receipts", v.value())).transpose()
        })
    }

    /// Receipts waiting for a batch: (queue position, hash), oldest first.
    pub fn pending_receipts(&self, limit: usize) -> Result<Vec<(u64, String)>, StoreError> {
        self.read(|txn| {
            let pending = txn.open_table(PENDING).map_err(StoreError::storage)?;
            let mut list = Vec::new();
            for entry in pending.iter().map_err(StoreError::storage)?.take(limit) {
                let (seq, hash) = entry.map_err(StoreError::storage)?;
                list.push((seq.value(), hash.value().to_owned()));
            }
            Ok(list)
        })
    }

    /// Seals a batch of queued receipts: assigns its index, records it, marks
    /// each receipt with it and takes them off the queue, in one transaction.
    pub async fn seal_batch(
        &self,
        root: [u8; 32],
        members: Vec<(u64, String)>,
        at_ms: u64,
    ) -> Result<BatchRecord, StoreError> {
        self.write(move |txn| {
            let mut pending = txn.open_table(PENDING).map_err(StoreError::storage)?;
            for (seq, _) in &members {
                if pending.get(*seq).map_err(StoreError::storage)?.is_none() {
                    return Err(StoreError::Rejected(format!("receipt {seq} is not waiting for a batch")));
                }
            }
            let index = next_id(txn, "next_batch")?;
            let mut receipts = txn.open_table(RECEIPTS).map_err(StoreError::storage)?;
            for (seq, hash) in &members {
                pending.remove(*seq).map_err(StoreError::storage)?;
                let stored = receipts.get(hash.as_str()).map_err(StoreError::storage)?.map(|v| v.value().to_vec());
                let Some(stored) = stored else { return Err(StoreError::storage(format!("receipt {hash} missing"))) };
                let mut receipt: StoredReceipt = decode("receipts", &stored)?;
                receipt.batch = Some(index);
                receipts.insert(hash.as_str(), encode(&receipt).as_slice()).map_err(StoreError::storage)?;
            }
            let record = BatchRecord {
                index,
                root: hex::encode(root),
                receipts: members.into_iter().map(|(_, hash)| hash).collect(),
                created_at_ms: at_ms,
            };
            let mut batches = txn.open_table(BATCHES).map_err(StoreError::storage)?;
            batches.insert(index, encode(&record).as_slice()).map_err(StoreError::storage)?;
            Ok(record)
        })
        .await
    }

    /// One batch.
    pub fn batch(&self, index: u64) -> Result<Option<BatchRecord>, StoreError> {
        self.read(|txn| {
            let batches = txn.open_table(BATCHES).map_err(StoreError::storage)?;
            batches.get(index).map_err(StoreError::storage)?.map(|v| decode("batches", v.value())).transpose()
        })
    }
}
