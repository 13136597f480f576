//! A registered node as stored, and as views return it.

use near_sdk::{AccountId, CurveType, PublicKey, near};
use redoubt_contracts_common::HexBytes;
use redoubt_snp::{Family, Tcb};

/// How the node proved where it runs.
#[near(serializers = [json, borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// A verified SEV-SNP report.
    SevSnp,
    /// Dev evidence (dev-mode registries only): proves nothing.
    DevInsecure,
}

/// What the registry knows about a node's hardware (SEV-SNP registrations only).
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// The launch measurement.
    pub measurement: HexBytes<48>,
    /// The chip id (64 bytes; Turin: 8 bytes then zeros).
    pub chip_id: HexBytes<64>,
    /// The product family.
    pub family: Family,
    /// The reported TCB (what the VCEK certifies).
    pub tcb: Tcb,
    /// SHA-256 of the VCEK that signed the report.
    pub vcek_fingerprint: HexBytes<32>,
}

/// A registered node as stored.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The node's ed25519 key (the NEAR access key that signed the registration).
    pub ed25519: HexBytes<32>,
    /// The node's X25519 encryption key.
    pub x25519: HexBytes<32>,
    /// How it proved where it runs.
    pub kind: EvidenceKind,
    /// Its hardware, for SEV-SNP registrations.
    pub platform: Option<Platform>,
    /// Block time of the registration.
    pub registered_at_ms: u64,
    /// When the registration ends.
    pub expires_at_ms: u64,
    /// Storage the node paid for this record, in bytes (refunded when it is removed).
    pub storage_bytes: u64,
}

/// A node as views return it.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// The node's account.
    pub account_id: AccountId,
    /// Its ed25519 key, `ed25519:<base58>`.
    pub ed25519_public_key: PublicKey,
    /// Its X25519 key (hex).
    pub x25519_public_key: HexBytes<32>,
    /// `sev-snp` or `dev-insecure`.
    pub evidence_kind: EvidenceKind,
    /// Its hardware (SEV-SNP registrations).
    pub platform: Option<Platform>,
    /// When it registered.
    pub registered_at_ms: u64,
    /// When the registration ends.
    pub expires_at_ms: u64,
    /// Whether the registration is in force now: not expired, and its measurement and TCB still meet the
    /// owner's current policy.
    pub active: bool,
}

impl Node {
    /// The view, with `active` computed by the caller.
    pub fn view(&self, account_id: AccountId, active: bool) -> NodeView {
        let ed25519_public_key = PublicKey::from_parts(CurveType::ED25519, self.ed25519.0.to_vec())
            .unwrap_or_else(|_| near_sdk::env::abort());
        NodeView {
            account_id,
            ed25519_public_key,
            x25519_public_key: self.x25519,
            evidence_kind: self.kind,
            platform: self.platform.clone(),
            registered_at_ms: self.registered_at_ms,
            expires_at_ms: self.expires_at_ms,
            active,
        }
    }
}
