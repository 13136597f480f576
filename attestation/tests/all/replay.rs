//! The key/nonce binding: replayed or re-labelled evidence, other keys, and dev evidence.

use redoubt_attestation::{Evidence, Expectations, NodeKeys, Rejection, SnpEvidence, VerifierPolicy, VerifyError};

use crate::common::{NOW, TestNode};

fn expect_nonce(nonce: &[u8]) -> Expectations {
    Expectations { nonce: Some(nonce.to_vec()), ..Default::default() }
}

#[test]
fn fresh_evidence_for_the_verifiers_nonce_verifies() {
    let node = TestNode::new();
    let verified = node
        .verifier(VerifierPolicy::default())
        .verify(&node.evidence(Some(b"fresh-1")), &expect_nonce(b"fresh-1"), NOW)
        .unwrap();
    assert_eq!(verified.keys.ed25519_public_key, node.keys.public_key());
    assert!(verified.report.is_some());
}

#[test]
fn old_evidence_replayed_for_a_new_nonce_is_rejected() {
    let node = TestNode::new();
    let old = node.evidence(Some(b"monday"));
    let verifier = node.verifier(VerifierPolicy::default());
    let err = verifier.verify(&old, &expect_nonce(b"tuesday"), NOW).unwrap_err();
    assert!(matches!(err, VerifyError::NonceMismatch { .. }), "{err}");
    assert!(err.to_string().contains("replayed"));
    // Registration evidence (no nonce) does not answer a challenge either.
    let err = verifier.verify(&node.evidence(None), &expect_nonce(b"tuesday"), NOW).unwrap_err();
    assert!(matches!(err, VerifyError::NonceMismatch { .. }));
}

#[test]
fn relabelling_old_evidence_with_the_new_nonce_breaks_the_binding() {
    let node = TestNode::new();
    let Evidence::SevSnp(mut snp) = node.evidence(Some(b"monday")) else { unreachable!() };
    snp.keys.nonce = Some(b"tuesday".to_vec());
    let err = node.verifier(VerifierPolicy::default()).verify(&Evidence::SevSnp(snp), &expect_nonce(b"tuesday"), NOW);
    assert_eq!(err.unwrap_err(), VerifyError::Snp(Rejection::ReportDataMismatch));
}

#[test]
fn a_genuine_report_presented_with_other_keys_is_rejected() {
    let node = TestNode::new();
    let attacker = NodeKeys::generate("attacker.near".parse().unwrap());
    let Evidence::SevSnp(honest) = node.evidence(None) else { unreachable!() };
    for keys in [
        attacker.bound(None),
        redoubt_attestation::BoundKeys { x25519_public_key: attacker.x25519_public(), ..honest.keys.clone() },
        redoubt_attestation::BoundKeys { ed25519_public_key: attacker.public_key(), ..honest.keys.clone() },
    ] {
        let stolen = Evidence::SevSnp(SnpEvidence { keys, ..honest.clone() });
        let err = node.verifier(VerifierPolicy::default()).verify(&stolen, &Expectations::default(), NOW);
        assert_eq!(err.unwrap_err(), VerifyError::Snp(Rejection::ReportDataMismatch));
    }
}

#[test]
fn raw_expected_report_data_overrides_nothing_about_the_key_binding() {
    // A policy's raw report_data cannot switch off the binding of the presented keys.
    let node = TestNode::new();
    let Evidence::SevSnp(honest) = node.evidence(None) else { unreachable!() };
    let attacker = NodeKeys::generate("attacker.near".parse().unwrap());
    let stolen = Evidence::SevSnp(SnpEvidence { keys: attacker.bound(None), ..honest.clone() });
    let honest_data: [u8; 64] = honest.report[0x50..0x90].try_into().unwrap();
    let policy = VerifierPolicy { report_data: Some(honest_data), ..Default::default() };
    let err = node.verifier(policy).verify(&stolen, &Expectations::default(), NOW);
    assert_eq!(err.unwrap_err(), VerifyError::Snp(Rejection::ReportDataMismatch));
}

#[test]
fn evidence_of_another_node_is_rejected_when_the_verifier_knows_the_keys() {
    let node = TestNode::new();
    let other = NodeKeys::generate("other.near".parse().unwrap());
    let expect = Expectations { ed25519_public_key: Some(other.public_key()), ..Default::default() };
    let err = node.verifier(VerifierPolicy::default()).verify(&node.evidence(None), &expect, NOW).unwrap_err();
    assert!(matches!(err, VerifyError::KeyMismatch { which: "ed25519", .. }), "{err}");
    let expect = Expectations { x25519_public_key: Some(other.x25519_public()), ..Default::default() };
    let err = node.verifier(VerifierPolicy::default()).verify(&node.evidence(None), &expect, NOW).unwrap_err();
    assert!(matches!(err, VerifyError::KeyMismatch { which: "x25519", .. }), "{err}");
}

#[test]
fn dev_evidence_is_rejected_unless_allowed_and_still_answers_the_nonce() {
    let node = TestNode::new();
    let dev = Evidence::dev(node.keys.bound(Some(b"n1")));
    let verifier = node.verifier(VerifierPolicy::default());
    assert_eq!(verifier.verify(&dev, &Expectations::default(), NOW).unwrap_err(), VerifyError::DevEvidence);
    let production = redoubt_attestation::Verifier::new(VerifierPolicy::default());
    assert_eq!(production.verify(&dev, &expect_nonce(b"n1"), NOW).unwrap_err(), VerifyError::DevEvidence);

    let permissive = node.verifier(VerifierPolicy::default()).allow_dev(true);
    let verified = permissive.verify(&dev, &expect_nonce(b"n1"), NOW).unwrap();
    assert!(verified.report.is_none(), "dev evidence has no report");
    let err = permissive.verify(&dev, &expect_nonce(b"n2"), NOW).unwrap_err();
    assert!(matches!(err, VerifyError::NonceMismatch { .. }));
    let outcome = verifier.evidence_outcome(&dev, &Expectations::default(), NOW);
    assert!(!outcome.verified);
    assert_eq!(outcome.code, Some("dev-evidence-not-allowed"));
    assert!(outcome.reason.unwrap().contains("INSECURE"));
}
