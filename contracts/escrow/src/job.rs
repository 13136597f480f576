//! A job and its bids as stored, and the JSON view of a job.

use near_sdk::{AccountId, NearToken, near};
use redoubt_contracts_common::HexBytes;
use std::fmt;

/// Where a job is in its life. `Paid`, `Refunded` and `Cancelled` are final.
#[near(serializers = [json, borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Taking bids; the budget is held.
    Open,
    /// A bid won; the agreed price is held, the rest of the budget went back to the hirer.
    Awarded,
    /// The worker delivered; the hirer reviews.
    Delivered,
    /// The hirer rejected the delivery; the worker may contest within the dispute window.
    Rejected,
    /// The worker contested the rejection; the arbiter decides.
    Contested,
    /// The worker was paid (final).
    Paid,
    /// The hirer got the held amount back (final).
    Refunded,
    /// The hirer withdrew the job before awarding it (final).
    Cancelled,
}

impl Status {
    /// Whether the job is over (no more money moves).
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Paid | Status::Refunded | Status::Cancelled)
    }

    /// Whether a worker holds the job (award made, not yet closed).
    pub fn is_assigned(self) -> bool {
        matches!(self, Status::Awarded | Status::Delivered | Status::Rejected | Status::Contested)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Status::Open => "open",
            Status::Awarded => "awarded",
            Status::Delivered => "delivered",
            Status::Rejected => "rejected",
            Status::Contested => "contested",
            Status::Paid => "paid",
            Status::Refunded => "refunded",
            Status::Cancelled => "cancelled",
        };
        f.write_str(name)
    }
}

/// One node's offer for a job.
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bid {
    /// The bidding node's account.
    pub bidder: AccountId,
    /// What the node asks to be paid (at most the budget).
    pub price: NearToken,
    /// How long the node says the job takes, in ms.
    pub eta_ms: u64,
    /// Block time the bid was recorded.
    pub placed_at_ms: u64,
    /// Storage the bidder paid for this bid, in bytes; refunded when the bid is removed.
    pub storage_bytes: u64,
}

/// What the worker delivered: the hash of its signed execution receipt and the anchored batch holding it.
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Delivery {
    /// SHA-256 of the execution receipt.
    pub receipt_hash: HexBytes<32>,
    /// Batch (anchored in the registry by the worker) that holds the receipt.
    pub batch_index: u64,
    /// The batch's Merkle root as anchored, copied here so the hirer checks inclusion against it.
    pub batch_root: HexBytes<32>,
    /// Number of receipts in the batch.
    pub batch_count: u64,
    /// Block time of the delivery (0 while there is none).
    pub delivered_at_ms: u64,
}

/// A job as stored. Its size is fixed when posted except for `bids`, so the hirer pays for the job's whole
/// life up front and each bidder for its own bid.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Who posted the job and holds its deposit.
    pub hirer: AccountId,
    /// The most the hirer pays.
    pub budget: NearToken,
    /// SHA-256 of the job's specification (kept off chain).
    pub spec_hash: HexBytes<32>,
    /// What kind of work this is (e.g. `summarize`, `gpu`).
    pub tags: Vec<String>,
    /// Block time the job was posted.
    pub posted_at_ms: u64,
    /// Delivery deadline; an open or awarded job past it is refunded to the hirer.
    pub deadline_ms: u64,
    /// Where the job is.
    pub status: Status,
    /// Block time the status last changed.
    pub status_at_ms: u64,
    /// Block time of the award (0 before).
    pub awarded_at_ms: u64,
    /// Agreed price (zero before the award).
    pub price: NearToken,
    /// The delivery (all zero before one).
    pub delivery: Delivery,
    /// Storage the hirer paid for the job without its bids, in bytes.
    pub storage_bytes: u64,
    /// Open: every bid. From the award on: the winning bid only.
    pub bids: Vec<Bid>,
}

impl Job {
    /// The worker: the winning bidder once the job is awarded.
    pub fn worker(&self) -> Option<&AccountId> {
        if self.awarded_at_ms == 0 { None } else { self.bids.first().map(|b| &b.bidder) }
    }

    /// The amount the contract holds for this job right now.
    pub fn escrowed(&self) -> NearToken {
        match self.status {
            Status::Open => self.budget,
            s if s.is_assigned() => self.price,
            _ => NearToken::from_yoctonear(0),
        }
    }

    /// The delivery, if there has been one.
    pub fn delivered(&self) -> Option<&Delivery> {
        (self.delivery.delivered_at_ms != 0).then_some(&self.delivery)
    }

    /// Moves the job to `status` at `now_ms`.
    pub fn set_status(&mut self, status: Status, now_ms: u64) {
        self.status = status;
        self.status_at_ms = now_ms;
    }

    /// The view of this job.
    pub fn view(&self, id: u64) -> JobView {
        JobView {
            id,
            hirer: self.hirer.clone(),
            budget: self.budget,
            spec_hash: self.spec_hash,
            tags: self.tags.clone(),
            posted_at_ms: self.posted_at_ms,
            deadline_ms: self.deadline_ms,
            status: self.status,
            status_at_ms: self.status_at_ms,
            worker: self.worker().cloned(),
            price: self.worker().map(|_| self.price),
            awarded_at_ms: (self.awarded_at_ms != 0).then_some(self.awarded_at_ms),
            delivery: self.delivered().cloned(),
            bid_count: self.bids.len() as u32,
            escrowed: self.escrowed(),
        }
    }
}

/// A job as views return it.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobView {
    /// The job's id.
    pub id: u64,
    /// Who posted it.
    pub hirer: AccountId,
    /// The most the hirer pays.
    pub budget: NearToken,
    /// SHA-256 of the specification.
    pub spec_hash: HexBytes<32>,
    /// Tags.
    pub tags: Vec<String>,
    /// Block time it was posted.
    pub posted_at_ms: u64,
    /// Delivery deadline.
    pub deadline_ms: u64,
    /// Where it is.
    pub status: Status,
    /// When the status last changed.
    pub status_at_ms: u64,
    /// The worker, once awarded.
    pub worker: Option<AccountId>,
    /// The agreed price, once awarded.
    pub price: Option<NearToken>,
    /// When it was awarded.
    pub awarded_at_ms: Option<u64>,
    /// The delivery, once delivered.
    pub delivery: Option<Delivery>,
    /// Bids it holds (open: all; later: the winner).
    pub bid_count: u32,
    /// What the contract holds for it now.
    pub escrowed: NearToken,
}
