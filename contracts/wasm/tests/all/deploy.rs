//! Deploying the contracts on a test chain.

use crate::chain::{Chain, Outcome};
use redoubt_contracts_common::testing::snp::{b64, test_roots_mode};
use redoubt_contracts_wasm::{ESCROW_WASM, REGISTRY_WASM};
use redoubt_snp_testca::TestCa;
use serde_json::{Value, json};

pub const REGISTRY: &str = "registry.near";
pub const ESCROW: &str = "escrow.near";
pub const OWNER: &str = "owner.near";
pub const NEAR: u128 = 10u128.pow(24);
/// What test nodes attach for storage; the change comes back.
pub const STORAGE_DEPOSIT: u128 = NEAR / 10;

/// A chain with the registry deployed and initialised by `OWNER` in `mode` (a JSON `ModeInit`).
pub fn registry_chain(mode: Value) -> Chain {
    let mut chain = Chain::new();
    chain.create(REGISTRY, 100 * NEAR, Some(REGISTRY_WASM));
    chain.create(OWNER, 1_000 * NEAR, None);
    chain.call(OWNER, REGISTRY, "new", json!({ "owner": OWNER, "mode": mode }), 0).json();
    chain
}

/// A registry trusting the test CA `ca`.
pub fn test_registry(ca: &TestCa) -> Chain {
    registry_chain(test_roots_mode(&[ca]))
}

/// Allows `measurement` (as the owner).
pub fn allow(chain: &mut Chain, measurement: &[u8; 48]) -> Outcome {
    let out = chain.call(
        OWNER,
        REGISTRY,
        "allow_measurement",
        json!({ "measurement": hex::encode(measurement) }),
        NEAR / 100,
    );
    out.value.as_ref().unwrap_or_else(|e| panic!("allow_measurement: {e}"));
    out
}

/// `node` verifies and caches a VCEK.
pub fn submit_vcek(chain: &mut Chain, node: &str, vcek_der: &[u8]) -> Outcome {
    chain.call(node, REGISTRY, "submit_vcek", json!({ "vcek": b64(vcek_der) }), STORAGE_DEPOSIT)
}

/// `node` registers with `evidence`, attaching the storage deposit.
pub fn register(chain: &mut Chain, node: &str, evidence: Value) -> Outcome {
    chain.call(node, REGISTRY, "register", json!({ "evidence": evidence }), STORAGE_DEPOSIT)
}

/// Deploys the escrow beside the registry, initialised by `OWNER` with `config` (or the defaults).
pub fn deploy_escrow(chain: &mut Chain, config: Option<Value>) {
    chain.create(ESCROW, 100 * NEAR, Some(ESCROW_WASM));
    chain.create("arbiter.near", 100 * NEAR, None);
    let args = json!({ "owner": OWNER, "registry": REGISTRY, "arbiter": "arbiter.near", "config": config });
    chain.call(OWNER, ESCROW, "new", args, 0).json();
}
