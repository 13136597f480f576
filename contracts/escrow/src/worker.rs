//! Methods a node calls: bid (checked against the registry), withdraw a bid, deliver (checked against the
//! node's anchored batches), contest a rejection.

use crate::config::{GAS_BID_CALLBACK, GAS_DELIVERY_CALLBACK, GAS_REGISTRY_VIEW, MAX_BIDS_PER_JOB};
use crate::error::EscrowError;
use crate::job::{Bid, Delivery, Status};
use crate::registry::ext_registry;
use crate::reputation::NodeStats;
use crate::{Escrow, EscrowExt, events, now_ms};
use near_sdk::serde_json::json;
use near_sdk::{AccountId, NearToken, Promise, PromiseError, env, near};
use redoubt_contracts_common::{Anchor, HexBytes, StorageMeter, refund, storage_cost, take_from_deposit};

#[near]
impl Escrow {
    /// Bids on an open job. Attach the storage deposit for the bid (and, on a node's first bid, for its
    /// reputation record); the change is returned. The bid is recorded only if the registry says the caller
    /// is an active node; otherwise the whole deposit is returned and a `bid_refused` event says why. The
    /// promise resolves to whether the bid was recorded.
    #[payable]
    #[handle_result]
    pub fn place_bid(&mut self, job_id: u64, price: NearToken, eta_ms: u64) -> Result<Promise, EscrowError> {
        let bidder = env::predecessor_account_id();
        self.check_bid(job_id, &bidder, price, eta_ms)?;
        let deposit = env::attached_deposit();
        self.totals.in_flight = self.totals.in_flight.saturating_add(deposit);
        let check = ext_registry::ext(self.registry.clone())
            .with_static_gas(GAS_REGISTRY_VIEW)
            .with_unused_gas_weight(0)
            .is_active(bidder.clone());
        let record = Self::ext(env::current_account_id())
            .with_static_gas(GAS_BID_CALLBACK)
            .on_bid_checked(job_id, bidder, price, eta_ms, deposit);
        Ok(check.then(record))
    }

    /// Callback of `place_bid`: records the bid if the registry said yes and it is still valid, else returns
    /// the deposit. Never fails, so a deposit cannot get stuck.
    #[private]
    pub fn on_bid_checked(
        &mut self,
        #[callback_result] active: Result<bool, PromiseError>,
        job_id: u64,
        bidder: AccountId,
        price: NearToken,
        eta_ms: u64,
        deposit: NearToken,
    ) -> bool {
        self.totals.in_flight = self.totals.in_flight.saturating_sub(deposit);
        let recorded = match active {
            Ok(true) => self
                .check_bid(job_id, &bidder, price, eta_ms)
                .and_then(|()| self.record_bid(job_id, &bidder, price, eta_ms, deposit)),
            Ok(false) => Err(EscrowError::NotRegistered(bidder.clone())),
            Err(_) => Err(EscrowError::RegistryUnavailable),
        };
        match recorded {
            Ok(()) => true,
            Err(reason) => {
                refund(&bidder, deposit);
                events::emit(
                    "bid_refused",
                    &json!({ "job_id": job_id, "bidder": bidder, "reason": reason.to_string(), "refund": deposit }),
                );
                false
            }
        }
    }

    /// Withdraws the caller's bid from an open job and returns its storage deposit.
    #[handle_result]
    pub fn withdraw_bid(&mut self, job_id: u64) -> Result<(), EscrowError> {
        let bidder = env::predecessor_account_id();
        let job = self.job(job_id)?;
        if job.status != Status::Open {
            return Err(EscrowError::WrongStatus { actual: job.status, expected: "open" });
        }
        let position =
            job.bids.iter().position(|b| b.bidder == bidder).ok_or(EscrowError::NoSuchBid(bidder.clone()))?;
        let Some(job) = self.jobs.get_mut(&job_id) else { return Err(EscrowError::NoSuchJob(job_id)) };
        let bid = job.bids.remove(position);
        let refunded = self.release_storage(&bidder, bid.storage_bytes);
        events::emit("bid_withdrawn", &json!({ "job_id": job_id, "bidder": bidder, "storage_refund": refunded }));
        Ok(())
    }

    /// Delivers an awarded job before its deadline: `receipt_hash` is the SHA-256 of the signed execution
    /// receipt, `batch_index` the batch (anchored in the registry by the worker after the award) holding it.
    /// The delivery is recorded in the callback once the registry confirms the batch.
    #[handle_result]
    pub fn deliver(
        &mut self,
        job_id: u64,
        receipt_hash: HexBytes<32>,
        batch_index: u64,
    ) -> Result<Promise, EscrowError> {
        let job = self.worker_job(job_id, Status::Awarded, "awarded")?;
        if now_ms() > job.deadline_ms {
            return Err(EscrowError::DeadlinePassed);
        }
        let worker = env::predecessor_account_id();
        let lookup = ext_registry::ext(self.registry.clone())
            .with_static_gas(GAS_REGISTRY_VIEW)
            .with_unused_gas_weight(0)
            .get_anchor(worker, batch_index);
        let record = Self::ext(env::current_account_id()).with_static_gas(GAS_DELIVERY_CALLBACK).on_delivery_checked(
            job_id,
            receipt_hash,
            batch_index,
        );
        Ok(lookup.then(record))
    }

