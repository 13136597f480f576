//! Methods a hirer calls: post a job, cancel it, award it, accept or reject the delivery, delete it.

use crate::config::{MAX_JOB_DURATION_MS, MAX_TAG_LEN, MAX_TAGS};
use crate::error::EscrowError;
use crate::job::{Delivery, Job, Status};
use crate::score::rank;
use crate::{Escrow, EscrowExt, events, now_ms};
use near_sdk::serde_json::json;
use near_sdk::{AccountId, NearToken, env, near};
use redoubt_contracts_common::{HexBytes, StorageMeter, refund, storage_cost, take_from_deposit};

#[near]
impl Escrow {
    /// Posts a job. Attach `budget` plus the storage deposit for the job record (the change is returned);
    /// returns the job id. `deadline_ms` is the delivery deadline (block time, ms), at most 365 days ahead.
    #[payable]
    #[handle_result]
    pub fn post_job(
        &mut self,
        budget: NearToken,
        deadline_ms: u64,
        tags: Vec<String>,
        spec_hash: HexBytes<32>,
    ) -> Result<u64, EscrowError> {
        let hirer = env::predecessor_account_id();
        let now = now_ms();
        if budget < self.config.min_budget {
            return Err(EscrowError::BudgetTooSmall { budget, min: self.config.min_budget });
        }
        if deadline_ms <= now || deadline_ms - now > MAX_JOB_DURATION_MS {
            return Err(EscrowError::BadDeadline { max_days: MAX_JOB_DURATION_MS / 86_400_000 });
        }
        validate_tags(&tags)?;
        let id = self.next_job_id;
        let job = Job {
            hirer: hirer.clone(),
            budget,
            spec_hash,
            tags: tags.clone(),
            posted_at_ms: now,
            deadline_ms,
            status: Status::Open,
            status_at_ms: now,
            awarded_at_ms: 0,
            price: NearToken::from_yoctonear(0),
            delivery: Delivery::default(),
            storage_bytes: 0,
            bids: Vec::new(),
        };
        let meter = StorageMeter::start();
        self.jobs.insert(id, job);
        self.flush();
        let bytes = meter.grown();
        let change = take_from_deposit(env::attached_deposit(), budget.saturating_add(storage_cost(bytes)))?;
        if let Some(job) = self.jobs.get_mut(&id) {
            job.storage_bytes = bytes;
        }
        self.next_job_id += 1;
        self.hold(budget);
        self.add_storage(bytes);
        refund(&hirer, change);
        events::emit(
            "job_posted",
            &json!({ "job_id": id, "hirer": hirer, "budget": budget, "deadline_ms": deadline_ms, "tags": tags,
                     "spec_hash": spec_hash, "storage_deposit": storage_cost(bytes) }),
        );
        Ok(id)
    }

    /// Withdraws an open job: the budget goes back to the hirer and every bidder gets its storage deposit
    /// back.
    #[handle_result]
    pub fn cancel_job(&mut self, job_id: u64) -> Result<(), EscrowError> {
        let mut job = self.hirer_job(job_id, &[Status::Open], "open")?;
        self.drop_bids(job_id, &mut job, None);
        job.set_status(Status::Cancelled, now_ms());
        self.refund_hirer(job_id, &job.hirer, job.budget, "cancelled");
        self.jobs.insert(job_id, job);
        events::emit("job_cancelled", &json!({ "job_id": job_id }));
        Ok(())
    }

    /// Awards an open job to `bidder`, whose bid must rank in the top `top_k` by score. The price is held,
    /// the rest of the budget goes back to the hirer and the other bidders get their storage deposits back.
    #[handle_result]
    pub fn award(&mut self, job_id: u64, bidder: AccountId) -> Result<(), EscrowError> {
        let mut job = self.hirer_job(job_id, &[Status::Open], "open")?;
        let now = now_ms();
        if now > job.deadline_ms {
            return Err(EscrowError::DeadlinePassed);
        }
        let ranked =
            rank(job.budget, &job.bids, |a| self.reputation_of(a), self.config.price_weight_bps, self.config.top_k);
        let winner = ranked.iter().find(|r| r.bidder == bidder).ok_or(EscrowError::NoSuchBid(bidder.clone()))?;
        if !winner.awardable {
            let (rank, top_k) = (winner.rank as usize, self.config.top_k);
            return Err(EscrowError::NotInTopK { bidder, rank, top_k });
        }
        let (score_bps, rank) = (winner.score_bps, winner.rank);
        self.drop_bids(job_id, &mut job, Some(&bidder));
        job.price = winner.price;
        job.awarded_at_ms = now;
        job.set_status(Status::Awarded, now);
        let rest = job.budget.saturating_sub(job.price);
        events::emit(
            "job_awarded",
            &json!({ "job_id": job_id, "worker": bidder, "price": job.price, "rank": rank, "score_bps": score_bps }),
        );
        if !rest.is_zero() {
            self.refund_hirer(job_id, &job.hirer, rest, "budget_above_price");
        }
        self.jobs.insert(job_id, job);
        Ok(())
    }

