//! `redoubt receipt verify` from the attacker's side: altered fields, other signers, proofs of
//! other leaves or batches, evidence of other keys or chains, dev evidence not allowed, hirer
//! receipts that do not list the hired job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use redoubt_attestation::{
    Batch, Evidence, Family, JobOutcome, NodeKeys, Receipt, Resources, SignedReceipt, SnpEvidence, Tcb, input,
    report_data_binding,
};
use redoubt_snp_testca::{ReportFields, TestCa};
use serde_json::{Value, json};
use tempfile::TempDir;

use super::snp::{BASE_SET, RealSet};
use super::{Run, arg, redoubt, write};

pub(super) fn unsigned_receipt(keys: &NodeKeys, evidence: &Evidence, job: usize) -> Receipt {
    Receipt {
        agent_code_hash: [1; 32],
        manifest_hash: [2; 32],
        input_hash: [3; 32],
        outcome: JobOutcome::Succeeded { output_hash: [4; 32] },
        job_id: format!("job-{job}"),
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
            host_calls: BTreeMap::from([("http".to_string(), 3)]),
        },
        delegated_by: None,
        delegated_receipts: Vec::new(),
    }
}

pub(super) fn generate_keys(account: &str) -> NodeKeys {
    NodeKeys::generate(account.parse().unwrap())
}

/// A node's batch of five signed receipts under dev evidence, written to a temp directory.
struct Receipts {
    tmp: TempDir,
    keys: NodeKeys,
    evidence: Evidence,
    signed: Vec<SignedReceipt>,
    batch: Batch,
}

impl Receipts {
    fn new() -> Receipts {
        let keys = generate_keys("node.test.near");
        let evidence = Evidence::dev(keys.bound(None));
        let signed: Vec<_> =
            (0..5).map(|job| SignedReceipt::sign(unsigned_receipt(&keys, &evidence, job), &keys)).collect();
        let hashes: Vec<_> = signed.iter().map(|s| s.receipt.hash()).collect();
        let batch = Batch::new(&hashes).unwrap();
        Receipts { tmp: TempDir::new().unwrap(), keys, evidence, signed, batch }
    }

    /// Serialise a value to a JSON file.
    fn file(&self, name: &str, value: &impl serde::Serialize) -> PathBuf {
        write(&self.tmp, name, serde_json::to_vec(value).unwrap())
    }

    /// `redoubt receipt verify RECEIPT EXTRA... --json`.
    fn verify(&self, receipt: &Path, extra: &[&str]) -> Run {
        let mut args = vec!["receipt", "verify", arg(receipt), "--json"];
        args.extend_from_slice(extra);
        redoubt(&args)
    }

    /// A receipt of this node naming `evidence`, verified with it: must exit 1; returns the verdict.
    fn verify_with_evidence(&self, evidence: &Evidence) -> Value {
        let signed = SignedReceipt::sign(unsigned_receipt(&self.keys, evidence, 0), &self.keys);
        let receipt = self.file("snp-receipt.json", &signed);
        let evidence = self.file("snp-evidence.json", evidence);
        let json = self.verify(&receipt, &["--evidence", arg(&evidence)]).exits(1).json();
        assert_eq!(json["verified"], false, "{json}");
        assert_eq!(json["evidence_kind"], "sev-snp", "{json}");
        assert_eq!(json["hardware_bound"], false, "{json}");
        json
    }
}

#[test]
fn a_genuine_receipt_verifies_with_its_proof_and_allowed_dev_evidence() {
    let r = Receipts::new();
    let receipt = r.file("receipt.json", &r.signed[2]);
    let proof = r.file("proof.json", &r.batch.proof(2).unwrap());
    let evidence = r.file("evidence.json", &r.evidence);

    let json = r.verify(&receipt, &[]).verifies();
    assert_eq!(json["receipt_hash"], hex::encode(r.signed[2].receipt.hash()));
    assert_eq!(json["node_public_key"], r.keys.public_key().to_string());
    assert_eq!(json["hardware_bound"], false);
    assert!(json["note"].as_str().unwrap().contains("not tied to hardware"), "{json}");

    let json = r.verify(&receipt, &["--proof", arg(&proof)]).verifies();
    assert_eq!(json["batch_root"], hex::encode(r.batch.root()));

    let all = ["--proof", arg(&proof), "--evidence", arg(&evidence), "--allow-dev"];
    let json = r.verify(&receipt, &all).verifies();
    assert_eq!(json["evidence_kind"], "dev-insecure");
    assert_eq!(json["hardware_bound"], false);
    assert!(json["note"].as_str().unwrap().contains("dev evidence proves nothing about hardware"), "{json}");

    let human = redoubt(&["receipt", "verify", arg(&receipt), "--proof", arg(&proof)]).exits(0);
    assert!(human.stdout.starts_with("VERIFIED receipt "), "{}", human.stdout);
    for needle in ["job-2", "leaf 2 of 5", "not tied to hardware", &r.keys.public_key().to_string()] {
        assert!(human.stdout.contains(needle), "{needle:?} missing from\n{}", human.stdout);
    }
    let human = redoubt(&["receipt", "verify", arg(&receipt), "--evidence", arg(&evidence), "--allow-dev"]).exits(0);
    assert!(human.stdout.contains("dev evidence proves nothing about hardware"), "{}", human.stdout);
}

