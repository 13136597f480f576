//! Why an escrow call is refused. A refused call panics on chain, which reverts everything it did.

use crate::job::Status;
use near_sdk::{AccountId, FunctionError, NearToken};
use redoubt_contracts_common::InsufficientDeposit;

/// Every reason the escrow refuses a call, with a message a person can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, FunctionError)]
pub enum EscrowError {
    /// The caller is not the contract owner.
    #[error("only the owner may do this")]
    NotOwner,
    /// The caller is not the arbiter.
    #[error("only the arbiter may do this")]
    NotArbiter,
    /// The caller is not the job's hirer.
    #[error("only the job's hirer may do this")]
    NotHirer,
    /// The caller is not the job's worker.
    #[error("only the job's worker may do this")]
    NotWorker,
    /// The caller is neither the hirer nor the worker of the job.
    #[error("only the job's hirer or worker may do this")]
    NotAParty,
    /// No job has this id (never posted, or deleted).
    #[error("job {0} does not exist")]
    NoSuchJob(u64),
    /// The job is not in a state that allows the call.
    #[error("job is {actual}; this needs it {expected}")]
    WrongStatus {
        /// The job's status.
        actual: Status,
        /// The status (or statuses) the call needs.
        expected: &'static str,
    },
    /// The attached deposit does not cover the amount locked plus the storage used.
    #[error(transparent)]
    InsufficientDeposit(#[from] InsufficientDeposit),
    /// The budget is below the configured minimum.
    #[error("budget {budget} is below the minimum of {min}")]
    BudgetTooSmall {
        /// The budget asked for.
        budget: NearToken,
        /// The configured minimum.
        min: NearToken,
    },
    /// The deadline is in the past or too far ahead.
    #[error("the deadline must be in the future and at most {max_days} days ahead")]
    BadDeadline {
        /// The furthest a deadline may be, in days.
        max_days: u64,
    },
    /// A tag is empty, too long or has characters outside `a-z 0-9 -`.
    #[error("invalid tag {0:?}: 1 to 32 characters of a-z, 0-9 and '-'")]
    BadTag(String),
    /// More tags than allowed.
    #[error("at most {0} tags")]
    TooManyTags(usize),
    /// A bid's price is zero or above the budget.
    #[error("the bid price must be above zero and at most the budget {budget}")]
    BadPrice {
        /// The job's budget.
        budget: NearToken,
    },
    /// The bid's ETA ends after the job's deadline.
    #[error("the ETA ends after the job's deadline")]
    EtaPastDeadline,
    /// The hirer bid on its own job.
    #[error("the hirer cannot bid on its own job")]
    SelfBid,
    /// The account already has a bid on this job.
    #[error("{0} already bid on this job")]
    DuplicateBid(AccountId),
    /// The job has as many bids as it can hold.
    #[error("the job already has the maximum of {0} bids")]
    TooManyBids(usize),
    /// The account has no bid on this job.
    #[error("{0} has no bid on this job")]
    NoSuchBid(AccountId),
    /// The hirer picked a bid outside the top `k` by score.
    #[error("the bid from {bidder} ranks {rank}; only the top {top_k} may be awarded")]
    NotInTopK {
        /// The bidder picked.
        bidder: AccountId,
        /// Its rank (1 = best).
        rank: usize,
        /// How many top bids the hirer may choose from.
        top_k: u8,
    },
    /// The job's deadline has passed.
    #[error("the job's deadline has passed")]
    DeadlinePassed,
    /// The hirer's review window after delivery has closed.
    #[error("the review window has closed")]
    ReviewWindowClosed,
    /// The worker's window to contest a rejection has closed.
    #[error("the dispute window has closed")]
    DisputeWindowClosed,
    /// No time limit of this job has run out yet.
    #[error("nothing to settle: no time limit of this job has run out")]
    NothingToSettle,
    /// The registry says the bidder is not an active registered node.
    #[error("{0} is not an active node in the registry")]
    NotRegistered(AccountId),
    /// The call to the registry failed.
    #[error("the registry call failed")]
    RegistryUnavailable,
    /// The worker has not anchored the batch it names.
    #[error("batch {0} is not anchored by the worker in the registry")]
    BatchNotAnchored(u64),
    /// The batch was anchored before the job was awarded, so it cannot hold this job's receipt.
    #[error("batch {0} was anchored before the job was awarded")]
    BatchBeforeAward(u64),
    /// A privileged call did not attach exactly 1 yoctoNEAR (which proves a full-access key signed it).
    #[error("attach exactly 1 yoctoNEAR to confirm this call")]
    ConfirmationDeposit,
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    BadConfig(&'static str),
    /// There are no accrued fees to withdraw.
    #[error("no fees to withdraw")]
    NoFees,
}
