//! The registry contract as the escrow sees it: two views, called cross-contract.

use near_sdk::{AccountId, ext_contract};
use redoubt_contracts_common::Anchor;

/// Views of `redoubt-registry` the escrow calls.
#[ext_contract(ext_registry)]
pub trait RegistryViews {
    /// Whether `account_id` is a registered node whose registration is in force.
    fn is_active(&self, account_id: AccountId) -> bool;
    /// The batch `batch_index` anchored by `account_id`, if any.
    fn get_anchor(&self, account_id: AccountId, batch_index: u64) -> Option<Anchor>;
}
