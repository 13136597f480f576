//! Delegation links from the attacker's side: a hired job's receipt and its hirer's receipt must name
//! each other, both signed, or a verifier rejects the pair.

use redoubt_attestation::{
    DelegationError, Evidence, JobOutcome, JobRef, NodeKeys, ReceiptChecks, SignedReceipt, Verifier, VerifierPolicy,
    check_delegation,
};

use crate::common::NOW;
use crate::receipts::receipt;

/// A hirer's node, a worker's node, the worker's receipt and the hirer's receipt that lists it.
struct Pair {
    hirer: NodeKeys,
    worker: NodeKeys,
    child: SignedReceipt,
    parent: SignedReceipt,
}

fn node(account: &str) -> (NodeKeys, Evidence) {
    let keys = NodeKeys::generate(account.parse().unwrap());
    let evidence = Evidence::dev(keys.bound(None));
    (keys, evidence)
}

fn pair() -> Pair {
    let (hirer, hirer_evidence) = node("hirer.test.near");
    let (worker, worker_evidence) = node("worker.test.near");
    let mut parent = receipt(&hirer, &hirer_evidence);
    parent.job_id = "7".into();
    let mut child = receipt(&worker, &worker_evidence);
    child.job_id = "31".into();
    child.delegated_by = Some(parent.job_ref());
    let child = SignedReceipt::sign(child, &worker);
    parent.delegated_receipts = vec![[3; 32], child.receipt.hash()];
    let parent = SignedReceipt::sign(parent, &hirer);
    Pair { hirer, worker, child, parent }
}

fn verifier() -> Verifier {
    Verifier::new(VerifierPolicy::default()).allow_dev(true)
}

fn outcome_code(child: &SignedReceipt, parent: &SignedReceipt) -> Option<&'static str> {
    verifier().receipt_outcome(child, ReceiptChecks { parent: Some(parent), ..ReceiptChecks::default() }, NOW).code
}

#[test]
fn a_hired_job_and_its_hirer_name_each_other() {
    let Pair { child, parent, .. } = pair();
    check_delegation(&parent.receipt, &child.receipt).unwrap();
    let checks = ReceiptChecks { parent: Some(&parent), ..ReceiptChecks::default() };
    let outcome = verifier().receipt_outcome(&child, checks, NOW);
    assert!(outcome.verified, "{:?}", outcome.reason);
    assert_eq!(outcome.parent_receipt_hash, Some(hex::encode(parent.receipt.hash())));
    // The link is not symmetric: the hirer was not hired by its worker.
    assert!(matches!(check_delegation(&child.receipt, &parent.receipt), Err(DelegationError::NotDelegated { .. })));
}

#[test]
fn a_job_that_was_not_hired_is_not_accepted_as_hired() {
    let Pair { worker, mut child, parent, .. } = pair();
    child.receipt.delegated_by = None;
    let child = SignedReceipt::sign(child.receipt, &worker);
    assert_eq!(outcome_code(&child, &parent), Some("delegation-not-delegated"));
}

#[test]
fn a_worker_claiming_another_hirer_is_rejected() {
    let Pair { worker, child, parent, .. } = pair();
    for claimed in [
        JobRef { node_account_id: "hirer.test.near".into(), job_id: "8".into() },
        JobRef { node_account_id: "other.test.near".into(), job_id: "7".into() },
    ] {
        let mut claim = child.receipt.clone();
        claim.delegated_by = Some(claimed);
        let claim = SignedReceipt::sign(claim, &worker);
        assert_eq!(outcome_code(&claim, &parent), Some("delegation-other-parent"));
    }
}

#[test]
fn work_the_hirer_did_not_acknowledge_is_rejected() {
    let Pair { hirer, worker, child, parent } = pair();
    // The worker re-signs its receipt with another output after the hirer signed: not the listed one.
    let mut altered = child.receipt.clone();
    altered.outcome = JobOutcome::Succeeded { output_hash: [0xee; 32] };
    let altered = SignedReceipt::sign(altered, &worker);
    let error = check_delegation(&parent.receipt, &altered.receipt).unwrap_err();
    assert!(matches!(error, DelegationError::NotListed { .. }), "{error}");
    assert_eq!(outcome_code(&altered, &parent), Some("delegation-not-listed"));
    // A hirer receipt that lists nothing acknowledges no worker.
    let mut silent = parent.receipt.clone();
    silent.delegated_receipts.clear();
    let silent = SignedReceipt::sign(silent, &hirer);
    assert_eq!(outcome_code(&child, &silent), Some("delegation-not-listed"));
}

#[test]
fn a_forged_hirer_receipt_is_rejected_before_the_link_is_read() {
    let Pair { worker, child, parent, .. } = pair();
    // The worker edits the hirer's list to add itself: the hirer's signature breaks.
    let mut forged = parent.clone();
    forged.receipt.delegated_receipts = vec![child.receipt.hash()];
    forged.receipt.outcome = JobOutcome::Failed { error_hash: [1; 32], reason: "agent".into() };
    assert_eq!(outcome_code(&child, &forged), Some("parent-receipt-invalid"));
    // Re-signed by the worker under its own key, it still names the hirer's key: the signature fails.
    let resigned = SignedReceipt { signature: worker.sign(&forged.receipt.hash()), ..forged };
    assert_eq!(outcome_code(&child, &resigned), Some("parent-receipt-invalid"));
}
