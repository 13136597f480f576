//! Unit tests of every method and every refusal, on the simulated chain of
//! `redoubt_contracts_common::testing`, with SEV-SNP evidence signed by the test CA
//! (`redoubt-snp-testca`). The real AMD reports run in the NEAR VM tests of `redoubt-contracts-wasm`.

mod anchors;
mod attacks;
mod interop;
mod modes;
mod owner;
mod registration;

use crate::{Evidence, ModeInit, NodeView, Registry, RegistryError};
use near_sdk::serde_json::{self, Value};
use near_sdk::{AccountId, NearToken};
use redoubt_contracts_common::HexBytes;
use redoubt_contracts_common::testing::snp::{MEASUREMENT, chip, report_for, snp_evidence, test_roots_mode};
use redoubt_contracts_common::testing::{Caller, TestChain};
use redoubt_snp_testca::{Family, TestCa, TestChip};
use std::ops::{Deref, DerefMut};

pub const REGISTRY: &str = "registry.near";
pub const OWNER: &str = "owner.near";
pub const NODE: &str = "node.near";
/// 2026-03-01, inside the test VCEKs' validity.
pub const START_MS: u64 = 1_772_323_200_000;
pub const DAY_MS: u64 = 86_400_000;
/// Enough for any registration's storage; the change comes back.
pub const DEPOSIT: NearToken = NearToken::from_millinear(100);

pub fn acc(name: &str) -> AccountId {
    name.parse().unwrap()
}

pub fn yocto(n: u128) -> NearToken {
    NearToken::from_yoctonear(n)
}

pub fn evidence(json: Value) -> Evidence {
    serde_json::from_value(json).expect("valid evidence JSON")
}

/// The registry on a test chain.
pub struct Reg {
    chain: TestChain<Registry>,
}

impl Deref for Reg {
    type Target = TestChain<Registry>;
    fn deref(&self) -> &Self::Target {
        &self.chain
    }
}

impl DerefMut for Reg {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.chain
    }
}

impl Reg {
    /// A registry initialised by the owner in `mode` (JSON `ModeInit`).
    pub fn new(mode: Value) -> Reg {
        let mode: ModeInit = serde_json::from_value(mode).expect("valid mode");
        Reg {
            chain: TestChain::new(REGISTRY, 50 * 10u128.pow(24), START_MS, OWNER, || {
                Registry::new(acc(OWNER), mode, None)
            }),
        }
    }

    /// A test-roots registry trusting `ca`, with [`MEASUREMENT`] allowed.
    pub fn trusting(ca: &TestCa) -> Reg {
        let mut reg = Reg::new(test_roots_mode(&[ca]));
        reg.allow(MEASUREMENT);
        reg
    }

    /// Allows `measurement` as the owner.
    pub fn allow(&mut self, measurement: [u8; 48]) {
        self.call(OWNER, DEPOSIT, |r| r.allow_measurement(HexBytes(measurement))).unwrap();
    }

    /// `node` registers with `evidence` (signing with its own key).
    pub fn register(&mut self, node: &str, evidence_json: Value) -> Result<NodeView, RegistryError> {
        let ev = evidence(evidence_json);
        self.call(node, DEPOSIT, |r| r.register(ev))
    }

    /// `node` registers as `caller` says (another signer, key or deposit).
    pub fn register_as(&mut self, caller: &Caller, evidence_json: Value) -> Result<NodeView, RegistryError> {
        let ev = evidence(evidence_json);
        self.run(caller, vec![], |r| r.register(ev))
    }

    /// Events of the last successful call, checking the NEP-297 envelope.
    pub fn events(&self) -> Vec<(String, Value)> {
        self.chain.events(crate::events::STANDARD, crate::events::VERSION)
    }

    /// Names of the events of the last successful call.
    pub fn event_names(&self) -> Vec<String> {
        self.events().into_iter().map(|(n, _)| n).collect()
    }

    pub fn is_active(&mut self, node: &str) -> bool {
        self.view(|r| r.is_active(acc(node)))
    }
}

/// A Milan test CA, one of its chips, and `node`'s clean registration evidence from that chip.
pub fn milan_node(node: &str) -> (TestCa, TestChip, Value) {
    let ca = TestCa::new(Family::Milan);
    let chip = chip(&ca, 0x11);
    let report = report_for(&chip, node, |_| {});
    let ev = snp_evidence(node, &report, &chip.vcek_der());
    (ca, chip, ev)
}

/// A JSON value's string.
pub fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}
