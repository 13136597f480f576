//! Signed execution receipts: what a node ran, on what, with what result and resources, under
//! which evidence; borsh-encoded canonically, hashed, signed in NEAR's format, and batched into
//! RFC 6962 Merkle trees.
//!
//! - `signed`: [`SignedReceipt`], signing and verification with the node's ed25519 key.
//! - `merkle`: batches, roots and inclusion proofs.
//! - `delegation`: the link between a job's receipt and the receipts of the jobs it hired.

mod delegation;
mod merkle;
mod signed;

use std::collections::BTreeMap;

use borsh::{BorshDeserialize, BorshSerialize};
use near_crypto::PublicKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::encoding::hex32_list;

pub use delegation::{DelegationError, check_delegation};
pub use merkle::{Batch, InclusionProof, ProofError, leaf_hash, verify_inclusion};
pub use signed::{ReceiptError, SignedReceipt};

/// Domain separator of the receipt encoding that is hashed and signed.
pub const RECEIPT_DOMAIN: &[u8] = b"redoubt:receipt:v1";

/// How a job ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum JobOutcome {
    /// The agent returned output.
    Succeeded {
        /// SHA-256 of the output.
        #[serde(with = "hex::serde")]
        output_hash: [u8; 32],
    },
    /// The job failed.
    Failed {
        /// SHA-256 of the error message.
        #[serde(with = "hex::serde")]
        error_hash: [u8; 32],
        /// Failure class (e.g. `trap`, `fuel-exhausted`, `timeout`, `denied`).
        reason: String,
    },
}

/// Resources a job used (plain numbers, independent of the sandbox crate).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
pub struct Resources {
    /// Wasm fuel consumed.
    pub fuel: u64,
    /// Wall-clock time, microseconds.
    pub wall_time_us: u64,
    /// Peak linear memory, bytes.
    pub memory_peak_bytes: u64,
    /// Output size, bytes.
    pub output_bytes: u64,
    /// Host calls made, per kind (e.g. `http`, `secret`, `log`); ordered, so encoding is canonical.
    pub host_calls: BTreeMap<String, u64>,
}

/// A job on a node: how a hired job names the job that hired it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
pub struct JobRef {
    /// NEAR account of the node that ran the job.
    pub node_account_id: String,
    /// The job's id on that node.
    pub job_id: String,
}

/// One job's receipt. Its hash is SHA-256 of [`RECEIPT_DOMAIN`] followed by its borsh encoding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
pub struct Receipt {
    /// SHA-256 of the agent component.
    #[serde(with = "hex::serde")]
    pub agent_code_hash: [u8; 32],
    /// SHA-256 of the agent manifest.
    #[serde(with = "hex::serde")]
    pub manifest_hash: [u8; 32],
    /// SHA-256 of the job input.
    #[serde(with = "hex::serde")]
    pub input_hash: [u8; 32],
    /// Result.
    pub outcome: JobOutcome,
    /// Job id.
    pub job_id: String,
    /// Market reference (e.g. the NEAR AI market job or bid id), if any.
    pub market_ref: Option<String>,
    /// NEAR account of the node.
    pub node_account_id: String,
    /// The node's ed25519 key that signs the receipt.
    pub node_public_key: PublicKey,
    /// [`crate::Evidence::hash`] of the evidence the node presented.
    #[serde(with = "hex::serde")]
    pub evidence_hash: [u8; 32],
    /// Start, unix milliseconds.
    pub started_at_ms: u64,
    /// End, unix milliseconds.
    pub finished_at_ms: u64,
    /// Resources used.
    pub resources: Resources,
    /// The job that hired this one, when it was delegated. The hiring job's receipt is signed after this one
    /// (it waits for the result), so it is that receipt which commits to this one's hash, in
    /// [`Receipt::delegated_receipts`]; [`check_delegation`] checks both directions.
    pub delegated_by: Option<JobRef>,
    /// Hashes of the receipts of the jobs this job hired, in the order they ended.
    #[serde(default, with = "hex32_list")]
    pub delegated_receipts: Vec<[u8; 32]>,
}

impl Receipt {
    /// The canonical bytes: [`RECEIPT_DOMAIN`] followed by the borsh encoding.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut bytes = RECEIPT_DOMAIN.to_vec();
        borsh::to_writer(&mut bytes, self).expect("borsh encoding into memory does not fail");
        bytes
    }

    /// SHA-256 of [`Receipt::canonical_bytes`]: what is signed and batched.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.canonical_bytes()).into()
    }

    /// This receipt's job, as a job it hired names it.
    pub fn job_ref(&self) -> JobRef {
        JobRef { node_account_id: self.node_account_id.clone(), job_id: self.job_id.clone() }
    }
}
