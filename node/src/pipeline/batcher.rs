//! Seals receipts into Merkle batches: when a batch's worth is waiting (the
//! pipeline counts receipts and wakes the batcher then, so a finished job costs
//! no queue read), or at every batch interval. Receipts waiting when the
//! process stopped are batched after a restart (the queue is in the database).

use crate::events::Event;
use crate::node::Node;
use crate::store::{BatchRecord, StoreError, now_ms};
use redoubt_attestation::Batch;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Runs the batcher until the node is dropped.
pub fn start(node: &Arc<Node>) {
    let weak = Arc::downgrade(node);
    let interval = Duration::from_millis(node.config.jobs.batch_interval_ms.max(1));
    tokio::spawn(async move {
        loop {
            let Some(node) = weak.upgrade() else { return };
            let woken = tokio::time::timeout(interval, node.batch_due.notified()).await.is_ok();
            let size = node.config.jobs.batch_size.max(1);
            // Woken by a full batch: seal only full batches; on the interval, seal what waits.
            let result = seal_ready(&node, size, !woken).await;
            if let Err(error) = result {
                tracing::error!(%error, "sealing a receipt batch failed");
            }
        }
    });
}

/// Seals full batches, and a partial one too when `flush` is set.
pub async fn seal_ready(node: &Node, size: usize, flush: bool) -> Result<Vec<BatchRecord>, StoreError> {
    let mut sealed = Vec::new();
    loop {
        let waiting = node.store.pending_receipts(size)?;
        if waiting.is_empty() || (waiting.len() < size && !flush) {
            return Ok(sealed);
        }
        let leaves: Vec<[u8; 32]> = waiting
            .iter()
            .map(|(_, hash)| {
                let mut leaf = [0u8; 32];
                hex::decode_to_slice(hash, &mut leaf).map(|()| leaf)
            })
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt { table: "receipts_pending", detail: e.to_string() })?;
        let batch = Batch::new(&leaves).expect("a non-empty batch has a root");
        let record = node.store.seal_batch(batch.root(), waiting, now_ms()).await?;
        let sealed_count = record.receipts.len();
        let _ = node
            .receipts_waiting
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_sub(sealed_count)));
        node.events.publish(Event::BatchSealed {
            index: record.index,
            root: record.root.clone(),
            count: record.receipts.len(),
        });
        sealed.push(record);
    }
}