#[test]
fn a_changed_field_or_another_signer_is_rejected() {
    let r = Receipts::new();
    let genuine = serde_json::to_value(&r.signed[0]).unwrap();
    let other = generate_keys("other.test.near");
    let edits: [(&str, Value); 6] = [
        ("/receipt/job_id", "job-9".into()),
        ("/receipt/node_account_id", "evil.near".into()),
        ("/receipt/resources/fuel", 1.into()),
        ("/receipt/outcome/output_hash", hex::encode([5u8; 32]).into()),
        ("/receipt/node_public_key", other.public_key().to_string().into()),
        ("/signature", other.sign(&r.signed[0].receipt.hash()).to_string().into()),
    ];
    for (pointer, value) in edits {
        let mut edited = genuine.clone();
        *edited.pointer_mut(pointer).unwrap() = value;
        let path = r.file("edited.json", &edited);
        let json = r.verify(&path, &[]).rejects("receipt-bad-signature");
        assert!(json["reason"].as_str().unwrap().contains("altered or signed by another key"), "{pointer}: {json}");
    }
    let human = redoubt(&["receipt", "verify", arg(&r.file("edited.json", &genuine))]).exits(0);
    assert!(human.stdout.starts_with("VERIFIED"), "the unedited copy still verifies");
}

#[test]
fn a_proof_for_another_index_or_batch_is_rejected() {
    let r = Receipts::new();
    let receipt = r.file("receipt.json", &r.signed[0]);
    let proof_of = |name: &str, proof| r.file(name, &proof);
    let other_index = proof_of("index.json", r.batch.proof(3).unwrap());
    r.verify(&receipt, &["--proof", arg(&other_index)]).rejects("proof-mismatch");

    let mut relabelled = r.batch.proof(3).unwrap();
    relabelled.leaf_index = 0;
    r.verify(&receipt, &["--proof", arg(&proof_of("relabelled.json", relabelled))]).rejects("proof-mismatch");

    // A batch of another node's receipts, same positions.
    let other = Receipts::new();
    let other_batch = proof_of("batch.json", other.batch.proof(0).unwrap());
    r.verify(&receipt, &["--proof", arg(&other_batch)]).rejects("proof-mismatch");

    let mut out_of_range = r.batch.proof(0).unwrap();
    out_of_range.leaf_index = 7;
    r.verify(&receipt, &["--proof", arg(&proof_of("range.json", out_of_range))]).rejects("proof-shape");
}

#[test]
fn a_hired_job_verifies_only_with_the_hirer_receipt_that_lists_it() {
    let r = Receipts::new();
    let worker = generate_keys("worker.test.near");
    let worker_evidence = Evidence::dev(worker.bound(None));
    let hirer_receipt = unsigned_receipt(&r.keys, &r.evidence, 1);
    let mut child = unsigned_receipt(&worker, &worker_evidence, 9);
    child.delegated_by = Some(hirer_receipt.job_ref());
    let child = SignedReceipt::sign(child, &worker);
    let mut listing = hirer_receipt.clone();
    listing.delegated_receipts = vec![child.receipt.hash()];
    let listing = r.file("parent.json", &SignedReceipt::sign(listing, &r.keys));
    let child_file = r.file("child.json", &child);

    let json = r.verify(&child_file, &["--parent", arg(&listing)]).verifies();
    assert_eq!(json["parent_receipt_hash"].as_str().map(str::len), Some(64), "{json}");
    let human = redoubt(&["receipt", "verify", arg(&child_file), "--parent", arg(&listing)]).exits(0);
    assert!(human.stdout.contains("hired by:          job job-1 on node.test.near, receipt"), "{}", human.stdout);

    // The hirer's receipt that lists nothing, one whose list was edited, and a job that was not hired.
    let silent = r.file("silent.json", &r.signed[1]);
    r.verify(&child_file, &["--parent", arg(&silent)]).rejects("delegation-not-listed");
    let mut edited = serde_json::to_value(&r.signed[1]).unwrap();
    edited["receipt"]["delegated_receipts"] = json!([hex::encode(child.receipt.hash())]);
    r.verify(&child_file, &["--parent", arg(&r.file("edited.json", &edited))]).rejects("parent-receipt-invalid");
    let unhired = r.file("unhired.json", &r.signed[2]);
    r.verify(&unhired, &["--parent", arg(&listing)]).rejects("delegation-not-delegated");
    redoubt(&["receipt", "verify", arg(&child_file), "--parent", "/nonexistent/parent.json"]).exits(2);
}

