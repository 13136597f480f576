//! Why evidence or a receipt was rejected, beyond the SEV-SNP core's reasons.

use redoubt_snp::Rejection;

use crate::receipt::{DelegationError, ProofError, ReceiptError};

/// A verification failure with a reason a person can read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The SEV-SNP chain, report or policy was rejected.
    #[error(transparent)]
    Snp(#[from] Rejection),
    /// Dev evidence, and the verifier does not allow it.
    #[error("dev evidence is INSECURE (made outside any TEE); rejected because dev evidence is not allowed")]
    DevEvidence,
    /// The evidence answers another nonce than the verifier's fresh one.
    #[error(
        "evidence was made for nonce {presented}, not this verifier's nonce {expected}: stale or replayed evidence"
    )]
    NonceMismatch {
        /// Nonce the verifier required (hex).
        expected: String,
        /// Nonce in the evidence (hex, or `none`).
        presented: String,
    },
    /// The evidence binds other keys than the verifier expects.
    #[error("evidence binds the {which} key {presented}, expected {expected}")]
    KeyMismatch {
        /// `ed25519` or `x25519`.
        which: &'static str,
        /// Expected key.
        expected: String,
        /// Key in the evidence.
        presented: String,
    },
    /// The evidence's signing key is not ed25519.
    #[error("evidence signing key {0} is not ed25519")]
    KeyType(String),
    /// The receipt's signature failed.
    #[error(transparent)]
    Receipt(#[from] ReceiptError),
    /// The hiring job's receipt failed its own signature check.
    #[error("the parent receipt: {0}")]
    ParentReceipt(ReceiptError),
    /// The receipt and the hiring job's receipt do not name each other.
    #[error(transparent)]
    Delegation(#[from] DelegationError),
    /// The inclusion proof failed.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The receipt names another evidence than the one presented.
    #[error("receipt names evidence {expected}, but the evidence presented hashes to {presented}")]
    EvidenceMismatch {
        /// Evidence hash in the receipt (hex).
        expected: String,
        /// Hash of the presented evidence (hex).
        presented: String,
    },
}

impl VerifyError {
    /// A stable machine-readable code (kebab-case).
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Snp(r) => r.code(),
            VerifyError::DevEvidence => "dev-evidence-not-allowed",
            VerifyError::NonceMismatch { .. } => "nonce-mismatch",
            VerifyError::KeyMismatch { .. } => "key-mismatch",
            VerifyError::KeyType(_) => "key-type",
            VerifyError::Receipt(ReceiptError::KeyType(_)) => "receipt-key-type",
            VerifyError::Receipt(ReceiptError::BadSignature(_)) => "receipt-bad-signature",
            VerifyError::Receipt(ReceiptError::UnexpectedKey { .. }) => "receipt-unexpected-key",
            VerifyError::ParentReceipt(_) => "parent-receipt-invalid",
            VerifyError::Delegation(error) => error.code(),
            VerifyError::Proof(ProofError::OtherBatch { .. }) => "proof-other-batch",
            VerifyError::Proof(ProofError::Shape { .. }) => "proof-shape",
            VerifyError::Proof(ProofError::Mismatch) => "proof-mismatch",
            VerifyError::EvidenceMismatch { .. } => "evidence-mismatch",
        }
    }
}
