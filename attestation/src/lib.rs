//! Redoubt attestation: what a node presents to prove it runs in an AMD SEV-SNP guest, how anyone
//! verifies that offline, the node's keys, and the signed receipts of the jobs it runs.
//!
//! Modules:
//! - `evidence`: SEV-SNP or dev evidence (serde JSON, stable hash).
//! - `guest`: collecting evidence and the sealing key inside the guest (configfs-tsm, /dev/sev-guest).
//! - `verify`: the offline verifier over [`redoubt_snp`], its chain cache and JSON outcomes.
//! - `input`: certificate (PEM/DER), report and argument input for verifiers and the CLI.
//! - `keys`: node keys and their files (NEAR key files, X25519, near-cli credentials).
//! - `receipt`: signed execution receipts, Merkle batches and inclusion proofs.
//! - `encoding`: serde helpers (hex, base64).

mod encoding;
pub mod evidence;
pub mod guest;
pub mod input;
pub mod keys;
pub mod receipt;
pub mod verify;

pub use evidence::{BoundKeys, DEV_WARNING, DevEvidence, Evidence, SnpEvidence};
pub use guest::{EvidenceSource, GuestError, collect, sealing_key};
pub use keys::{KeyError, NodeKeys};
pub use receipt::{
    Batch, DelegationError, InclusionProof, JobOutcome, JobRef, Receipt, Resources, SignedReceipt, check_delegation,
};
pub use verify::{
    ChainCache, Expectations, ReceiptChecks, ReceiptOutcome, SnpFiles, Verified, VerifiedReport, Verifier, VerifyError,
    VerifyOutcome,
};

/// The SEV-SNP verification core, re-exported: families, roots, policy, rejections.
pub use redoubt_snp as snp;
pub use redoubt_snp::{Family, Rejection, Tcb, VerifierPolicy, report_data_binding};
