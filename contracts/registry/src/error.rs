//! Why a registry call is refused. A refused call panics on chain, which reverts everything it did.

use near_sdk::{AccountId, FunctionError};
use redoubt_contracts_common::InsufficientDeposit;
use redoubt_snp::Rejection;

/// Every reason the registry refuses a call, with a message a person can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, FunctionError)]
pub enum RegistryError {
    /// The caller is not the owner.
    #[error("only the owner may do this")]
    NotOwner,
    /// A privileged call did not attach at least 1 yoctoNEAR (proof that a full-access key signed it).
    #[error("attach at least 1 yoctoNEAR (and the storage deposit, if the call stores data)")]
    ConfirmationDeposit,
    /// The attached deposit does not cover the storage the call uses.
    #[error(transparent)]
    InsufficientDeposit(#[from] InsufficientDeposit),
    /// The SEV-SNP evidence failed verification.
    #[error("SEV-SNP evidence rejected: {0}")]
    Snp(#[from] Rejection),
    /// The evidence JSON is not valid.
    #[error("evidence is malformed: {0}")]
    BadEvidence(String),
    /// Dev evidence presented to a registry not in dev mode.
    #[error("dev-insecure evidence is accepted only by a registry initialised in dev mode; this one is {0}")]
    DevEvidenceRefused(&'static str),
    /// Registration must come straight from the node's own transaction.
    #[error(
        "register from a transaction signed by the node account itself (predecessor {predecessor} is not the signer {signer})"
    )]
    NotSignedByNode {
        /// The account calling.
        predecessor: AccountId,
        /// The account that signed the transaction.
        signer: AccountId,
    },
    /// The evidence's ed25519 key is not the key that signed the transaction.
    #[error("the evidence's ed25519 key is not the key that signed this transaction")]
    KeyNotSigner,
    /// Registration evidence must not carry a nonce.
    #[error("registration evidence binds an empty nonce; this one carries a nonce")]
    NonceNotEmpty,
    /// The measurement is not in the allowlist.
    #[error("measurement {0} is not in the registry's allowlist")]
    MeasurementNotAllowed(String),
    /// No cached VCEK has this fingerprint.
    #[error("no verified VCEK with fingerprint {0}: submit it first")]
    UnknownVcek(String),
    /// The account is not a registered node.
    #[error("{0} is not a registered node")]
    NotRegistered(AccountId),
    /// The node's registration expired or no longer meets the policy.
    #[error("{0}'s registration is not in force (expired, or its measurement or TCB no longer meets the policy)")]
    NotActive(AccountId),
    /// Anchored batch indices must increase.
    #[error("batch index {index} is not above the last anchored index {last}")]
    BatchIndexNotIncreasing {
        /// The index given.
        index: u64,
        /// The node's last anchored index.
        last: u64,
    },
    /// A batch must hold at least one receipt.
    #[error("a batch holds at least one receipt")]
    EmptyBatch,
    /// A setting is out of range.
    #[error("invalid setting: {0}")]
    BadSetting(&'static str),
    /// The measurement is already allowed (or, for a revocation, not allowed).
    #[error("measurement {0} is {1}")]
    MeasurementState(String, &'static str),
}