    /// Accepts the delivery (or, after rejecting it, concedes): the worker is paid the price less the fee.
    #[handle_result]
    pub fn accept(&mut self, job_id: u64) -> Result<(), EscrowError> {
        let expected = &[Status::Delivered, Status::Rejected, Status::Contested];
        let mut job = self.hirer_job(job_id, expected, "delivered, rejected or contested")?;
        let worker = job.worker().cloned().ok_or(EscrowError::NotWorker)?;
        job.set_status(Status::Paid, now_ms());
        self.pay_worker(job_id, &worker, job.price, "accepted");
        self.jobs.insert(job_id, job);
        Ok(())
    }

    /// Rejects the delivery within the review window; the worker may contest within the dispute window.
    #[handle_result]
    pub fn reject(&mut self, job_id: u64) -> Result<(), EscrowError> {
        let mut job = self.hirer_job(job_id, &[Status::Delivered], "delivered")?;
        let now = now_ms();
        if now > job.status_at_ms.saturating_add(self.config.review_window_ms) {
            return Err(EscrowError::ReviewWindowClosed);
        }
        job.set_status(Status::Rejected, now);
        self.jobs.insert(job_id, job);
        let contest_until = now.saturating_add(self.config.dispute_window_ms);
        events::emit("job_rejected", &json!({ "job_id": job_id, "contest_until_ms": contest_until }));
        Ok(())
    }

    /// Deletes a closed job, returning the storage deposits: the job record's to the hirer, a remaining
    /// bid's to its bidder. Either party may call it.
    #[handle_result]
    pub fn delete_job(&mut self, job_id: u64) -> Result<(), EscrowError> {
        let job = self.job(job_id)?;
        let caller = env::predecessor_account_id();
        if caller != job.hirer && job.worker() != Some(&caller) {
            return Err(EscrowError::NotAParty);
        }
        if !job.status.is_closed() {
            return Err(EscrowError::WrongStatus { actual: job.status, expected: "paid, refunded or cancelled" });
        }
        let mut job = self.jobs.remove(&job_id).ok_or(EscrowError::NoSuchJob(job_id))?;
        self.drop_bids(job_id, &mut job, None);
        let refunded = self.release_storage(&job.hirer, job.storage_bytes);
        events::emit("job_deleted", &json!({ "job_id": job_id, "hirer": job.hirer, "storage_refund": refunded }));
        Ok(())
    }
}

impl Escrow {
    /// The job, if the caller is its hirer and it is in one of `expected` (described by `describe`).
    fn hirer_job(&self, job_id: u64, expected: &[Status], describe: &'static str) -> Result<Job, EscrowError> {
        let job = self.job(job_id)?;
        if job.hirer != env::predecessor_account_id() {
            return Err(EscrowError::NotHirer);
        }
        if !expected.contains(&job.status) {
            return Err(EscrowError::WrongStatus { actual: job.status, expected: describe });
        }
        Ok(job.clone())
    }

    /// Removes every bid of `job` except `keep`'s, returning each bidder's storage deposit.
    pub(crate) fn drop_bids(&mut self, job_id: u64, job: &mut Job, keep: Option<&AccountId>) {
        let (kept, dropped): (Vec<_>, Vec<_>) = job.bids.drain(..).partition(|b| Some(&b.bidder) == keep);
        job.bids = kept;
        for bid in dropped {
            let refunded = self.release_storage(&bid.bidder, bid.storage_bytes);
            events::emit("bid_removed", &json!({ "job_id": job_id, "bidder": bid.bidder, "storage_refund": refunded }));
        }
    }
}

/// Checks tags: at most [`MAX_TAGS`], each 1..=[`MAX_TAG_LEN`] characters of `a-z`, `0-9`, `-`.
fn validate_tags(tags: &[String]) -> Result<(), EscrowError> {
    if tags.len() > MAX_TAGS {
        return Err(EscrowError::TooManyTags(MAX_TAGS));
    }
    let valid = |t: &String| {
        (1..=MAX_TAG_LEN).contains(&t.len())
            && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    match tags.iter().find(|t| !valid(t)) {
        Some(bad) => Err(EscrowError::BadTag(bad.clone())),
        None => Ok(()),
    }
}
