//! Read-only methods.

use crate::config::{Config, MAX_PAGE};
use crate::job::JobView;
use crate::ledger::TotalsView;
use crate::reputation::NodeStats;
use crate::score::{RankedBid, rank};
use crate::{Escrow, EscrowExt};
use near_sdk::{AccountId, near};

/// The escrow's roles and configuration.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigView {
    /// Manages the escrow.
    pub owner: AccountId,
    /// Rules on contested jobs.
    pub arbiter: AccountId,
    /// The registry asked whether bidders are active nodes.
    pub registry: AccountId,
    /// Tunable parameters.
    pub config: Config,
    /// Id the next job will get.
    pub next_job_id: u64,
}

#[near]
impl Escrow {
    /// Roles and configuration.
    pub fn get_config(&self) -> ConfigView {
        ConfigView {
            owner: self.owner.clone(),
            arbiter: self.arbiter.clone(),
            registry: self.registry.clone(),
            config: self.config.clone(),
            next_job_id: self.next_job_id,
        }
    }

    /// One job.
    pub fn get_job(&self, job_id: u64) -> Option<JobView> {
        self.jobs.get(&job_id).map(|job| job.view(job_id))
    }

    /// Up to `limit` (default and maximum 100) jobs with ids from `from_id` (default 0) on, skipping deleted
    /// ones.
    pub fn get_jobs(&self, from_id: Option<u64>, limit: Option<u64>) -> Vec<JobView> {
        let limit = limit.unwrap_or(MAX_PAGE).min(MAX_PAGE);
        let from = from_id.unwrap_or(0);
        let to = from.saturating_add(limit).min(self.next_job_id);
        (from..to).filter_map(|id| self.get_job(id)).collect()
    }

    /// The bids on a job, best score first, with each one's score and whether the hirer may award it.
    pub fn get_bids(&self, job_id: u64) -> Vec<RankedBid> {
        self.jobs.get(&job_id).map_or_else(Vec::new, |job| {
            rank(job.budget, &job.bids, |a| self.reputation_of(a), self.config.price_weight_bps, self.config.top_k)
        })
    }

    /// A node's reputation record, if it ever bid.
    pub fn get_node(&self, account_id: AccountId) -> Option<NodeStats> {
        self.nodes.get(&account_id).cloned()
    }

    /// What the contract holds on behalf of others.
    pub fn get_totals(&self) -> TotalsView {
        self.totals.view()
    }
}
