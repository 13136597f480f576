//! Evidence JSON, its stable hash, and what the production verifier makes of test-CA evidence.

use redoubt_attestation::{Evidence, Expectations, Rejection, Verifier, VerifierPolicy, VerifyError, snp::CertRole};

use crate::common::{NOW, TestNode};

#[test]
fn evidence_round_trips_through_json_with_its_kind_and_keys() {
    let node = TestNode::new();
    let evidence = node.evidence(Some(b"nonce-1"));
    let json = serde_json::to_value(&evidence).unwrap();
    assert_eq!(json["kind"], "sev-snp");
    assert_eq!(json["ed25519_public_key"], node.keys.public_key().to_string());
    assert!(json["ed25519_public_key"].as_str().unwrap().starts_with("ed25519:"));
    assert_eq!(json["x25519_public_key"], hex::encode(node.keys.x25519_public()));
    assert_eq!(json["nonce"], hex::encode(b"nonce-1"));
    let back: Evidence = serde_json::from_value(json).unwrap();
    assert_eq!(back, evidence);
    assert_eq!(back.hash(), evidence.hash());

    let dev = Evidence::dev(node.keys.bound(None));
    let json = serde_json::to_value(&dev).unwrap();
    assert_eq!(json["kind"], "dev-insecure");
    assert!(json["warning"].as_str().unwrap().starts_with("INSECURE"));
    assert!(json.get("nonce").is_none());
    assert_eq!(serde_json::from_value::<Evidence>(json).unwrap(), dev);
}

#[test]
fn the_evidence_hash_changes_with_every_part() {
    let node = TestNode::new();
    let Evidence::SevSnp(base) = node.evidence(Some(b"n")) else { unreachable!() };
    let hash = Evidence::SevSnp(base.clone()).hash();
    let variants: [fn(&mut redoubt_attestation::SnpEvidence); 7] = [
        |e| e.report[0x90] ^= 1,
        |e| e.vcek[10] ^= 1,
        |e| e.ask = Some(vec![1]),
        |e| e.ark = Some(vec![]),
        |e| e.keys.x25519_public_key[0] ^= 1,
        |e| e.keys.nonce = None,
        |e| e.keys.nonce = Some(b"m".to_vec()),
    ];
    for (i, change) in variants.iter().enumerate() {
        let mut changed = base.clone();
        change(&mut changed);
        assert_ne!(Evidence::SevSnp(changed).hash(), hash, "change {i}");
    }
    let dev = Evidence::dev(base.keys.clone());
    assert_ne!(dev.hash(), hash, "same keys, other kind");
}

#[test]
fn the_production_verifier_rejects_test_ca_evidence() {
    let node = TestNode::new();
    let evidence = node.evidence(None);
    node.verifier(VerifierPolicy::default()).verify(&evidence, &Expectations::default(), NOW).expect("test roots");
    let production = Verifier::new(VerifierPolicy::default());
    let err = production.verify(&evidence, &Expectations::default(), NOW).unwrap_err();
    assert!(
        matches!(err, VerifyError::Snp(Rejection::ChainBroken { signer: CertRole::Ask, signee: CertRole::Vcek, .. })),
        "{err}"
    );
}

#[test]
fn evidence_carrying_the_test_ark_is_rejected_as_not_amds() {
    let node = TestNode::new();
    let Evidence::SevSnp(mut snp) = node.evidence(None) else { unreachable!() };
    snp.ark = Some(node.ca.ark_der());
    snp.ask = Some(node.ca.ask_der());
    let err = Verifier::new(VerifierPolicy::default()).verify(&Evidence::SevSnp(snp), &Expectations::default(), NOW);
    assert_eq!(
        err.unwrap_err(),
        VerifyError::Snp(Rejection::UntrustedArk { family: redoubt_attestation::Family::Genoa })
    );
}

#[test]
fn a_non_ed25519_key_cannot_be_bound() {
    let node = TestNode::new();
    let Evidence::SevSnp(mut snp) = node.evidence(None) else { unreachable!() };
    snp.keys.ed25519_public_key = near_crypto::SecretKey::from_random(near_crypto::KeyType::SECP256K1).public_key();
    let err = node.verifier(VerifierPolicy::default()).verify(&Evidence::SevSnp(snp), &Expectations::default(), NOW);
    assert!(matches!(err, Err(VerifyError::KeyType(_))));
}
