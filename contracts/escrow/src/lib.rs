//! NEAR contract: reputation-weighted job escrow between Redoubt nodes.
//!
//! # A job's life
//!
//! | status | how it gets there | money held | what can happen next |
//! |---|---|---|---|
//! | `open` | `post_job` (hirer attaches budget + storage) | budget | `place_bid`, `withdraw_bid`; `award` (hirer); `cancel_job` (hirer) -> `cancelled`; deadline passes -> `settle` -> `refunded` |
//! | `awarded` | `award` of a bid in the top `top_k`; the rest of the budget goes back | price | `deliver` (worker, before the deadline); deadline passes -> `settle` -> `refunded`, worker -2 |
//! | `delivered` | `deliver` with a batch the worker anchored after the award | price | `accept` -> `paid`; `reject` (within the review window); review window passes -> `settle` -> `paid` |
//! | `rejected` | `reject` | price | `contest` (worker, within the dispute window); `accept`; window passes -> `settle` -> `refunded`, worker -3 |
//! | `contested` | `contest` | price | `resolve` (arbiter) -> `paid` (hirer -3 if it is a node) or `refunded` (worker -3); `accept`; arbitration window passes -> `settle` -> `refunded` |
//! | `paid`, `refunded`, `cancelled` | | nothing | `delete_job` returns the storage deposits |
//!
//! A payment to the worker is the price less the fee (`fee_bps`, default 1 %), and adds +1 to its
//! reputation.
//!
//! Only nodes the registry contract (`redoubt-registry`) says are active may bid: `place_bid` asks the
//! registry's `is_active` view cross-contract and the bid is recorded in the callback. A delivery names a
//! receipt-batch the worker anchored in the registry after the award; `deliver` checks it with the
//! registry's `get_anchor` view the same way. Asking the registry (instead of keeping a copy of its node
//! list here) means one source of truth: a node whose registration expires or whose measurement the owner
//! revokes cannot bid from that moment, and no owner can slip an unattested node in.
//!
//! # Award score
//!
//! See [`score`]: `score = (w * price_score + (10 000 - w) * rep_score) / 10 000` in basis points, where
//! `price_score = (budget - price) / budget`, `rep_score` maps reputation clamped to ±20 onto 0..10 000, and
//! `w = price_weight_bps` (default 6 000). The hirer may award any of the `top_k` (default 3) best bids.
//!
//! # Reputation
//!
//! An integer per node ([`reputation`]): +1 per paid job, -3 per lost dispute, -2 per missed deadline.
//!
//! # Funds
//!
//! The contract's balance always equals its own base balance plus [`ledger::Totals`]: the amount held for
//! live jobs (`escrowed`), fees kept from payments (`fees_accrued`, which only the owner can withdraw), bid
//! deposits waiting for the registry's answer (`in_flight`), and the storage deposits users paid for the
//! state they caused (`storage_bytes` at the protocol's byte price). Each amount leaves exactly once: a
//! job's held amount goes to the worker (less the fee) or back to the hirer when the job closes, and a
//! closed job can never pay again.
//!
//! # Storage
//!
//! Whoever makes the state grow pays for it from the deposit attached to the call; the change is returned
//! and a deposit that is too small is refused. The hirer pays for the job record (its size is fixed when
//! posted), each bidder for its bid and for its reputation record. A removed bid refunds its bidder;
//! `delete_job` on a closed job refunds the hirer and the remaining bidder. Reputation records stay. The
//! contract's root record (roles, configuration, totals) is paid by the contract account's own balance.
//!
//! # Limits
//!
//! Registration is checked when a bid is placed, not again at the award. A payment to an account deleted
//! in the meantime fails and NEAR returns it to the contract, outside the totals. Reputation can be farmed
//! by hiring oneself through another account; each such job costs the fee.
//!
//! # Events
//!
//! Every state change logs a NEP-297 event ([`events`]).
//!
//! # Modules
//!
//! - [`config`]: tunable parameters and fixed limits.
//! - [`error`]: why a call is refused.
//! - [`events`]: NEP-297 event logging.
//! - [`job`]: jobs, bids, deliveries and the job view.
//! - [`ledger`]: the running totals and every movement of money.
//! - [`registry`]: the registry's views, called cross-contract.
//! - [`reputation`]: per-node reputation.
//! - [`score`]: the award score and the ranking of bids.
//! - [`settle`]: closing jobs whose time ran out, and the arbiter's ruling.
//! - `admin`, `hirer`, `worker`, `views`: the other methods, by who calls them.

pub mod config;
pub mod error;
pub mod events;
pub mod job;
pub mod ledger;
pub mod registry;
pub mod reputation;
pub mod score;
pub mod settle;

mod admin;
mod hirer;
mod views;
mod worker;

#[cfg(test)]
mod tests;

pub use config::Config;
pub use error::EscrowError;
pub use job::{Bid, Delivery, Job, JobView, Status};
pub use ledger::{Totals, TotalsView};
pub use reputation::NodeStats;
pub use score::RankedBid;
pub use views::ConfigView;

use near_sdk::store::LookupMap;
use near_sdk::{AccountId, BorshStorageKey, PanicOnDefault, env, near};

/// Prefixes of the contract's collections.
#[near(serializers = [borsh])]
#[derive(BorshStorageKey)]
enum StorageKey {
    Jobs,
    Nodes,
}

/// The escrow's state.
#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct Escrow {
    owner: AccountId,
    arbiter: AccountId,
    registry: AccountId,
    config: Config,
    next_job_id: u64,
    totals: Totals,
    jobs: LookupMap<u64, Job>,
    nodes: LookupMap<AccountId, NodeStats>,
}

impl Escrow {
    fn job(&self, job_id: u64) -> Result<&Job, EscrowError> {
        self.jobs.get(&job_id).ok_or(EscrowError::NoSuchJob(job_id))
    }

    fn reputation_of(&self, account: &AccountId) -> i64 {
        self.nodes.get(account).map_or(0, |n| n.reputation)
    }

    /// Writes cached collection entries so `env::storage_usage()` sees them.
    fn flush(&mut self) {
        self.jobs.flush();
        self.nodes.flush();
    }
}

fn now_ms() -> u64 {
    env::block_timestamp_ms()
}
