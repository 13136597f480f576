//! The evidence a node presents, in the JSON form the node and `redoubt-attestation` produce
//! (`{"kind": "sev-snp" | "dev-insecure", ..}`).

use crate::error::RegistryError;
use near_sdk::json_types::Base64VecU8;
use near_sdk::{CurveType, PublicKey, near};
use redoubt_contracts_common::HexBytes;

/// The keys a node binds into its evidence, and the verifier's nonce (absent for registration).
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundKeys {
    /// The node's ed25519 key, `ed25519:<base58>`: it must be the key signing the registration.
    pub ed25519_public_key: PublicKey,
    /// The node's X25519 encryption key (hex).
    pub x25519_public_key: HexBytes<32>,
    /// The verifier's nonce (hex); registration binds an empty nonce.
    #[serde(default)]
    pub nonce: Option<String>,
}

/// SEV-SNP evidence: the raw report and its VCEK.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnpEvidence {
    /// The 1184-byte ATTESTATION_REPORT (base64).
    pub report: Base64VecU8,
    /// The VCEK, DER (base64).
    pub vcek: Base64VecU8,
    /// An ASK the host supplied: ignored, the registry uses the roots it pins.
    #[serde(default)]
    pub ask: Option<Base64VecU8>,
    /// An ARK the host supplied: ignored, the registry uses the roots it pins.
    #[serde(default)]
    pub ark: Option<Base64VecU8>,
    /// The keys the report binds.
    #[serde(flatten)]
    pub keys: BoundKeys,
}

/// Dev evidence: made outside any TEE, proves nothing.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevEvidence {
    /// The evidence's own statement that it is insecure.
    pub warning: String,
    /// The keys the node claims.
    #[serde(flatten)]
    pub keys: BoundKeys,
}

/// What a node presents to register.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
#[serde(tag = "kind")]
pub enum Evidence {
    /// A hardware SEV-SNP report.
    #[serde(rename = "sev-snp")]
    SevSnp(SnpEvidence),
    /// No TEE.
    #[serde(rename = "dev-insecure")]
    DevInsecure(DevEvidence),
}

impl Evidence {
    /// The keys the evidence carries.
    pub fn keys(&self) -> &BoundKeys {
        match self {
            Evidence::SevSnp(e) => &e.keys,
            Evidence::DevInsecure(e) => &e.keys,
        }
    }
}

impl BoundKeys {
    /// The raw ed25519 key; refuses other key types and any nonce.
    pub fn registration_keys(&self) -> Result<([u8; 32], [u8; 32]), RegistryError> {
        if self.ed25519_public_key.curve_type() != CurveType::ED25519 {
            return Err(RegistryError::BadEvidence("ed25519_public_key is not an ed25519 key".into()));
        }
        let ed25519: [u8; 32] = self.ed25519_public_key.as_bytes()[1..]
            .try_into()
            .map_err(|_| RegistryError::BadEvidence("ed25519_public_key is not 32 bytes".into()))?;
        if self.nonce.as_deref().is_some_and(|n| !n.is_empty()) {
            return Err(RegistryError::NonceNotEmpty);
        }
        Ok((ed25519, self.x25519_public_key.0))
    }
}
