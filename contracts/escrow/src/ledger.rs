//! The running totals and every movement of money: holding a job's amount, paying a worker, refunding a
//! hirer, charging and refunding storage.

use crate::Escrow;
use crate::events;
use crate::reputation::ReputationChange;
use near_sdk::serde_json::json;
use near_sdk::{AccountId, NearToken, near};
use redoubt_contracts_common::{refund, storage_cost};

/// What the contract holds on behalf of others (its balance = base balance + the sum of these).
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Held for live jobs: an open job's budget, an assigned job's price.
    pub escrowed: NearToken,
    /// Fees kept from payments to workers, withdrawable by the owner only.
    pub fees_accrued: NearToken,
    /// Bid deposits waiting for the registry's answer.
    pub in_flight: NearToken,
    /// State users paid for, in bytes.
    pub storage_bytes: u64,
}

/// The totals as `get_totals` returns them.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotalsView {
    /// See [`Totals`].
    pub escrowed: NearToken,
    /// See [`Totals`].
    pub fees_accrued: NearToken,
    /// See [`Totals`].
    pub in_flight: NearToken,
    /// See [`Totals`].
    pub storage_bytes: u64,
    /// `storage_bytes` at the storage price.
    pub storage_deposits: NearToken,
    /// The sum of the four amounts: what the contract owes to others.
    pub held: NearToken,
}

impl Totals {
    /// The view, with the derived amounts.
    pub fn view(&self) -> TotalsView {
        let storage_deposits = storage_cost(self.storage_bytes);
        let held = [self.escrowed, self.fees_accrued, self.in_flight, storage_deposits]
            .into_iter()
            .fold(NearToken::from_yoctonear(0), NearToken::saturating_add);
        TotalsView {
            escrowed: self.escrowed,
            fees_accrued: self.fees_accrued,
            in_flight: self.in_flight,
            storage_bytes: self.storage_bytes,
            storage_deposits,
            held,
        }
    }
}

impl Escrow {
    /// Starts holding `amount` for a job.
    pub(crate) fn hold(&mut self, amount: NearToken) {
        self.totals.escrowed = self.totals.escrowed.saturating_add(amount);
    }

    /// Sends `amount` held for job `job_id` back to its hirer.
    pub(crate) fn refund_hirer(&mut self, job_id: u64, hirer: &AccountId, amount: NearToken, reason: &str) {
        self.totals.escrowed = self.totals.escrowed.saturating_sub(amount);
        refund(hirer, amount);
        events::emit("job_refunded", &json!({ "job_id": job_id, "hirer": hirer, "amount": amount, "reason": reason }));
    }

    /// Pays `price` held for job `job_id` to `worker`, keeping the fee, and credits the worker's reputation.
    pub(crate) fn pay_worker(&mut self, job_id: u64, worker: &AccountId, price: NearToken, reason: &str) {
        let fee = NearToken::from_yoctonear(
            price.as_yoctonear().saturating_mul(u128::from(self.config.fee_bps)) / u128::from(crate::config::BPS),
        );
        let amount = price.saturating_sub(fee);
        self.totals.escrowed = self.totals.escrowed.saturating_sub(price);
        self.totals.fees_accrued = self.totals.fees_accrued.saturating_add(fee);
        refund(worker, amount);
        events::emit(
            "job_paid",
            &json!({ "job_id": job_id, "worker": worker, "amount": amount, "fee": fee, "reason": reason }),
        );
        self.change_reputation(worker, ReputationChange::JobAccepted);
    }

    /// Records that users paid for `bytes` more of state.
    pub(crate) fn add_storage(&mut self, bytes: u64) {
        self.totals.storage_bytes = self.totals.storage_bytes.saturating_add(bytes);
    }

    /// Returns the deposit for `bytes` of released state to `to`; returns the amount sent.
    pub(crate) fn release_storage(&mut self, to: &AccountId, bytes: u64) -> NearToken {
        self.totals.storage_bytes = self.totals.storage_bytes.saturating_sub(bytes);
        let amount = storage_cost(bytes);
        refund(to, amount);
        amount
    }

    /// Moves `account`'s reputation (if it has a record: hirers that never bid have none).
    pub(crate) fn change_reputation(&mut self, account: &AccountId, change: ReputationChange) {
        if let Some(stats) = self.nodes.get_mut(account) {
            stats.apply(change);
            let reputation = stats.reputation;
            events::emit(
                "reputation_changed",
                &json!({ "account": account, "change": change, "delta": change.delta(), "reputation": reputation }),
            );
        }
    }
}
