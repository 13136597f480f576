//! The registry reads the evidence JSON the node really produces: the
//! contract mirrors `redoubt-attestation`'s wire format (it cannot link
//! near-crypto), so these tests feed it that crate's own serialization,
//! from keys the attestation crate generated, and catch any drift.

use super::*;
use near_sdk::PublicKey;
use redoubt_attestation::guest::expected_report_data;
use redoubt_attestation::{Evidence as NodeEvidence, NodeKeys, SnpEvidence};
use redoubt_snp_testca::ReportFields;

/// Keys as `redoubt init` makes them, and the caller that signs with them.
fn node_keys() -> (NodeKeys, Caller) {
    let keys = NodeKeys::generate(NODE.parse().unwrap());
    let signer_pk: PublicKey = keys.public_key().to_string().parse().unwrap();
    let caller = Caller { signer_pk, ..Caller::new(NODE, DEPOSIT) };
    (keys, caller)
}

#[test]
fn sev_snp_evidence_serialized_by_the_attestation_crate_registers() {
    let (keys, caller) = node_keys();
    let ca = TestCa::new(Family::Milan);
    let chip = chip(&ca, 0x21);
    let fields =
        ReportFields { measurement: MEASUREMENT, report_data: expected_report_data(&keys, None), ..Default::default() };
    let evidence = NodeEvidence::SevSnp(SnpEvidence {
        report: chip.sign_report(&fields),
        vcek: chip.vcek_der(),
        ask: None,
        ark: None,
        keys: keys.bound(None),
    });
    let json: Value = serde_json::from_str(&serde_json::to_string(&evidence).unwrap()).unwrap();
    let mut reg = Reg::trusting(&ca);
    let node = reg.register_as(&caller, json.clone()).expect("the node's own evidence registers");
    assert_eq!(String::from(&node.ed25519_public_key), keys.public_key().to_string());
    assert_eq!(node.x25519_public_key, HexBytes(keys.x25519_public()));

    // The same evidence presented with a verifier's nonce is not registration evidence.
    let with_nonce = NodeEvidence::SevSnp(SnpEvidence {
        report: chip.sign_report(&ReportFields { report_data: expected_report_data(&keys, Some(b"nonce")), ..fields }),
        vcek: chip.vcek_der(),
        ask: None,
        ark: None,
        keys: keys.bound(Some(b"nonce")),
    });
    let json: Value = serde_json::from_str(&serde_json::to_string(&with_nonce).unwrap()).unwrap();
    assert!(matches!(reg.register_as(&caller, json), Err(RegistryError::NonceNotEmpty)));
}

#[test]
fn dev_evidence_serialized_by_the_attestation_crate_registers_only_in_dev_mode() {
    let (keys, caller) = node_keys();
    let evidence = NodeEvidence::dev(keys.bound(None));
    let json: Value = serde_json::from_str(&serde_json::to_string(&evidence).unwrap()).unwrap();
    let mut dev = Reg::new(serde_json::json!({ "mode": "dev" }));
    dev.register_as(&caller, json.clone()).expect("dev evidence registers in dev mode");
    let mut production = Reg::new(serde_json::json!({ "mode": "production" }));
    assert!(production.register_as(&caller, json).is_err(), "and nowhere else");
}
