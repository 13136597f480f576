//! Closing jobs whose time ran out (anyone may call `settle`) and the arbiter's ruling on contested jobs.

use crate::error::EscrowError;
use crate::job::Status;
use crate::reputation::ReputationChange;
use crate::{Escrow, EscrowExt, events, now_ms};
use near_sdk::serde_json::json;
use near_sdk::{env, near};

/// What `settle` did to a job.
#[near(serializers = [json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// An open job passed its deadline unawarded: the hirer got the budget back.
    ExpiredUnawarded,
    /// The worker missed the deadline: the hirer got the price back, the worker lost reputation.
    DeadlineMissed,
    /// The hirer let the review window pass: the worker was paid.
    ReviewWindowElapsed,
    /// The worker did not contest the rejection in time: the hirer got the price back, the worker lost the
    /// dispute.
    RejectionUncontested,
    /// The arbiter did not rule in time: the hirer got the price back; nobody lost reputation.
    ArbitrationExpired,
}

#[near]
impl Escrow {
    /// Closes job `job_id` if one of its time limits has run out (see [`Settlement`]); anyone may call it.
    #[handle_result]
    pub fn settle(&mut self, job_id: u64) -> Result<Settlement, EscrowError> {
        let mut job = self.job(job_id)?.clone();
        let now = now_ms();
        let since = |window: u64| now > job.status_at_ms.saturating_add(window);
        let outcome = match job.status {
            Status::Open if now > job.deadline_ms => Settlement::ExpiredUnawarded,
            Status::Awarded if now > job.deadline_ms => Settlement::DeadlineMissed,
            Status::Delivered if since(self.config.review_window_ms) => Settlement::ReviewWindowElapsed,
            Status::Rejected if since(self.config.dispute_window_ms) => Settlement::RejectionUncontested,
            Status::Contested if since(self.config.arbitration_window_ms) => Settlement::ArbitrationExpired,
            _ => return Err(EscrowError::NothingToSettle),
        };
        let worker = job.worker().cloned();
        match (outcome, worker) {
            (Settlement::ExpiredUnawarded, _) => {
                self.drop_bids(job_id, &mut job, None);
                job.set_status(Status::Refunded, now);
                self.refund_hirer(job_id, &job.hirer, job.budget, "expired_unawarded");
            }
            (Settlement::ReviewWindowElapsed, Some(worker)) => {
                job.set_status(Status::Paid, now);
                self.pay_worker(job_id, &worker, job.price, "review_window_elapsed");
            }
            (
                Settlement::DeadlineMissed | Settlement::RejectionUncontested | Settlement::ArbitrationExpired,
                worker,
            ) => {
                job.set_status(Status::Refunded, now);
                let reason = match outcome {
                    Settlement::DeadlineMissed => "deadline_missed",
                    Settlement::RejectionUncontested => "rejection_uncontested",
                    _ => "arbitration_expired",
                };
                self.refund_hirer(job_id, &job.hirer, job.price, reason);
                let penalty = match outcome {
                    Settlement::DeadlineMissed => Some(ReputationChange::DeadlineMissed),
                    Settlement::RejectionUncontested => Some(ReputationChange::DisputeLost),
                    _ => None,
                };
                if let (Some(worker), Some(change)) = (worker, penalty) {
                    self.change_reputation(&worker, change);
                }
            }
            (Settlement::ReviewWindowElapsed, None) => return Err(EscrowError::NotWorker),
        }
        self.jobs.insert(job_id, job);
        events::emit("job_settled", &json!({ "job_id": job_id, "outcome": outcome }));
        Ok(outcome)
    }

    /// The arbiter rules on a contested job: `pay_worker` pays the worker (the hirer, if it is a node, loses
    /// the dispute); otherwise the hirer is refunded and the worker loses the dispute. Attach 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn resolve(&mut self, job_id: u64, pay_worker: bool) -> Result<(), EscrowError> {
        if env::predecessor_account_id() != self.arbiter {
            return Err(EscrowError::NotArbiter);
        }
        self.take_confirmation_yocto()?;
        let mut job = self.job(job_id)?.clone();
        if job.status != Status::Contested {
            return Err(EscrowError::WrongStatus { actual: job.status, expected: "contested" });
        }
        let worker = job.worker().cloned().ok_or(EscrowError::NotWorker)?;
        let now = now_ms();
        if pay_worker {
            job.set_status(Status::Paid, now);
            self.pay_worker(job_id, &worker, job.price, "arbiter_ruled_for_worker");
            self.change_reputation(&job.hirer, ReputationChange::DisputeLost);
        } else {
            job.set_status(Status::Refunded, now);
            self.refund_hirer(job_id, &job.hirer, job.price, "arbiter_ruled_for_hirer");
            self.change_reputation(&worker, ReputationChange::DisputeLost);
        }
        let winner = if pay_worker { &worker } else { &job.hirer };
        events::emit("dispute_resolved", &json!({ "job_id": job_id, "winner": winner }));
        self.jobs.insert(job_id, job);
        Ok(())
    }
}