#[test]
fn evidence_of_other_keys_or_not_allowed_is_rejected() {
    let r = Receipts::new();
    let receipt = r.file("receipt.json", &r.signed[0]);
    let own = r.file("evidence.json", &r.evidence);
    let json = r.verify(&receipt, &["--evidence", arg(&own)]).rejects("dev-evidence-not-allowed");
    assert!(json["reason"].as_str().unwrap().contains("INSECURE"), "{json}");

    // Another node's evidence, not the one the receipt names.
    let other = generate_keys("other.test.near");
    let other_evidence = Evidence::dev(other.bound(None));
    let other_file = r.file("other-evidence.json", &other_evidence);
    r.verify(&receipt, &["--evidence", arg(&other_file), "--allow-dev"]).rejects("evidence-mismatch");

    // A receipt signed by this node that names the other node's evidence: the keys differ.
    let claims_other = SignedReceipt::sign(unsigned_receipt(&r.keys, &other_evidence, 0), &r.keys);
    let claims_other = r.file("claims-other.json", &claims_other);
    let json = r.verify(&claims_other, &["--evidence", arg(&other_file), "--allow-dev"]).rejects("key-mismatch");
    assert!(json["reason"].as_str().unwrap().contains(&r.keys.public_key().to_string()), "{json}");
}

#[test]
fn snp_evidence_from_a_test_ca_or_binding_other_keys_is_rejected() {
    let r = Receipts::new();
    // Evidence signed by a test CA that binds the node's keys: well formed, but not AMD's chain.
    let ca = TestCa::new(Family::Genoa);
    let chip = ca.issue_vcek([0x5c; 64], Tcb { fmc: None, bootloader: 4, tee: 0, snp: 22, microcode: 213 });
    let binding = report_data_binding(&r.keys.ed25519_public(), &r.keys.x25519_public(), &[]);
    let fields = ReportFields { report_data: binding, ..Default::default() };
    let snp = |report: Vec<u8>, vcek: Vec<u8>| {
        Evidence::SevSnp(SnpEvidence { report, vcek, ask: None, ark: None, keys: r.keys.bound(None) })
    };
    let test_ca_evidence = snp(chip.sign_report(&fields), chip.vcek_der());
    let json = r.verify_with_evidence(&test_ca_evidence);
    assert_eq!(json["code"], "chain-broken", "{json}");

    // A genuine AMD report that does not bind the node's keys.
    let Some(set) = RealSet::unexpired(BASE_SET) else { return };
    let vcek = input::certificate_der(&std::fs::read(&set.vcek).unwrap()).unwrap();
    let real_evidence = snp(std::fs::read(&set.report).unwrap(), vcek);
    let json = r.verify_with_evidence(&real_evidence);
    assert_eq!(json["code"], "report-data-mismatch", "{json}");
}

#[test]
fn unreadable_receipt_input_exits_2() {
    let r = Receipts::new();
    let receipt = r.file("receipt.json", &r.signed[0]);
    let missing = r.tmp.path().join("missing.json");
    let garbage = write(&r.tmp, "garbage.json", "{\"receipt\": 1}");
    r.verify(&missing, &[]).bad_input("missing.json");
    r.verify(&garbage, &[]).bad_input("not a valid signed receipt");
    r.verify(&receipt, &["--proof", arg(&garbage)]).bad_input("not a valid inclusion proof");
    r.verify(&receipt, &["--evidence", arg(&garbage), "--allow-dev"]).bad_input("not a valid evidence");
    r.verify(&receipt, &["--proof", arg(&missing)]).bad_input("reading the inclusion proof file");
    redoubt(&["receipt", "verify"]).exits(2);
}
