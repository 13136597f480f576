//! The link between a job's receipt and the receipt of a job it hired (delegation).
//!
//! A hiring job waits for the jobs it hires, so their receipts are signed first: the hired job's
//! receipt names the hiring job ([`Receipt::delegated_by`]) and the hiring job's receipt, signed
//! later, commits to the hired receipt's hash ([`Receipt::delegated_receipts`]). A verifier who
//! holds both receipts checks the link in both directions, so neither node can claim work the
//! other does not acknowledge.

use super::{JobRef, Receipt};

/// Why a receipt is not the receipt of a job that `parent` hired.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DelegationError {
    /// The child receipt says its job was not delegated.
    #[error("receipt {child} names no hiring job: it was not delegated")]
    NotDelegated {
        /// Hash of the child receipt (hex).
        child: String,
    },
    /// The child receipt names another hiring job than the parent receipt's.
    #[error(
        "receipt {child} was hired by job {} on {}, not by job {} on {}",
        claimed.job_id, claimed.node_account_id, parent.job_id, parent.node_account_id
    )]
    OtherParent {
        /// Hash of the child receipt (hex).
        child: String,
        /// The hiring job the child names.
        claimed: JobRef,
        /// The job of the parent receipt.
        parent: JobRef,
    },
    /// The parent receipt does not list the child receipt among the jobs it hired.
    #[error("the receipt of job {parent_job} does not list receipt {child} among the jobs it hired")]
    NotListed {
        /// Hash of the child receipt (hex).
        child: String,
        /// The parent receipt's job id.
        parent_job: String,
    },
}

impl DelegationError {
    /// A stable machine-readable code (kebab-case).
    pub fn code(&self) -> &'static str {
        match self {
            DelegationError::NotDelegated { .. } => "delegation-not-delegated",
            DelegationError::OtherParent { .. } => "delegation-other-parent",
            DelegationError::NotListed { .. } => "delegation-not-listed",
        }
    }
}

/// Checks that `child` is the receipt of a job that the job of `parent` hired: the child names the
/// parent's job, and the parent lists the child's hash. Signatures are checked separately
/// ([`super::SignedReceipt::verify`]): this compares what the two signed receipts say.
pub fn check_delegation(parent: &Receipt, child: &Receipt) -> Result<(), DelegationError> {
    let child_hash = child.hash();
    let child_hex = || hex::encode(child_hash);
    let parent_ref = parent.job_ref();
    match &child.delegated_by {
        None => return Err(DelegationError::NotDelegated { child: child_hex() }),
        Some(claimed) if *claimed != parent_ref => {
            return Err(DelegationError::OtherParent {
                child: child_hex(),
                claimed: claimed.clone(),
                parent: parent_ref,
            });
        }
        Some(_) => {}
    }
    if !parent.delegated_receipts.contains(&child_hash) {
        return Err(DelegationError::NotListed { child: child_hex(), parent_job: parent.job_id.clone() });
    }
    Ok(())
}
