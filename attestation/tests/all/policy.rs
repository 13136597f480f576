//! Each policy rule and each VCEK<->report binding violated in turn, with test-CA-signed reports.

use redoubt_attestation::snp::TcbComponent;
use redoubt_attestation::{Evidence, Expectations, Family, Rejection, Tcb, VerifierPolicy, VerifyError};
use redoubt_snp_testca::ReportFields;

use crate::common::{NOW, TCB, TestNode};

fn verdict(node: &TestNode, fields: &ReportFields, policy: VerifierPolicy) -> Result<(), VerifyError> {
    let evidence = node.evidence_with(fields, None);
    node.verifier(policy).verify(&evidence, &Expectations::default(), NOW).map(|_| ())
}

fn rejected(node: &TestNode, fields: &ReportFields, policy: VerifierPolicy) -> Rejection {
    match verdict(node, fields, policy) {
        Err(VerifyError::Snp(rejection)) => rejection,
        other => panic!("expected an SEV-SNP rejection, got {other:?}"),
    }
}

#[test]
fn an_honest_report_passes_a_strict_policy() {
    let node = TestNode::new();
    let fields = ReportFields { measurement: [0x11; 48], ..node.fields(None) };
    let policy =
        VerifierPolicy { vmpl: Some(0), measurements: vec![[0x11; 48]], min_tcb: Some(TCB), ..Default::default() };
    verdict(&node, &fields, policy).unwrap();
}

#[test]
fn debug_policy_is_rejected_unless_allowed() {
    let node = TestNode::new();
    let fields = ReportFields { policy: Some(0x30000 | 1 << 19), ..node.fields(None) };
    let rejection = rejected(&node, &fields, VerifierPolicy::default());
    assert_eq!(rejection, Rejection::Debug);
    assert!(rejection.to_string().contains("debug guests are not confidential"));
    verdict(&node, &fields, VerifierPolicy { allow_debug: true, ..Default::default() }).unwrap();
}

#[test]
fn a_migration_agent_is_rejected_unless_allowed() {
    let node = TestNode::new();
    let allowed = ReportFields { policy: Some(0x30000 | 1 << 18), ..node.fields(None) };
    assert_eq!(rejected(&node, &allowed, VerifierPolicy::default()), Rejection::MigrationAgentAllowed);
    let bound = ReportFields { report_id_ma: Some([7; 32]), ..node.fields(None) };
    assert!(matches!(rejected(&node, &bound, VerifierPolicy::default()), Rejection::MigrationAgentBound { .. }));
    let permissive = VerifierPolicy { allow_migration_agent: true, ..Default::default() };
    verdict(&node, &allowed, permissive.clone()).unwrap();
    verdict(&node, &bound, permissive).unwrap();
}

#[test]
fn a_required_vmpl_is_enforced() {
    let node = TestNode::new();
    let fields = ReportFields { vmpl: 1, ..node.fields(None) };
    verdict(&node, &fields, VerifierPolicy::default()).expect("any VMPL by default");
    let strict = VerifierPolicy { vmpl: Some(0), ..Default::default() };
    assert_eq!(rejected(&node, &fields, strict), Rejection::VmplMismatch { expected: 0, actual: 1 });
}

#[test]
fn a_measurement_outside_the_allowlist_is_rejected() {
    let node = TestNode::new();
    let fields = ReportFields { measurement: [0xee; 48], ..node.fields(None) };
    let policy = VerifierPolicy { measurements: vec![[0x11; 48], [0x22; 48]], ..Default::default() };
    let rejection = rejected(&node, &fields, policy);
    assert_eq!(rejection, Rejection::MeasurementNotAllowed { measurement: [0xee; 48], allowed: 2 });
    assert!(rejection.to_string().contains(&"ee".repeat(48)));
}

