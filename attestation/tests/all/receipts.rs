//! Receipts from the attacker's side: altered fields, other signers, wrong proofs.

use std::collections::BTreeMap;

use redoubt_attestation::receipt::{ProofError, ReceiptError, verify_inclusion};
use redoubt_attestation::{
    Batch, Evidence, JobOutcome, JobRef, NodeKeys, Receipt, ReceiptChecks, Resources, SignedReceipt, Verifier,
    VerifierPolicy,
};

use crate::common::{NOW, TestNode};

/// A receipt of a job on the node of `keys`, presenting `evidence`.
pub fn receipt(keys: &NodeKeys, evidence: &Evidence) -> Receipt {
    Receipt {
        agent_code_hash: [1; 32],
        manifest_hash: [2; 32],
        input_hash: [3; 32],
        outcome: JobOutcome::Succeeded { output_hash: [4; 32] },
        job_id: "job-42".into(),
        market_ref: Some("market:bid-7".into()),
        node_account_id: keys.account_id().to_string(),
        node_public_key: keys.public_key(),
        evidence_hash: evidence.hash(),
        started_at_ms: 1_772_323_200_000,
        finished_at_ms: 1_772_323_201_500,
        resources: Resources {
            fuel: 1_000_000,
            wall_time_us: 1_500_000,
            memory_peak_bytes: 1 << 20,
            output_bytes: 512,
            host_calls: BTreeMap::from([("http".to_string(), 3), ("secret".to_string(), 1)]),
        },
        delegated_by: None,
        delegated_receipts: Vec::new(),
    }
}

fn signed() -> (NodeKeys, Evidence, SignedReceipt) {
    let keys = NodeKeys::generate("node.test.near".parse().unwrap());
    let evidence = Evidence::dev(keys.bound(None));
    let signed = SignedReceipt::sign(receipt(&keys, &evidence), &keys);
    (keys, evidence, signed)
}

#[test]
fn a_signed_receipt_verifies_and_round_trips_through_json() {
    let (keys, _, signed) = signed();
    let hash = signed.verify().unwrap();
    assert_eq!(hash, signed.receipt.hash());
    signed.verify_from(&keys.public_key()).unwrap();
    let json = serde_json::to_value(&signed).unwrap();
    assert!(json["signature"].as_str().unwrap().starts_with("ed25519:"));
    assert!(json["receipt"]["node_public_key"].as_str().unwrap().starts_with("ed25519:"));
    assert_eq!(json["receipt"]["outcome"]["status"], "succeeded");
    let back: SignedReceipt = serde_json::from_value(json).unwrap();
    assert_eq!(back, signed);
    back.verify().unwrap();
    assert!(signed.receipt.canonical_bytes().starts_with(b"redoubt:receipt:v1"));
}

/// An edit an attacker makes to a signed receipt.
type Change = fn(&mut Receipt);

#[test]
fn changing_any_field_breaks_the_signature() {
    let (_, _, signed) = signed();
    let other_key = NodeKeys::generate("x.near".parse().unwrap()).public_key();
    let changes: Vec<(&str, Change)> = vec![
        ("agent_code_hash", |r| r.agent_code_hash[31] ^= 1),
        ("manifest_hash", |r| r.manifest_hash[0] ^= 1),
        ("input_hash", |r| r.input_hash[5] ^= 1),
        ("output_hash", |r| r.outcome = JobOutcome::Succeeded { output_hash: [5; 32] }),
        ("outcome kind", |r| r.outcome = JobOutcome::Failed { error_hash: [4; 32], reason: "trap".into() }),
        ("job_id", |r| r.job_id.push('3')),
        ("market_ref", |r| r.market_ref = None),
        ("node_account_id", |r| r.node_account_id = "evil.near".into()),
        ("evidence_hash", |r| r.evidence_hash[9] ^= 1),
        ("started_at_ms", |r| r.started_at_ms -= 1),
        ("finished_at_ms", |r| r.finished_at_ms += 1),
        ("fuel", |r| r.resources.fuel += 1),
        ("wall_time_us", |r| r.resources.wall_time_us -= 1),
        ("memory_peak_bytes", |r| r.resources.memory_peak_bytes += 4096),
        ("output_bytes", |r| r.resources.output_bytes = 0),
        ("host_calls count", |r| *r.resources.host_calls.get_mut("http").unwrap() = 2),
        ("host_calls kind", |r| {
            r.resources.host_calls.insert("log".into(), 1);
        }),
        ("delegated_by", |r| {
            r.delegated_by = Some(JobRef { node_account_id: "hirer.near".into(), job_id: "1".into() })
        }),
        ("delegated_receipts", |r| r.delegated_receipts.push([0; 32])),
    ];
    for (field, change) in &changes {
        let mut tampered = signed.clone();
        change(&mut tampered.receipt);
        assert!(matches!(tampered.verify(), Err(ReceiptError::BadSignature(_))), "{field}");
    }
    let mut rekeyed = signed.clone();
    rekeyed.receipt.node_public_key = other_key;
    assert!(matches!(rekeyed.verify(), Err(ReceiptError::BadSignature(_))), "node_public_key");
}

