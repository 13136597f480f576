//! The receipt-batch anchor: what the registry stores when a node anchors a batch, and what it returns to
//! views and to other contracts (the escrow checks deliveries against it).

use crate::HexBytes;
use near_sdk::near;

/// One anchored batch of execution receipts: the Merkle root of the batch and how many receipts it holds.
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// The node's batch number; strictly increasing per node.
    pub batch_index: u64,
    /// Merkle root of the batch's receipts.
    pub root: HexBytes<32>,
    /// Number of receipts in the batch (at least 1).
    pub count: u64,
    /// Block time (ms since the Unix epoch) at which the root was anchored.
    pub anchored_at_ms: u64,
}
