//! Checking a signed receipt, optionally with its inclusion proof, the evidence it names and the
//! receipt of the job that hired it.

use serde::Serialize;

use super::{Expectations, Verifier, VerifyError};
use crate::evidence::Evidence;
use crate::receipt::{InclusionProof, SignedReceipt, check_delegation, verify_inclusion};

/// What a receipt is checked against besides its own signature; each check is made when given.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReceiptChecks<'a> {
    /// An inclusion proof: the receipt must be in the batch whose root the proof names.
    pub proof: Option<&'a InclusionProof>,
    /// The node's evidence: it must be the evidence the receipt names, bind the receipt's signing
    /// key, and verify under the verifier.
    pub evidence: Option<&'a Evidence>,
    /// The signed receipt of the job that hired this one: its signature must verify, and the two
    /// receipts must name each other ([`check_delegation`]).
    pub parent: Option<&'a SignedReceipt>,
}

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
    /// The hash of the hiring job's receipt (hex), when a parent receipt was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_receipt_hash: Option<String>,
}

impl Verifier {
    /// Verify a signed receipt and whatever `checks` gives: with a proof, that the receipt is in the
    /// proof's batch (whose root the caller anchors, e.g. on NEAR); with evidence, that the evidence
    /// is the one the receipt names, binds the receipt's signing key, and verifies under this
    /// verifier; with a parent receipt, that it is signed and that the two name each other.
    pub fn receipt_outcome(&self, signed: &SignedReceipt, checks: ReceiptChecks<'_>, now_unix: u64) -> ReceiptOutcome {
        let result = self.check_receipt(signed, checks, now_unix);
        ReceiptOutcome {
            verified: result.is_ok(),
            reason: result.as_ref().err().map(ToString::to_string),
            code: result.as_ref().err().map(VerifyError::code),
            receipt_hash: hex::encode(signed.receipt.hash()),
            node_public_key: signed.receipt.node_public_key.to_string(),
            batch_root: checks.proof.map(|p| hex::encode(p.batch_root)),
            evidence_kind: checks.evidence.map(Evidence::kind),
            parent_receipt_hash: checks.parent.map(|p| hex::encode(p.receipt.hash())),
        }
    }

    fn check_receipt(
        &self,
        signed: &SignedReceipt,
        checks: ReceiptChecks<'_>,
        now_unix: u64,
    ) -> Result<(), VerifyError> {
        let hash = signed.verify()?;
        if let Some(proof) = checks.proof {
            verify_inclusion(&hash, proof, &proof.batch_root)?;
        }
        if let Some(parent) = checks.parent {
            parent.verify().map_err(VerifyError::ParentReceipt)?;
            check_delegation(&parent.receipt, &signed.receipt)?;
        }
        if let Some(evidence) = checks.evidence {
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
