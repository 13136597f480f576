//! Registration from the attacker's side: stolen, relayed, rebound, tampered, downgraded and forged
//! evidence, each refused with its reason.

use super::*;
use near_sdk::{CurveType, PublicKey};
use redoubt_contracts_common::testing::key_of;
use redoubt_contracts_common::testing::snp::{chip_tcb, x25519_of};
use redoubt_snp::{CertRole, Rejection};

fn snp_err(err: RegistryError) -> Rejection {
    match err {
        RegistryError::Snp(rejection) => rejection,
        other => panic!("expected an SEV-SNP rejection, got: {other}"),
    }
}

#[test]
fn another_account_cannot_register_a_stolen_report() {
    let (ca, _, victim_evidence) = milan_node("victim.near");
    let mut reg = Reg::trusting(&ca);
    // The thief replays the victim's evidence from its own account and key.
    assert_eq!(reg.register("thief.near", victim_evidence.clone()), Err(RegistryError::KeyNotSigner));
    // It names its own keys instead: the report binds the victim's.
    let mut rebound = victim_evidence.clone();
    rebound["ed25519_public_key"] = redoubt_contracts_common::testing::snp::near_key("thief.near").into();
    rebound["x25519_public_key"] = hex::encode(x25519_of("thief.near")).into();
    assert_eq!(snp_err(reg.register("thief.near", rebound).unwrap_err()), Rejection::ReportDataMismatch);
    // It keeps the victim's ed25519 key but swaps in its own X25519 key to read the node's traffic.
    let mut swapped = victim_evidence;
    swapped["x25519_public_key"] = hex::encode(x25519_of("thief.near")).into();
    let as_victim = Caller::new("victim.near", DEPOSIT);
    assert_eq!(snp_err(reg.register_as(&as_victim, swapped).unwrap_err()), Rejection::ReportDataMismatch);
    assert!(!reg.is_active("thief.near") && !reg.is_active("victim.near"));
}

#[test]
fn registration_must_come_from_the_nodes_own_transaction() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    // Relayed through a contract: the predecessor is not the signer.
    let relayed = Caller { predecessor: acc("relay.near"), ..Caller::new(NODE, DEPOSIT) };
    assert_eq!(
        reg.register_as(&relayed, ev.clone()),
        Err(RegistryError::NotSignedByNode { predecessor: acc("relay.near"), signer: acc(NODE) })
    );
    // Signed by another of the node's keys than the one bound in the report.
    let other_key = Caller { signer_pk: key_of("some-other-key"), ..Caller::new(NODE, DEPOSIT) };
    assert_eq!(reg.register_as(&other_key, ev), Err(RegistryError::KeyNotSigner));
}

#[test]
fn malformed_keys_and_nonces_are_refused() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    let mut with_nonce = ev.clone();
    with_nonce["nonce"] = "0102".into();
    assert_eq!(reg.register(NODE, with_nonce), Err(RegistryError::NonceNotEmpty));
    let secp = PublicKey::from_parts(CurveType::SECP256K1, vec![7; 64]).unwrap();
    let mut wrong_curve = ev;
    wrong_curve["ed25519_public_key"] = String::from(&secp).into();
    assert_eq!(
        reg.register(NODE, wrong_curve),
        Err(RegistryError::BadEvidence("ed25519_public_key is not an ed25519 key".into()))
    );
}

#[test]
fn guest_policies_that_break_confidentiality_are_refused() {
    let ca = TestCa::new(Family::Milan);
    let chip = chip(&ca, 0x44);
    let mut reg = Reg::trusting(&ca);
    let mut try_report = |edit: &dyn Fn(&mut redoubt_snp_testca::ReportFields)| {
        let report = report_for(&chip, NODE, |f| edit(f));
        snp_err(reg.register(NODE, snp_evidence(NODE, &report, &chip.vcek_der())).unwrap_err())
    };
    assert_eq!(try_report(&|f| f.policy = Some(0xb0000)), Rejection::Debug);
    assert_eq!(try_report(&|f| f.policy = Some(0x70000)), Rejection::MigrationAgentAllowed);
    assert!(matches!(try_report(&|f| f.report_id_ma = Some([1; 32])), Rejection::MigrationAgentBound { .. }));
    assert_eq!(try_report(&|f| f.vmpl = 1), Rejection::VmplMismatch { expected: 0, actual: 1 });
    assert!(matches!(try_report(&|f| f.measurement = [0x66; 48]), Rejection::MeasurementNotAllowed { .. }));
    assert!(!reg.is_active(NODE));
}

