//! Evidence a node presents: an SEV-SNP report with its certificates, or dev evidence that says
//! plainly it is insecure. Both carry the node's public keys and the nonce the report binds.

use borsh::BorshSerialize;
use near_crypto::{KeyType, PublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::encoding::{base64_bytes, base64_option, hex_option};

/// Domain separator of [`Evidence::hash`].
const EVIDENCE_DOMAIN: &[u8] = b"redoubt:evidence:v1";

/// The public keys a node binds into its evidence, and the verifier's nonce (if one was given).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize)]
pub struct BoundKeys {
    /// The node's ed25519 signing key, `ed25519:<base58>`.
    pub ed25519_public_key: PublicKey,
    /// The node's X25519 encryption key (hex).
    #[serde(with = "hex::serde")]
    pub x25519_public_key: [u8; 32],
    /// The verifier's nonce (hex); absent for registration evidence.
    #[serde(default, with = "hex_option", skip_serializing_if = "Option::is_none")]
    pub nonce: Option<Vec<u8>>,
}

/// SEV-SNP evidence: the raw report and the certificates to verify it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize)]
pub struct SnpEvidence {
    /// The 1184-byte ATTESTATION_REPORT (base64).
    #[serde(with = "base64_bytes")]
    pub report: Vec<u8>,
    /// The VCEK, DER (base64).
    #[serde(with = "base64_bytes")]
    pub vcek: Vec<u8>,
    /// The ASK, DER (base64), when the host supplied one; verifiers default to the built-in one.
    #[serde(default, with = "base64_option", skip_serializing_if = "Option::is_none")]
    pub ask: Option<Vec<u8>>,
    /// The ARK, DER (base64), when the host supplied one; it must equal the built-in ARK.
    #[serde(default, with = "base64_option", skip_serializing_if = "Option::is_none")]
    pub ark: Option<Vec<u8>>,
    /// The keys and nonce the report's report_data binds.
    #[serde(flatten)]
    pub keys: BoundKeys,
}

/// Evidence made off SEV hardware. It proves nothing; verifiers reject it unless told otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize)]
pub struct DevEvidence {
    /// A plain statement that this evidence is insecure.
    pub warning: String,
    /// The keys and nonce the node claims.
    #[serde(flatten)]
    pub keys: BoundKeys,
}

/// What a node presents to prove where it runs (`"kind"` tags the JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize)]
#[serde(tag = "kind")]
pub enum Evidence {
    /// A hardware SEV-SNP report.
    #[serde(rename = "sev-snp")]
    SevSnp(SnpEvidence),
    /// No TEE: development only.
    #[serde(rename = "dev-insecure")]
    DevInsecure(DevEvidence),
}

/// The warning every dev evidence carries.
pub const DEV_WARNING: &str =
    "INSECURE: made outside any TEE; it proves nothing about the node and must not be trusted";

impl Evidence {
    /// Dev evidence for these keys and nonce.
    pub fn dev(keys: BoundKeys) -> Evidence {
        Evidence::DevInsecure(DevEvidence { warning: DEV_WARNING.to_owned(), keys })
    }

    /// The keys and nonce the evidence carries.
    pub fn keys(&self) -> &BoundKeys {
        match self {
            Evidence::SevSnp(e) => &e.keys,
            Evidence::DevInsecure(e) => &e.keys,
        }
    }

    /// `"sev-snp"` or `"dev-insecure"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Evidence::SevSnp(_) => "sev-snp",
            Evidence::DevInsecure(_) => "dev-insecure",
        }
    }

    /// SHA-256 of `b"redoubt:evidence:v1"` followed by the borsh encoding of the evidence (for receipts).
    pub fn hash(&self) -> [u8; 32] {
        let body = borsh::to_vec(self).expect("borsh encoding into memory does not fail");
        Sha256::new_with_prefix(EVIDENCE_DOMAIN).chain_update(body).finalize().into()
    }
}

impl BoundKeys {
    /// The raw 32-byte ed25519 key, or `None` if the key is of another type.
    pub fn ed25519_bytes(&self) -> Option<[u8; 32]> {
        match self.ed25519_public_key.key_type() {
            KeyType::ED25519 => Some(self.ed25519_public_key.unwrap_as_ed25519().0),
            _ => None,
        }
    }
}
