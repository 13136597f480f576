//! The escrow's tunable parameters (set by the owner) and its fixed limits.

use crate::error::EscrowError;
use near_sdk::{Gas, NearToken, near};

/// Most bids one job holds (bounds the gas of ranking and awarding).
pub const MAX_BIDS_PER_JOB: usize = 32;
/// Most tags one job carries.
pub const MAX_TAGS: usize = 8;
/// Longest tag, in bytes.
pub const MAX_TAG_LEN: usize = 32;
/// Furthest a deadline may be from the time the job is posted.
pub const MAX_JOB_DURATION_MS: u64 = 365 * DAY_MS;
/// Most jobs one page of `get_jobs` returns.
pub const MAX_PAGE: u64 = 100;
/// Largest fee the owner can set: 10 %.
pub const MAX_FEE_BPS: u16 = 1_000;
/// Basis points in one whole.
pub const BPS: u16 = 10_000;

/// Gas for the registry's `is_active` / `get_anchor` views.
pub const GAS_REGISTRY_VIEW: Gas = Gas::from_tgas(10);
/// Gas reserved for `on_bid_checked` (worst case: a job holding the maximum number of bids).
pub const GAS_BID_CALLBACK: Gas = Gas::from_tgas(25);
/// Gas reserved for `on_delivery_checked`.
pub const GAS_DELIVERY_CALLBACK: Gas = Gas::from_tgas(20);

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Parameters the owner may change; they apply to every job from the moment they are set.
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Fee kept from each payment to a worker, in basis points of the price (at most 1 000 = 10 %).
    pub fee_bps: u16,
    /// Weight of price in the award score, in basis points; reputation weighs `10 000 - price_weight_bps`.
    pub price_weight_bps: u16,
    /// The hirer may award any of the `top_k` best-scoring bids (at least 1).
    pub top_k: u8,
    /// Time the hirer has after a delivery to accept or reject; after it, the delivery counts as accepted.
    pub review_window_ms: u64,
    /// Time the worker has after a rejection to contest it; after it, the hirer is refunded.
    pub dispute_window_ms: u64,
    /// Time the arbiter has to resolve a contested job; after it, the hirer is refunded and nobody loses
    /// reputation.
    pub arbitration_window_ms: u64,
    /// Smallest budget a job may be posted with.
    pub min_budget: NearToken,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            fee_bps: 100,
            price_weight_bps: 6_000,
            top_k: 3,
            review_window_ms: 3 * DAY_MS,
            dispute_window_ms: 3 * DAY_MS,
            arbitration_window_ms: 14 * DAY_MS,
            min_budget: NearToken::from_millinear(10),
        }
    }
}

impl Config {
    /// Checks every field is in range.
    pub fn validate(&self) -> Result<(), EscrowError> {
        if self.fee_bps > MAX_FEE_BPS {
            return Err(EscrowError::BadConfig("fee_bps is above 1000 (10 %)"));
        }
        if self.price_weight_bps > BPS {
            return Err(EscrowError::BadConfig("price_weight_bps is above 10000"));
        }
        if self.top_k == 0 {
            return Err(EscrowError::BadConfig("top_k must be at least 1"));
        }
        let windows = [self.review_window_ms, self.dispute_window_ms, self.arbitration_window_ms];
        if windows.iter().any(|w| *w == 0 || *w > MAX_JOB_DURATION_MS) {
            return Err(EscrowError::BadConfig("every window must be between 1 ms and 365 days"));
        }
        if self.min_budget.is_zero() {
            return Err(EscrowError::BadConfig("min_budget must be above zero"));
        }
        Ok(())
    }
}
