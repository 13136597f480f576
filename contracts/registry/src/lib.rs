//! NEAR contract: a registry of Redoubt nodes that verifies their AMD SEV-SNP evidence on chain.
//!
//! # Registration
//!
//! A node registers by sending, in a transaction signed with its own ed25519 access key, the evidence it
//! produces (`{"kind": "sev-snp", "report": .., "vcek": .., "ed25519_public_key": .., "x25519_public_key":
//! ..}`, the `redoubt-attestation` JSON). The contract checks, itself:
//!
//! 1. the transaction comes straight from the node (predecessor = signer) and the evidence's ed25519 key
//!    is the key that signed it, so a stolen report cannot be registered by another account or key;
//! 2. the VCEK chains to the pinned roots (AMD's ARK/ASK built in; test roots only in a test deployment) —
//!    verified once per VCEK and cached (`submit_vcek`), since the RSA chain is the expensive part;
//! 3. the report's signature under the VCEK, and that the VCEK certifies the report's chip id and TCB;
//! 4. the policy: debug off, no migration agent, the required VMPL, the measurement in the owner's
//!    allowlist, the TCB at least the family's minimum;
//! 5. `report_data == SHA-512("redoubt:report-data:v1" || ed25519 || x25519)` (empty nonce), constant
//!    time.
//!
//! All SEV-SNP checks are `redoubt-snp`'s, the same code the node's off-chain verifier runs. The record
//! (account, keys, measurement, chip id, TCB, registered-at, expiry) is paid for by the node. A node is
//! *active* while its registration has not expired and its measurement and TCB still meet the owner's
//! current policy: revoking a measurement deactivates every node running it at once.
//!
//! # Modes
//!
//! Fixed at initialisation and shown by `get_mode`: `production` (AMD roots), `test-roots` (roots given at
//! init; test deployments only) or `dev` (AMD roots, and dev-insecure evidence is accepted).
//!
//! # Receipt anchors
//!
//! An active node anchors the Merkle root of each batch of its execution receipts (`anchor_batch`: batch
//! index, strictly increasing per node; root; receipt count). Anchors are permanent; views return them.
//!
//! # Modules
//!
//! - [`error`]: why a call is refused.
//! - [`events`]: NEP-297 event logging.
//! - [`evidence`]: the evidence JSON a node presents.
//! - [`mode`]: production / test-roots / dev.
//! - [`node`]: a registered node as stored and as viewed.
//! - [`settings`]: registration lifetime, VMPL, minimum TCB per family.
//! - `anchors`, `owner`, `register`, `views`: the contract's methods.

pub mod error;
pub mod events;
pub mod evidence;
pub mod mode;
pub mod node;
pub mod settings;

mod anchors;
mod owner;
mod register;
mod views;

#[cfg(target_arch = "wasm32")]
mod no_randomness;

#[cfg(test)]
mod tests;

pub use anchors::AnchorHead;
pub use error::RegistryError;
pub use evidence::{BoundKeys, DevEvidence, Evidence, SnpEvidence};
pub use mode::{Mode, ModeInit, ModeView, RootEntry};
pub use node::{EvidenceKind, Node, NodeView, Platform};
pub use register::ReportCheck;
pub use settings::{FamilyTcb, Settings};
pub use views::{ConfigView, VcekView};

use near_sdk::store::{IterableMap, LookupMap};
use near_sdk::{AccountId, BorshStorageKey, PanicOnDefault, env, near};
use redoubt_contracts_common::{Anchor, HexBytes};
use redoubt_snp::VerifiedVcek;

/// Prefixes of the contract's collections.
#[near(serializers = [borsh])]
#[derive(BorshStorageKey)]
enum StorageKey {
    Measurements,
    Vceks,
    Nodes,
    AnchorHeads,
    Anchors,
}

/// The registry's state.
#[near(contract_state)]
#[derive(PanicOnDefault)]
pub struct Registry {
    owner: AccountId,
    mode: Mode,
    settings: Settings,
    /// Allowed launch measurements, with the block time each was allowed and the bytes its entry cost.
    measurements: IterableMap<HexBytes<48>, (u64, u64)>,
    vceks: LookupMap<HexBytes<32>, VerifiedVcek>,
    nodes: IterableMap<AccountId, Node>,
    anchor_heads: LookupMap<AccountId, AnchorHead>,
    /// A node's anchors by sequence number (0, 1, ..); batch indices increase with the sequence.
    anchors: LookupMap<(AccountId, u64), Anchor>,
}

impl Registry {
    /// Writes cached collection entries so `env::storage_usage()` sees them.
    fn flush(&mut self) {
        self.measurements.flush();
        self.vceks.flush();
        self.nodes.flush();
        self.anchor_heads.flush();
        self.anchors.flush();
    }

    /// Whether `node` is in force at `now_ms` under the current policy.
    fn in_force(&self, node: &Node, now_ms: u64) -> bool {
        if now_ms >= node.expires_at_ms {
            return false;
        }
        match (&node.kind, &node.platform) {
            (EvidenceKind::DevInsecure, _) => self.mode.accepts_dev_evidence(),
            (EvidenceKind::SevSnp, Some(p)) => {
                self.measurements.contains_key(&p.measurement)
                    && self.settings.min_tcb_for(p.family).is_none_or(|min| p.tcb.first_below(&min).is_none())
            }
            (EvidenceKind::SevSnp, None) => false,
        }
    }
}

fn now_ms() -> u64 {
    env::block_timestamp_ms()
}