#[test]
fn a_tcb_below_the_minimum_is_rejected_per_component() {
    let turin_tcb = Tcb { fmc: Some(3), ..TCB };
    let node = TestNode::on(Family::Turin, turin_tcb);
    let mut turin_chip = [0x5c; 64];
    turin_chip[8..].fill(0);
    let chip = node.ca.issue_vcek(turin_chip, turin_tcb);
    let node = TestNode { chip, ..node };
    verdict(&node, &node.fields(None), VerifierPolicy { min_tcb: Some(turin_tcb), ..Default::default() }).unwrap();
    for component in
        [TcbComponent::Fmc, TcbComponent::Bootloader, TcbComponent::Tee, TcbComponent::Snp, TcbComponent::Microcode]
    {
        let mut min = turin_tcb;
        match component {
            TcbComponent::Fmc => min.fmc = Some(4),
            TcbComponent::Bootloader => min.bootloader += 1,
            TcbComponent::Tee => min.tee += 1,
            TcbComponent::Snp => min.snp += 1,
            TcbComponent::Microcode => min.microcode += 1,
        }
        let rejection =
            rejected(&node, &node.fields(None), VerifierPolicy { min_tcb: Some(min), ..Default::default() });
        assert!(matches!(rejection, Rejection::TcbBelowMinimum { component: c, .. } if c == component), "{rejection}");
    }
}

#[test]
fn a_report_whose_tcb_differs_from_the_vceks_is_rejected() {
    let node = TestNode::new();
    let fields = ReportFields { reported_tcb: Some(Tcb { microcode: TCB.microcode + 1, ..TCB }), ..node.fields(None) };
    let rejection = rejected(&node, &fields, VerifierPolicy::default());
    assert!(matches!(rejection, Rejection::TcbMismatch { .. }), "{rejection}");
}

#[test]
fn a_report_from_another_chip_id_is_rejected() {
    let node = TestNode::new();
    let fields = ReportFields { chip_id: Some([0x9c; 64]), ..node.fields(None) };
    let rejection = rejected(&node, &fields, VerifierPolicy::default());
    assert_eq!(
        rejection.to_string(),
        "VCEK belongs to chip 5c5c5c5c5c5c5c5c.. but the report is from chip 9c9c9c9c9c9c9c9c.."
    );
}

#[test]
fn an_expired_or_not_yet_valid_vcek_is_rejected() {
    let node = TestNode::new();
    let expired = node.ca.issue_vcek_valid([0x5c; 64], TCB, NOW - 1000, NOW - 1);
    let node = TestNode { chip: expired, ..node };
    assert!(matches!(rejected(&node, &node.fields(None), VerifierPolicy::default()), Rejection::Expired { .. }));
    let future = node.ca.issue_vcek_valid([0x5c; 64], TCB, NOW + 1, NOW + 1000);
    let node = TestNode { chip: future, ..node };
    assert!(matches!(rejected(&node, &node.fields(None), VerifierPolicy::default()), Rejection::NotYetValid { .. }));
}

#[test]
fn raw_field_edits_signed_by_the_chip_still_fail_their_binding() {
    let node = TestNode::new();
    let vcek_family = |edit: &dyn Fn(&mut Vec<u8>)| {
        let Evidence::SevSnp(mut snp) = node.evidence(None) else { unreachable!() };
        edit(&mut snp.report);
        node.chip.resign(&mut snp.report);
        match node.verifier(VerifierPolicy::default()).verify(&Evidence::SevSnp(snp), &Expectations::default(), NOW) {
            Err(VerifyError::Snp(rejection)) => rejection,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        vcek_family(&|r| r[0x189] = 0x01),
        Rejection::FamilyMismatch { report: Family::Milan, vcek: Family::Genoa },
        "CPUID says Milan, VCEK is Genoa"
    );
    assert_eq!(vcek_family(&|r| r[0x48] = 1 << 2), Rejection::NotSignedByVcek { signing_key: 1 });
    assert_eq!(vcek_family(&|r| r[0x34] = 2), Rejection::UnsupportedSignatureAlgorithm { sig_algo: 2 });
}

#[test]
fn a_tampered_signed_report_fails_the_signature() {
    let node = TestNode::new();
    for (offset, field) in [(0x08, "policy"), (0x50, "report_data"), (0x90, "measurement"), (0xC0, "host_data")] {
        let Evidence::SevSnp(mut snp) = node.evidence(None) else { unreachable!() };
        snp.report[offset] ^= 0x08;
        let result =
            node.verifier(VerifierPolicy::default()).verify(&Evidence::SevSnp(snp), &Expectations::default(), NOW);
        assert_eq!(result.unwrap_err(), VerifyError::Snp(Rejection::BadSignature), "{field}");
    }
}
