//! `redoubt attest show`: the node's keys and evidence, and what happens without keys.

use redoubt_attestation::guest::{EvidenceSource, detect};
use redoubt_attestation::{Evidence, NodeKeys, SignedReceipt};
use redoubt_node::home::Home;
use tempfile::TempDir;

use super::receipts::{generate_keys, unsigned_receipt};
use super::{arg, redoubt, write};

/// A node home holding freshly generated keys.
fn home_with_keys() -> (TempDir, NodeKeys) {
    let tmp = TempDir::new().unwrap();
    let home = Home::at(tmp.path());
    std::fs::create_dir_all(home.near_key_file().parent().unwrap()).unwrap();
    let keys = generate_keys("show.test.near");
    keys.save(&home.near_key_file(), &home.x25519_key_file()).unwrap();
    (tmp, keys)
}

#[test]
fn show_prints_the_keys_and_dev_evidence() {
    let (tmp, keys) = home_with_keys();
    let home = arg(tmp.path());
    let on_sev = detect() != EvidenceSource::Dev;
    let human = redoubt(&["attest", "show", "--home", home]).exits(0);
    for needle in ["show.test.near", &keys.public_key().to_string(), &hex::encode(keys.x25519_public())] {
        assert!(human.stdout.contains(needle), "{needle:?} missing from\n{}", human.stdout);
    }
    let json = redoubt(&["attest", "show", "--home", home, "--nonce", "00ff", "--json"]).exits(0).json();
    assert_eq!(json["account_id"], "show.test.near");
    assert_eq!(json["ed25519_public_key"], keys.public_key().to_string());
    assert_eq!(json["x25519_public_key"], hex::encode(keys.x25519_public()));
    assert_eq!(json["nonce"], "00ff");
    let evidence: Evidence = serde_json::from_value(json["evidence"].clone()).unwrap();
    assert_eq!(json["evidence_hash"], hex::encode(evidence.hash()));
    assert_eq!(evidence.keys(), &keys.bound(Some(&[0x00, 0xff])));
    if on_sev {
        println!("running in an SEV-SNP guest: hardware evidence instead of dev evidence");
        assert_eq!(json["evidence_kind"], "sev-snp");
        return;
    }
    assert!(
        human.stdout.contains("INSECURE DEV EVIDENCE") && human.stdout.contains("dev-insecure"),
        "{}",
        human.stdout
    );
    assert_eq!(json["evidence_kind"], "dev-insecure");
    assert_eq!(json["insecure"], true);
    assert_eq!(evidence, Evidence::dev(keys.bound(Some(&[0x00, 0xff]))));

    // The evidence it prints is what receipts name and verifiers check.
    let out = TempDir::new().unwrap();
    let plain = redoubt(&["attest", "show", "--home", home, "--json"]).exits(0).json();
    let evidence_file = write(&out, "evidence.json", plain["evidence"].to_string());
    let evidence: Evidence = serde_json::from_value(plain["evidence"].clone()).unwrap();
    let signed = SignedReceipt::sign(unsigned_receipt(&keys, &evidence, 1), &keys);
    let receipt_file = write(&out, "receipt.json", serde_json::to_vec(&signed).unwrap());
    let args = ["receipt", "verify", arg(&receipt_file), "--evidence", arg(&evidence_file)];
    redoubt(&args).exits(1);
    redoubt(&[&args[..], &["--allow-dev"][..]].concat()).exits(0);
}

#[test]
fn show_without_keys_or_with_bad_input_exits_2() {
    let empty = TempDir::new().unwrap();
    redoubt(&["attest", "show", "--home", arg(empty.path())]).bad_input("redoubt init");

    let (tmp, _) = home_with_keys();
    let run = redoubt(&["attest", "show", "--home", arg(tmp.path()), "--nonce", "xyz"]).exits(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);

    let home = Home::at(tmp.path());
    std::fs::remove_file(home.x25519_key_file()).unwrap();
    redoubt(&["attest", "show", "--home", arg(tmp.path())]).bad_input("x25519.key does not exist");

    std::fs::write(home.near_key_file(), "{}").unwrap();
    redoubt(&["attest", "show", "--home", arg(tmp.path())]).bad_input("reading the node keys");
}
