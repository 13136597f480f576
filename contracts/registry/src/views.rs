//! Read-only methods.

use crate::mode::ModeView;
use crate::node::NodeView;
use crate::settings::Settings;
use crate::{Registry, RegistryExt, now_ms};
use near_sdk::{AccountId, near};
use redoubt_contracts_common::HexBytes;
use redoubt_snp::{Family, Tcb, VerifiedVcek};

/// Most entries one page of a listing view returns.
const MAX_PAGE: u32 = 100;

/// A verified, cached VCEK.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VcekView {
    /// SHA-256 of the VCEK's DER.
    pub fingerprint: HexBytes<32>,
    /// Product family.
    pub family: Family,
    /// The chip id it certifies (hex; 64 bytes, or 8 on Turin).
    pub chip_id: String,
    /// The TCB it certifies.
    pub tcb: Tcb,
    /// The chain is valid from this time (unix seconds)...
    pub not_before: u64,
    /// ...until this one.
    pub not_after: u64,
}

impl From<&VerifiedVcek> for VcekView {
    fn from(v: &VerifiedVcek) -> Self {
        VcekView {
            fingerprint: HexBytes(v.fingerprint),
            family: v.family,
            chip_id: hex::encode(&v.chip_id),
            tcb: v.tcb,
            not_before: v.not_before,
            not_after: v.not_after,
        }
    }
}

/// The registry's owner, mode and policy.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigView {
    /// Manages the policy.
    pub owner: AccountId,
    /// Production, test-roots or dev, with what it trusts.
    pub mode: ModeView,
    /// Registration lifetime, VMPL, minimum TCB per family.
    pub settings: Settings,
    /// Number of allowed measurements.
    pub measurement_count: u32,
    /// Number of registered nodes (active or not).
    pub node_count: u32,
}

#[near]
impl Registry {
    /// The mode: which roots the registry trusts, whether it accepts dev evidence, and a warning in every
    /// mode but production.
    pub fn get_mode(&self) -> ModeView {
        self.mode.view()
    }

    /// Owner, mode and policy.
    pub fn get_config(&self) -> ConfigView {
        ConfigView {
            owner: self.owner.clone(),
            mode: self.mode.view(),
            settings: self.settings.clone(),
            measurement_count: self.measurements.len(),
            node_count: self.nodes.len(),
        }
    }

    /// The allowed measurements, from the `from`-th, at most `limit` (default and maximum 100).
    pub fn get_measurements(&self, from: Option<u32>, limit: Option<u32>) -> Vec<HexBytes<48>> {
        let limit = limit.unwrap_or(MAX_PAGE).min(MAX_PAGE) as usize;
        self.measurements.keys().skip(from.unwrap_or(0) as usize).take(limit).copied().collect()
    }

    /// Whether a measurement is allowed.
    pub fn is_measurement_allowed(&self, measurement: HexBytes<48>) -> bool {
        self.measurements.contains_key(&measurement)
    }

    /// A cached VCEK.
    pub fn get_vcek(&self, fingerprint: HexBytes<32>) -> Option<VcekView> {
        self.vceks.get(&fingerprint).map(VcekView::from)
    }

    /// A registered node, with whether its registration is in force now.
    pub fn get_node(&self, account_id: AccountId) -> Option<NodeView> {
        let node = self.nodes.get(&account_id)?;
        Some(node.view(account_id, self.in_force(node, now_ms())))
    }

    /// Registered nodes, from the `from`-th, at most `limit` (default and maximum 100).
    pub fn get_nodes(&self, from: Option<u32>, limit: Option<u32>) -> Vec<NodeView> {
        let limit = limit.unwrap_or(MAX_PAGE).min(MAX_PAGE) as usize;
        let now = now_ms();
        self.nodes
            .iter()
            .skip(from.unwrap_or(0) as usize)
            .take(limit)
            .map(|(account, node)| node.view(account.clone(), self.in_force(node, now)))
            .collect()
    }

    /// Whether `account_id` is a registered node whose registration is in force now (the escrow asks this
    /// before taking a bid).
    pub fn is_active(&self, account_id: AccountId) -> bool {
        self.nodes.get(&account_id).is_some_and(|node| self.in_force(node, now_ms()))
    }
}