    /// Callback of `deliver`: records the delivery if the worker anchored the batch after the award.
    #[private]
    #[handle_result]
    pub fn on_delivery_checked(
        &mut self,
        #[callback_result] anchor: Result<Option<Anchor>, PromiseError>,
        job_id: u64,
        receipt_hash: HexBytes<32>,
        batch_index: u64,
    ) -> Result<(), EscrowError> {
        let anchor = anchor.map_err(|_| EscrowError::RegistryUnavailable)?;
        let anchor =
            anchor.filter(|a| a.batch_index == batch_index).ok_or(EscrowError::BatchNotAnchored(batch_index))?;
        let job = self.job(job_id)?;
        if job.status != Status::Awarded {
            return Err(EscrowError::WrongStatus { actual: job.status, expected: "awarded" });
        }
        if anchor.anchored_at_ms < job.awarded_at_ms {
            return Err(EscrowError::BatchBeforeAward(batch_index));
        }
        let now = now_ms();
        let Some(job) = self.jobs.get_mut(&job_id) else { return Err(EscrowError::NoSuchJob(job_id)) };
        job.delivery = Delivery {
            receipt_hash,
            batch_index,
            batch_root: anchor.root,
            batch_count: anchor.count,
            delivered_at_ms: now,
        };
        job.set_status(Status::Delivered, now);
        let worker = job.worker().cloned();
        events::emit(
            "job_delivered",
            &json!({ "job_id": job_id, "worker": worker, "receipt_hash": receipt_hash, "batch_index": batch_index,
                     "batch_root": anchor.root, "batch_count": anchor.count }),
        );
        Ok(())
    }

    /// Contests the hirer's rejection within the dispute window; the arbiter then decides.
    #[handle_result]
    pub fn contest(&mut self, job_id: u64) -> Result<(), EscrowError> {
        let job = self.worker_job(job_id, Status::Rejected, "rejected")?;
        let now = now_ms();
        if now > job.status_at_ms.saturating_add(self.config.dispute_window_ms) {
            return Err(EscrowError::DisputeWindowClosed);
        }
        if let Some(job) = self.jobs.get_mut(&job_id) {
            job.set_status(Status::Contested, now);
        }
        let resolve_until = now.saturating_add(self.config.arbitration_window_ms);
        events::emit("job_contested", &json!({ "job_id": job_id, "resolve_until_ms": resolve_until }));
        Ok(())
    }
}

impl Escrow {
    /// The job (cloned), if the caller is its worker and it is in `expected` (described by `describe`).
    fn worker_job(&self, job_id: u64, expected: Status, describe: &'static str) -> Result<crate::Job, EscrowError> {
        let job = self.job(job_id)?;
        if job.worker() != Some(&env::predecessor_account_id()) {
            return Err(EscrowError::NotWorker);
        }
        if job.status != expected {
            return Err(EscrowError::WrongStatus { actual: job.status, expected: describe });
        }
        Ok(job.clone())
    }

    /// Whether `bidder` may bid `price` with `eta_ms` on job `job_id` now.
    fn check_bid(&self, job_id: u64, bidder: &AccountId, price: NearToken, eta_ms: u64) -> Result<(), EscrowError> {
        let job = self.job(job_id)?;
        let now = now_ms();
        if job.status != Status::Open {
            return Err(EscrowError::WrongStatus { actual: job.status, expected: "open" });
        }
        if now > job.deadline_ms {
            return Err(EscrowError::DeadlinePassed);
        }
        if &job.hirer == bidder {
            return Err(EscrowError::SelfBid);
        }
        if price.is_zero() || price > job.budget {
            return Err(EscrowError::BadPrice { budget: job.budget });
        }
        if now.saturating_add(eta_ms) > job.deadline_ms {
            return Err(EscrowError::EtaPastDeadline);
        }
        if job.bids.iter().any(|b| &b.bidder == bidder) {
            return Err(EscrowError::DuplicateBid(bidder.clone()));
        }
        if job.bids.len() >= MAX_BIDS_PER_JOB {
            return Err(EscrowError::TooManyBids(MAX_BIDS_PER_JOB));
        }
        Ok(())
    }

    /// Stores a checked bid and charges its storage to `deposit`; undoes everything if the deposit is short.
    fn record_bid(
        &mut self,
        job_id: u64,
        bidder: &AccountId,
        price: NearToken,
        eta_ms: u64,
        deposit: NearToken,
    ) -> Result<(), EscrowError> {
        let meter = StorageMeter::start();
        let new_node = !self.nodes.contains_key(bidder);
        if new_node {
            self.nodes.insert(bidder.clone(), NodeStats::default());
        }
        self.flush();
        let stats_bytes = meter.grown();
        let bid = Bid { bidder: bidder.clone(), price, eta_ms, placed_at_ms: now_ms(), storage_bytes: 0 };
        if let Some(job) = self.jobs.get_mut(&job_id) {
            job.bids.push(bid);
        }
        self.flush();
        let bytes = meter.grown();
        let bid_bytes = bytes.saturating_sub(stats_bytes);
        match take_from_deposit(deposit, storage_cost(bytes)) {
            Ok(change) => {
                if let Some(bid) = self.jobs.get_mut(&job_id).and_then(|j| j.bids.last_mut()) {
                    bid.storage_bytes = bid_bytes;
                }
                self.add_storage(bytes);
                refund(bidder, change);
                events::emit(
                    "bid_placed",
                    &json!({ "job_id": job_id, "bidder": bidder, "price": price, "eta_ms": eta_ms,
                             "storage_deposit": storage_cost(bytes) }),
                );
                Ok(())
            }
            Err(short) => {
                if let Some(job) = self.jobs.get_mut(&job_id) {
                    job.bids.pop();
                }
                if new_node {
                    self.nodes.remove(bidder);
                }
                self.flush();
                Err(short.into())
            }
        }
    }
}
