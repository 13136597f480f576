//! Checking a signed receipt, optionally with its inclusion proof and the evidence it names.

use serde::Serialize;

use super::{Expectations, Verifier, VerifyError};
use crate::evidence::Evidence;
use crate::receipt::{InclusionProof, SignedReceipt, verify_inclusion};

/// The verdict on a receipt (JSON for `redoubt receipt verify --json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReceiptOutcome {
    /// Whether the signature, the proof (if given) and the evidence (if given) all verified.
    pub verified: bool,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why not, as a stable code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// The receipt hash (hex).
    pub receipt_hash: String,
    /// The signer.
    pub node_public_key: String,
    /// The batch root the proof leads to (hex), when a proof was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_root: Option<String>,
    /// The kind of evidence checked, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_kind: Option<&'static str>,
}

impl Verifier {
    /// Verify a signed receipt; with a proof, that the receipt is in the proof's batch (whose root
    /// the caller anchors, e.g. on NEAR); with evidence, that the evidence is the one the receipt
    /// names, binds the receipt's signing key, and verifies under this verifier.
    pub fn receipt_outcome(
        &self,
        signed: &SignedReceipt,
        proof: Option<&InclusionProof>,
        evidence: Option<&Evidence>,
        now_unix: u64,
    ) -> ReceiptOutcome {
        let result = self.check_receipt(signed, proof, evidence, now_unix);
        ReceiptOutcome {
            verified: result.is_ok(),
            reason: result.as_ref().err().map(ToString::to_string),
            code: result.as_ref().err().map(VerifyError::code),
            receipt_hash: hex::encode(signed.receipt.hash()),
            node_public_key: signed.receipt.node_public_key.to_string(),
            batch_root: proof.map(|p| hex::encode(p.batch_root)),
            evidence_kind: evidence.map(Evidence::kind),
        }
    }

    fn check_receipt(
        &self,
        signed: &SignedReceipt,
        proof: Option<&InclusionProof>,
        evidence: Option<&Evidence>,
        now_unix: u64,
    ) -> Result<(), VerifyError> {
        let hash = signed.verify()?;
        if let Some(proof) = proof {
            verify_inclusion(&hash, proof, &proof.batch_root)?;
        }
        if let Some(evidence) = evidence {
            let presented = evidence.hash();
            if presented != signed.receipt.evidence_hash {
                return Err(VerifyError::EvidenceMismatch {
                    expected: hex::encode(signed.receipt.evidence_hash),
                    presented: hex::encode(presented),
                });
            }
            let expect = Expectations {
                ed25519_public_key: Some(signed.receipt.node_public_key.clone()),
                ..Expectations::default()
            };
            self.verify(evidence, &expect, now_unix)?;
        }
        Ok(())
    }
}
