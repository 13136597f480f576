//! Set-up and the owner's methods: the measurement allowlist, minimum TCB, registration lifetime, VMPL,
//! eviction, ownership. Privileged calls need at least 1 yoctoNEAR attached (only a full-access key can
//! attach a deposit); the owner (an account or a DAO) pays for the allowlist's storage.

use crate::error::RegistryError;
use crate::mode::{Mode, ModeInit};
use crate::settings::{MAX_MEASUREMENTS, Settings};
use crate::{Registry, RegistryExt, StorageKey, events, now_ms};
use near_sdk::serde_json::json;
use near_sdk::store::{IterableMap, LookupMap};
use near_sdk::{AccountId, NearToken, env, near, require};
use redoubt_contracts_common::{HexBytes, StorageMeter, refund, storage_cost, take_from_deposit};
use redoubt_snp::{Family, Tcb};

#[near]
impl Registry {
    /// Sets up the registry: `owner` (an account or a DAO) manages the policy; `mode` is fixed for good
    /// (`{"mode": "production"}`, `{"mode": "test-roots", "roots": [..]}` or `{"mode": "dev"}`);
    /// `settings` default to [`Settings::default`] (30-day registrations, VMPL 0, no minimum TCB).
    #[init]
    pub fn new(owner: AccountId, mode: ModeInit, settings: Option<Settings>) -> Self {
        require!(!env::state_exists(), "already initialised");
        let mode = Mode::from_init(mode).unwrap_or_else(|e| env::panic_str(e));
        let settings = settings.unwrap_or_default();
        if let Err(e) = settings.validate() {
            env::panic_str(&e.to_string());
        }
        events::emit("registry_initialised", &json!({ "owner": owner, "mode": mode.view(), "settings": settings }));
        Self {
            owner,
            mode,
            settings,
            measurements: IterableMap::new(StorageKey::Measurements),
            vceks: LookupMap::new(StorageKey::Vceks),
            nodes: IterableMap::new(StorageKey::Nodes),
            anchor_heads: LookupMap::new(StorageKey::AnchorHeads),
            anchors: LookupMap::new(StorageKey::Anchors),
        }
    }

    /// Allows a launch measurement (owner). Attach the storage deposit for the entry; the change comes back.
    #[payable]
    #[handle_result]
    pub fn allow_measurement(&mut self, measurement: HexBytes<48>) -> Result<(), RegistryError> {
        self.require_owner()?;
        if self.measurements.contains_key(&measurement) {
            return Err(RegistryError::MeasurementState(measurement.to_string(), "already allowed"));
        }
        if self.measurements.len() >= MAX_MEASUREMENTS {
            return Err(RegistryError::BadSetting("the allowlist is full (64 measurements)"));
        }
        let meter = StorageMeter::start();
        self.measurements.insert(measurement, (now_ms(), 0));
        self.flush();
        let bytes = meter.grown();
        let change = take_from_deposit(env::attached_deposit(), storage_cost(bytes))?;
        self.measurements.insert(measurement, (now_ms(), bytes));
        refund(&self.owner, change);
        events::emit("measurement_allowed", &json!({ "measurement": measurement }));
        Ok(())
    }

    /// Revokes a measurement (owner; 1 yoctoNEAR): every node running it stops being active at once. The
    /// entry's storage deposit goes to the owner.
    #[payable]
    #[handle_result]
    pub fn revoke_measurement(&mut self, measurement: HexBytes<48>) -> Result<(), RegistryError> {
        self.require_owner()?;
        let (_, bytes) = self
            .measurements
            .remove(&measurement)
            .ok_or_else(|| RegistryError::MeasurementState(measurement.to_string(), "not allowed"))?;
        refund(&self.owner, storage_cost(bytes));
        events::emit("measurement_revoked", &json!({ "measurement": measurement }));
        Ok(())
    }

    /// Sets (or with `null` clears) a family's minimum TCB (owner; 1 yoctoNEAR). Nodes below it stop being
    /// active at once.
    #[payable]
    #[handle_result]
    pub fn set_min_tcb(&mut self, family: Family, tcb: Option<Tcb>) -> Result<(), RegistryError> {
        self.require_owner()?;
        self.settings.set_min_tcb(family, tcb);
        events::emit("min_tcb_set", &json!({ "family": family, "tcb": tcb }));
        Ok(())
    }

    /// Sets how long new registrations last (owner; 1 yoctoNEAR).
    #[payable]
    #[handle_result]
    pub fn set_registration_ttl(&mut self, registration_ttl_ms: u64) -> Result<(), RegistryError> {
        self.require_owner()?;
        let settings = Settings { registration_ttl_ms, ..self.settings.clone() };
        settings.validate()?;
        self.settings = settings;
        events::emit("registration_ttl_set", &json!({ "registration_ttl_ms": registration_ttl_ms }));
        Ok(())
    }

    /// Sets the VMPL reports must be requested at, or `null` for any (owner; 1 yoctoNEAR).
    #[payable]
    #[handle_result]
    pub fn set_required_vmpl(&mut self, vmpl: Option<u32>) -> Result<(), RegistryError> {
        self.require_owner()?;
        let settings = Settings { required_vmpl: vmpl, ..self.settings.clone() };
        settings.validate()?;
        self.settings = settings;
        events::emit("required_vmpl_set", &json!({ "vmpl": vmpl }));
        Ok(())
    }

    /// Evicts a node (owner; 1 yoctoNEAR); its storage deposit goes back to it. Its anchors stay.
    #[payable]
    #[handle_result]
    pub fn remove_node(&mut self, account_id: AccountId) -> Result<(), RegistryError> {
        self.require_owner()?;
        let node = self.nodes.remove(&account_id).ok_or(RegistryError::NotRegistered(account_id.clone()))?;
        refund(&account_id, storage_cost(node.storage_bytes));
        events::emit("node_removed", &json!({ "account_id": account_id }));
        Ok(())
    }

    /// Hands ownership to `owner` (owner; 1 yoctoNEAR).
    #[payable]
    #[handle_result]
    pub fn set_owner(&mut self, owner: AccountId) -> Result<(), RegistryError> {
        self.require_owner()?;
        events::emit("owner_changed", &json!({ "old": self.owner, "new": owner }));
        self.owner = owner;
        Ok(())
    }
}

impl Registry {
    /// The caller must be the owner and attach at least 1 yoctoNEAR.
    fn require_owner(&self) -> Result<(), RegistryError> {
        if env::predecessor_account_id() != self.owner {
            return Err(RegistryError::NotOwner);
        }
        if env::attached_deposit() < NearToken::from_yoctonear(1) {
            return Err(RegistryError::ConfirmationDeposit);
        }
        Ok(())
    }
}
