//! SEV-SNP fixtures: node keys, test-CA chips, reports binding a node's keys, and the evidence JSON a node
//! presents (the `redoubt-attestation` format), for the registry's native tests and the NEAR VM tests.

use near_sdk::base64::Engine;
use near_sdk::base64::engine::general_purpose::STANDARD;
use near_sdk::serde_json::{Value, json};
use redoubt_snp::report_data_binding;
use redoubt_snp_testca::{Family, ReportFields, Tcb, TestCa, TestChip};

/// The measurement test nodes run.
pub const MEASUREMENT: [u8; 48] = [0x5a; 48];

/// A deterministic stand-in for a node's ed25519 public key.
pub fn ed25519_of(who: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    for (slot, byte) in key.iter_mut().zip(format!("ed25519 key of {who}").bytes().cycle()) {
        *slot = byte;
    }
    key
}

/// A deterministic stand-in for a node's X25519 public key.
pub fn x25519_of(who: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    for (slot, byte) in key.iter_mut().zip(format!("x25519 key of {who}").bytes().cycle()) {
        *slot = byte;
    }
    key
}

/// `ed25519:<base58>` of a node's key, as NEAR writes it.
pub fn near_key(who: &str) -> String {
    String::from(&super::key_of(who))
}

/// The TCB test chips of `family` report.
pub fn chip_tcb(family: Family) -> Tcb {
    let fmc = (family == Family::Turin).then_some(1);
    Tcb { fmc, bootloader: 4, tee: 1, snp: 9, microcode: 80 }
}

/// A chip of `ca` whose chip id is derived from `seed`.
pub fn chip(ca: &TestCa, seed: u8) -> TestChip {
    let mut chip_id = [seed; 64];
    if ca.family() == Family::Turin {
        chip_id[8..].fill(0);
    }
    ca.issue_vcek(chip_id, chip_tcb(ca.family()))
}

/// A report signed by `chip` that runs [`MEASUREMENT`] and binds `node`'s keys, with `edit` applied to
/// the fields before signing.
pub fn report_for(chip: &TestChip, node: &str, edit: impl FnOnce(&mut ReportFields)) -> Vec<u8> {
    let mut fields = ReportFields {
        measurement: MEASUREMENT,
        report_data: report_data_binding(&ed25519_of(node), &x25519_of(node), &[]),
        ..ReportFields::default()
    };
    edit(&mut fields);
    chip.sign_report(&fields)
}

/// Standard base64.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The `sev-snp` evidence JSON `node` presents.
pub fn snp_evidence(node: &str, report: &[u8], vcek_der: &[u8]) -> Value {
    json!({
        "kind": "sev-snp",
        "report": b64(report),
        "vcek": b64(vcek_der),
        "ed25519_public_key": near_key(node),
        "x25519_public_key": hex::encode(x25519_of(node)),
    })
}

/// The `dev-insecure` evidence JSON `node` presents.
pub fn dev_evidence(node: &str) -> Value {
    json!({
        "kind": "dev-insecure",
        "warning": "INSECURE: made outside any TEE; it proves nothing about the node and must not be trusted",
        "ed25519_public_key": near_key(node),
        "x25519_public_key": hex::encode(x25519_of(node)),
    })
}

/// The `test-roots` initialisation of a registry trusting `cas`.
pub fn test_roots_mode(cas: &[&TestCa]) -> Value {
    let roots: Vec<Value> = cas
        .iter()
        .map(|ca| json!({ "family": ca.family(), "ark": b64(&ca.ark_der()), "ask": b64(&ca.ask_der()) }))
        .collect();
    json!({ "mode": "test-roots", "roots": roots })
}
