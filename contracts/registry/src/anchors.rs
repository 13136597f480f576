//! Receipt-batch anchors: an active node records the Merkle root of each batch of its execution receipts.

use crate::error::RegistryError;
use crate::{Registry, RegistryExt, events, now_ms};
use near_sdk::serde_json::json;
use near_sdk::{AccountId, env, near};
use redoubt_contracts_common::{Anchor, HexBytes, StorageMeter, refund, storage_cost, take_from_deposit};

/// Most anchors one page of `get_anchors` returns.
const MAX_PAGE: u64 = 100;

/// A node's anchoring so far.
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorHead {
    /// How many batches it anchored.
    pub count: u64,
    /// The index of its last anchored batch.
    pub last_batch_index: u64,
}

#[near]
impl Registry {
    /// Anchors a receipt batch of the calling node, which must be active: `batch_index` above the node's
    /// last one, `root` the batch's Merkle root, `count` its number of receipts. Attach the storage deposit
    /// (about 0.0015 NEAR); the change comes back. Anchors are permanent.
    #[payable]
    #[handle_result]
    pub fn anchor_batch(&mut self, batch_index: u64, root: HexBytes<32>, count: u64) -> Result<Anchor, RegistryError> {
        let account = env::predecessor_account_id();
        let node = self.nodes.get(&account).ok_or(RegistryError::NotRegistered(account.clone()))?;
        let now = now_ms();
        if !self.in_force(node, now) {
            return Err(RegistryError::NotActive(account));
        }
        if count == 0 {
            return Err(RegistryError::EmptyBatch);
        }
        let head = self.anchor_heads.get(&account).cloned();
        if let Some(head) = &head
            && batch_index <= head.last_batch_index
        {
            return Err(RegistryError::BatchIndexNotIncreasing { index: batch_index, last: head.last_batch_index });
        }
        let sequence = head.map_or(0, |h| h.count);
        let anchor = Anchor { batch_index, root, count, anchored_at_ms: now };
        let meter = StorageMeter::start();
        self.anchors.insert((account.clone(), sequence), anchor.clone());
        self.anchor_heads.insert(account.clone(), AnchorHead { count: sequence + 1, last_batch_index: batch_index });
        self.flush();
        let change = take_from_deposit(env::attached_deposit(), storage_cost(meter.grown()))?;
        refund(&account, change);
        events::emit(
            "batch_anchored",
            &json!({ "account_id": account, "batch_index": batch_index, "root": root, "count": count }),
        );
        Ok(anchor)
    }

    /// The batch `batch_index` anchored by `account_id`, if any (binary search over its anchors).
    pub fn get_anchor(&self, account_id: AccountId, batch_index: u64) -> Option<Anchor> {
        let head = self.anchor_heads.get(&account_id)?;
        let (mut lo, mut hi) = (0u64, head.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let anchor = self.anchors.get(&(account_id.clone(), mid))?;
            match anchor.batch_index.cmp(&batch_index) {
                std::cmp::Ordering::Equal => return Some(anchor.clone()),
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        None
    }

    /// Up to `limit` (default and maximum 100) of `account_id`'s anchors, from its `from`-th (default 0),
    /// in anchoring order.
    pub fn get_anchors(&self, account_id: AccountId, from: Option<u64>, limit: Option<u64>) -> Vec<Anchor> {
        let count = self.anchor_heads.get(&account_id).map_or(0, |h| h.count);
        let from = from.unwrap_or(0);
        let to = from.saturating_add(limit.unwrap_or(MAX_PAGE).min(MAX_PAGE)).min(count);
        (from..to).filter_map(|i| self.anchors.get(&(account_id.clone(), i)).cloned()).collect()
    }

    /// How many batches `account_id` anchored and the last index.
    pub fn get_anchor_head(&self, account_id: AccountId) -> Option<AnchorHead> {
        self.anchor_heads.get(&account_id).cloned()
    }
}
