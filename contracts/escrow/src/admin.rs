//! Set-up and the owner's methods: configuration, roles, fee withdrawal. Privileged calls need exactly
//! 1 yoctoNEAR attached (only a full-access key can attach a deposit); the yoctoNEAR joins the fees.

use crate::config::Config;
use crate::error::EscrowError;
use crate::ledger::Totals;
use crate::{Escrow, EscrowExt, StorageKey, events};
use near_sdk::serde_json::json;
use near_sdk::store::LookupMap;
use near_sdk::{AccountId, NearToken, env, near, require};
use redoubt_contracts_common::refund;

#[near]
impl Escrow {
    /// Sets up the escrow: `owner` (an account or a DAO) manages it, `registry` is the `redoubt-registry`
    /// account asked whether bidders are active nodes, `arbiter` (default: the owner) rules on contested
    /// jobs, `config` defaults to [`Config::default`].
    #[init]
    pub fn new(owner: AccountId, registry: AccountId, arbiter: Option<AccountId>, config: Option<Config>) -> Self {
        let config = config.unwrap_or_default();
        if let Err(e) = config.validate() {
            env::panic_str(&e.to_string());
        }
        require!(!env::state_exists(), "already initialised");
        let arbiter = arbiter.unwrap_or_else(|| owner.clone());
        events::emit(
            "escrow_initialised",
            &json!({ "owner": owner, "arbiter": arbiter, "registry": registry, "config": config }),
        );
        Self {
            owner,
            arbiter,
            registry,
            config,
            next_job_id: 0,
            totals: Totals::default(),
            jobs: LookupMap::new(StorageKey::Jobs),
            nodes: LookupMap::new(StorageKey::Nodes),
        }
    }

    /// Replaces the configuration (owner; 1 yoctoNEAR).
    #[payable]
    #[handle_result]
    pub fn set_config(&mut self, config: Config) -> Result<(), EscrowError> {
        self.require_owner()?;
        config.validate()?;
        self.take_confirmation_yocto()?;
        events::emit("config_changed", &json!({ "config": config }));
        self.config = config;
        Ok(())
    }

    /// Hands ownership to `owner` (owner; 1 yoctoNEAR).
    #[payable]
    #[handle_result]
    pub fn set_owner(&mut self, owner: AccountId) -> Result<(), EscrowError> {
        self.require_owner()?;
        self.take_confirmation_yocto()?;
        events::emit("owner_changed", &json!({ "old": self.owner, "new": owner }));
        self.owner = owner;
        Ok(())
    }

    /// Names the arbiter of contested jobs (owner; 1 yoctoNEAR).
    #[payable]
    #[handle_result]
    pub fn set_arbiter(&mut self, arbiter: AccountId) -> Result<(), EscrowError> {
        self.require_owner()?;
        self.take_confirmation_yocto()?;
        events::emit("arbiter_changed", &json!({ "old": self.arbiter, "new": arbiter }));
        self.arbiter = arbiter;
        Ok(())
    }

    /// Points the escrow at another registry contract (owner; 1 yoctoNEAR).
    #[payable]
    #[handle_result]
    pub fn set_registry(&mut self, registry: AccountId) -> Result<(), EscrowError> {
        self.require_owner()?;
        self.take_confirmation_yocto()?;
        events::emit("registry_changed", &json!({ "old": self.registry, "new": registry }));
        self.registry = registry;
        Ok(())
    }

    /// Sends every accrued fee (with this call's confirmation yoctoNEAR) to `to` (default: the owner). Only
    /// fees: held job amounts and deposits are out of the owner's reach (owner; 1 yoctoNEAR).
    #[payable]
    #[handle_result]
    pub fn withdraw_fees(&mut self, to: Option<AccountId>) -> Result<NearToken, EscrowError> {
        self.require_owner()?;
        self.take_confirmation_yocto()?;
        let amount = self.totals.fees_accrued;
        if amount <= NearToken::from_yoctonear(1) {
            // Only this call's confirmation yoctoNEAR: nothing was earned (the refused call is reverted).
            return Err(EscrowError::NoFees);
        }
        let to = to.unwrap_or_else(|| self.owner.clone());
        self.totals.fees_accrued = NearToken::from_yoctonear(0);
        refund(&to, amount);
        events::emit("fees_withdrawn", &json!({ "to": to, "amount": amount }));
        Ok(amount)
    }
}

impl Escrow {
    fn require_owner(&self) -> Result<(), EscrowError> {
        if env::predecessor_account_id() == self.owner { Ok(()) } else { Err(EscrowError::NotOwner) }
    }

    /// Requires exactly 1 yoctoNEAR attached and adds it to the fees.
    pub(crate) fn take_confirmation_yocto(&mut self) -> Result<(), EscrowError> {
        let one = NearToken::from_yoctonear(1);
        if env::attached_deposit() != one {
            return Err(EscrowError::ConfirmationDeposit);
        }
        self.totals.fees_accrued = self.totals.fees_accrued.saturating_add(one);
        Ok(())
    }
}