#[test]
fn a_receipt_signed_by_another_key_is_rejected() {
    let (keys, evidence, honest) = signed();
    let thief = NodeKeys::generate("thief.near".parse().unwrap());
    // The thief signs a receipt that names the honest node's key.
    let forged = SignedReceipt { signature: thief.sign(&honest.receipt.hash()), ..honest.clone() };
    assert!(matches!(forged.verify(), Err(ReceiptError::BadSignature(_))));
    // A receipt signed (and named) by the thief verifies on its own but not as the honest node's.
    let own = SignedReceipt::sign(receipt(&keys, &evidence), &thief);
    own.verify().unwrap();
    assert!(matches!(own.verify_from(&keys.public_key()), Err(ReceiptError::UnexpectedKey { .. })));
}

#[test]
fn proofs_for_every_leaf_of_trees_of_1_to_33_verify() {
    for size in 1..=33u64 {
        let leaves: Vec<[u8; 32]> = (0..size).map(|i| [i as u8; 32]).collect();
        let batch = Batch::new(&leaves).unwrap();
        assert_eq!(batch.len(), size);
        for index in 0..size {
            let proof = batch.proof(index).unwrap();
            verify_inclusion(&leaves[index as usize], &proof, &batch.root())
                .unwrap_or_else(|e| panic!("size {size} leaf {index}: {e}"));
        }
        assert!(batch.proof(size).is_none());
    }
}

#[test]
fn a_proof_for_another_index_or_batch_or_a_tampered_proof_fails() {
    let leaves: Vec<[u8; 32]> = (0..13u8).map(|i| [i; 32]).collect();
    let batch = Batch::new(&leaves).unwrap();
    let root = batch.root();
    for index in 0..13usize {
        let proof = batch.proof(index as u64).unwrap();
        for other in (0..13).filter(|&o| o != index) {
            assert!(verify_inclusion(&leaves[other], &proof, &root).is_err(), "leaf {other} with proof of {index}");
        }
        let moved = redoubt_attestation::InclusionProof { leaf_index: (index as u64 + 1) % 13, ..proof.clone() };
        assert!(verify_inclusion(&leaves[index], &moved, &root).is_err(), "index {index} relabelled");
        let truncated = redoubt_attestation::InclusionProof { tree_size: index as u64, ..proof.clone() };
        assert!(matches!(verify_inclusion(&leaves[index], &truncated, &root), Err(ProofError::Shape { .. })));
        for step in 0..proof.path.len() {
            let mut bent = proof.clone();
            bent.path[step][0] ^= 1;
            assert_eq!(verify_inclusion(&leaves[index], &bent, &root), Err(ProofError::Mismatch));
        }
        let mut short = proof.clone();
        short.path.pop();
        assert!(verify_inclusion(&leaves[index], &short, &root).is_err());
        let mut long = proof.clone();
        long.path.push([0; 32]);
        assert!(verify_inclusion(&leaves[index], &long, &root).is_err());
    }
    let other_batch = Batch::new(&leaves[..12]).unwrap();
    let foreign = other_batch.proof(3).unwrap();
    assert!(matches!(verify_inclusion(&leaves[3], &foreign, &root), Err(ProofError::OtherBatch { .. })));
    // Even claiming the trusted root, the foreign path does not lead there.
    let relabelled = redoubt_attestation::InclusionProof { batch_root: root, ..foreign };
    assert!(verify_inclusion(&leaves[3], &relabelled, &root).is_err());
}

#[test]
fn receipt_outcome_checks_signature_proof_and_evidence_together() {
    let (_, evidence, signed) = signed();
    let hashes = [[9u8; 32], signed.receipt.hash(), [7u8; 32]];
    let batch = Batch::new(&hashes).unwrap();
    let proof = batch.proof(1).unwrap();
    let permissive = Verifier::new(VerifierPolicy::default()).allow_dev(true);
    let outcome = permissive.receipt_outcome(
        &signed,
        ReceiptChecks { proof: Some(&proof), evidence: Some(&evidence), ..ReceiptChecks::default() },
        NOW,
    );
    assert!(outcome.verified, "{:?}", outcome.reason);
    assert_eq!(outcome.batch_root, Some(hex::encode(batch.root())));

    let strict = Verifier::new(VerifierPolicy::default());
    let outcome = strict.receipt_outcome(
        &signed,
        ReceiptChecks { proof: Some(&proof), evidence: Some(&evidence), ..ReceiptChecks::default() },
        NOW,
    );
    assert_eq!(outcome.code, Some("dev-evidence-not-allowed"));

    let wrong_index = batch.proof(2).unwrap();
    let outcome = permissive.receipt_outcome(
        &signed,
        ReceiptChecks { proof: Some(&wrong_index), ..ReceiptChecks::default() },
        NOW,
    );
    assert_eq!(outcome.code, Some("proof-mismatch"));

    let other_node = TestNode::new();
    let other_evidence = Evidence::dev(other_node.keys.bound(None));
    let outcome = permissive.receipt_outcome(
        &signed,
        ReceiptChecks { evidence: Some(&other_evidence), ..ReceiptChecks::default() },
        NOW,
    );
    assert_eq!(outcome.code, Some("evidence-mismatch"));

    // Evidence of another node under the receipt's evidence hash: the keys do not match the signer.
    let mut claims_other = signed.receipt.clone();
    claims_other.evidence_hash = other_evidence.hash();
    let resigned = SignedReceipt::sign(claims_other, &NodeKeys::generate("node.test.near".parse().unwrap()));
    let err = permissive.receipt_outcome(
        &resigned,
        ReceiptChecks { evidence: Some(&other_evidence), ..ReceiptChecks::default() },
        NOW,
    );
    assert_eq!(err.code, Some("key-mismatch"));
}