#[test]
fn nothing_registers_before_a_measurement_is_allowed() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::new(test_roots_mode(&[&ca]));
    let err = reg.register(NODE, ev).unwrap_err();
    assert_eq!(err, RegistryError::MeasurementNotAllowed(HexBytes(MEASUREMENT).to_string()));
}

#[test]
fn tampered_reports_and_mismatched_vceks_are_refused() {
    let ca = TestCa::new(Family::Milan);
    let chip_a = chip(&ca, 0x55);
    let chip_b = chip(&ca, 0x56);
    let mut reg = Reg::trusting(&ca);
    let mut report = report_for(&chip_a, NODE, |_| {});
    report[0x90] ^= 0x01; // the measurement, after signing
    assert_eq!(
        snp_err(reg.register(NODE, snp_evidence(NODE, &report, &chip_a.vcek_der())).unwrap_err()),
        Rejection::BadSignature
    );
    // A report from chip A presented with chip B's VCEK.
    let report = report_for(&chip_a, NODE, |_| {});
    let err = snp_err(reg.register(NODE, snp_evidence(NODE, &report, &chip_b.vcek_der())).unwrap_err());
    assert!(matches!(err, Rejection::ChipIdMismatch { .. }), "{err}");
    // A report claiming a newer TCB than its VCEK certifies.
    let newer = redoubt_snp::Tcb { snp: chip_tcb(Family::Milan).snp + 1, ..chip_tcb(Family::Milan) };
    let report = report_for(&chip_a, NODE, |f| f.reported_tcb = Some(newer));
    let err = snp_err(reg.register(NODE, snp_evidence(NODE, &report, &chip_a.vcek_der())).unwrap_err());
    assert!(matches!(err, Rejection::TcbMismatch { .. }), "{err}");
    // Malformed input.
    let err = snp_err(reg.register(NODE, snp_evidence(NODE, &report[..100], &chip_a.vcek_der())).unwrap_err());
    assert_eq!(err, Rejection::ReportLength { len: 100 });
    let err = snp_err(reg.register(NODE, snp_evidence(NODE, &report, b"not a certificate")).unwrap_err());
    assert!(matches!(err, Rejection::CertificateMalformed { role: CertRole::Vcek, .. }), "{err}");
    assert!(!reg.is_active(NODE));
}

#[test]
fn a_chain_the_registry_does_not_pin_is_refused() {
    // A chip of another test CA (here: another family, which the registry has no roots for).
    let trusted = TestCa::new(Family::Milan);
    let rogue = TestCa::new(Family::Genoa);
    let rogue_chip = chip(&rogue, 0x77);
    let mut reg = Reg::trusting(&trusted);
    let report = report_for(&rogue_chip, NODE, |_| {});
    let err = snp_err(reg.register(NODE, snp_evidence(NODE, &report, &rogue_chip.vcek_der())).unwrap_err());
    assert_eq!(err, Rejection::NoRoots { family: Family::Genoa });
    // A VCEK whose ASK signature was altered.
    let chip = chip(&trusted, 0x78);
    let mut vcek = chip.vcek_der();
    let last = vcek.len() - 1;
    vcek[last] ^= 0x01;
    let err = snp_err(reg.register(NODE, snp_evidence(NODE, &report_for(&chip, NODE, |_| {}), &vcek)).unwrap_err());
    assert!(matches!(err, Rejection::ChainBroken { signer: CertRole::Ask, signee: CertRole::Vcek, .. }), "{err}");
}

#[test]
fn expired_and_not_yet_valid_vceks_are_refused() {
    let ca = TestCa::new(Family::Milan);
    let now = START_MS / 1000;
    let expired = ca.issue_vcek_valid([0x88; 64], chip_tcb(Family::Milan), now - 7_200, now - 3_600);
    let mut reg = Reg::trusting(&ca);
    let report = report_for(&expired, NODE, |_| {});
    let err = snp_err(reg.register(NODE, snp_evidence(NODE, &report, &expired.vcek_der())).unwrap_err());
    assert!(matches!(err, Rejection::Expired { .. }), "{err}");
    let early = ca.issue_vcek_valid([0x89; 64], chip_tcb(Family::Milan), now + 3_600, now + 7_200);
    let report = report_for(&early, NODE, |_| {});
    let err = snp_err(reg.register(NODE, snp_evidence(NODE, &report, &early.vcek_der())).unwrap_err());
    assert!(matches!(err, Rejection::NotYetValid { .. }), "{err}");
}

#[test]
fn a_deposit_too_small_for_the_record_is_refused() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    let poor = Caller::new(NODE, yocto(1));
    assert!(matches!(reg.register_as(&poor, ev), Err(RegistryError::InsufficientDeposit(_))));
    assert!(!reg.is_active(NODE));
}
