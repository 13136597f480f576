//! The real reports verify end to end; the DEBUG one fails the policy only.

use redoubt_snp::{Family, Rejection, Roots, Tcb, VerifiedVcek, VerifierPolicy, verify_report, verify_vcek};

use crate::data::{CLEAN_SETS, DEBUG_SET, NOW, SetExt, load};

#[test]
fn every_clean_real_report_verifies_with_the_default_policy() {
    for name in CLEAN_SETS {
        let Some(set) = load(name) else { return };
        let vcek = set.vcek();
        let report = verify_report(&set.report, &vcek, NOW).unwrap_or_else(|e| panic!("{name}: {e}"));
        report.check(&VerifierPolicy::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.reported_tcb, vcek.tcb, "{name}");
        assert!(!report.debug(), "{name}");
    }
}

#[test]
fn the_debug_report_has_a_valid_signature_but_fails_the_policy_for_debug() {
    let Some(set) = load(DEBUG_SET) else { return };
    let report = verify_report(&set.report, &set.vcek(), NOW).expect("signature and chain are genuine");
    let rejection = report.check(&VerifierPolicy::default()).unwrap_err();
    assert_eq!(rejection, Rejection::Debug);
    assert!(rejection.to_string().contains("debug guests are not confidential"), "{rejection}");
    report.check(&VerifierPolicy { allow_debug: true, ..Default::default() }).expect("allowed explicitly");
    assert_eq!(&report.report_data[..5], &[1, 2, 3, 4, 5]);
}

#[test]
fn parsed_fields_match_the_documented_facts() {
    let Some(turin) = load("msft-tav-turin") else { return };
    let vcek = turin.vcek();
    assert_eq!(vcek.family, Family::Turin);
    assert_eq!(vcek.chip_id, hex::decode("59790fb1c39f35c1").unwrap());
    let report = verify_report(&turin.report, &vcek, NOW).unwrap();
    assert_eq!((report.version, report.family, report.vmpl), (5, Family::Turin, 0));
    assert_eq!(report.reported_tcb, Tcb { fmc: Some(1), bootloader: 1, tee: 1, snp: 4, microcode: 81 });
    assert_eq!(report.launch_mit_vector, Some(0x3f));
    assert_eq!(report.cpuid, Some([0x1a, 0x02, 0x01]));
    assert_eq!(
        hex::encode(report.measurement),
        "6d6c354511d6f7c6d7504668903dc5bdc066a048b651840d8d03fb85299ebfa142fccf1d1b0baca496841bdf243619d4"
    );

    let Some(milan) = load("virtee-sev-milan") else { return };
    let vcek = milan.vcek();
    assert_eq!((vcek.family, vcek.chip_id.len()), (Family::Milan, 64));
    let report = verify_report(&milan.report, &vcek, NOW).unwrap();
    assert_eq!((report.version, report.family, report.cpuid), (2, Family::Milan, None), "v2: family from the VCEK");
    assert_eq!(report.reported_tcb, Tcb { fmc: None, bootloader: 3, tee: 0, snp: 8, microcode: 115 });
    assert_eq!(report.policy, 0x30000);

    let Some(genoa) = load("msft-tav-genoa") else { return };
    assert_eq!(genoa.vcek().family, Family::Genoa);
    assert_eq!(redoubt_snp::vcek_family(&genoa.vcek_der), Ok(Family::Genoa), "read without verifying");
    assert_eq!(redoubt_snp::vcek_family(&milan.vcek_der), Ok(Family::Milan));
}

#[test]
fn chain_validity_dates_are_enforced_at_the_callers_time() {
    let Some(set) = load("msft-tav-genoa") else { return };
    let vcek = set.vcek();
    // VCEK valid 2026-02-05T02:05:07Z .. 2033-02-05T02:05:07Z (the ARK/ASK windows are wider).
    assert_eq!((vcek.not_before, vcek.not_after), (1_770_257_107, 1_991_181_907));
    assert!(verify_report(&set.report, &vcek, vcek.not_before).is_ok());
    assert!(verify_report(&set.report, &vcek, vcek.not_after).is_ok());
    let early = verify_report(&set.report, &vcek, vcek.not_before - 1).unwrap_err();
    assert!(matches!(early, Rejection::NotYetValid { .. }), "{early}");
    let late = verify_report(&set.report, &vcek, vcek.not_after + 1).unwrap_err();
    assert!(matches!(late, Rejection::Expired { .. }), "{late}");
    assert!(late.to_string().contains("2033-02-05T02:05:07Z"), "{late}");
}

#[test]
fn a_verified_vcek_round_trips_through_borsh_and_json_for_caching() {
    let Some(set) = load("msft-tav-turin") else { return };
    let vcek = set.vcek();
    let bytes = borsh::to_vec(&vcek).unwrap();
    assert_eq!(borsh::from_slice::<VerifiedVcek>(&bytes).unwrap(), vcek);
    let json = serde_json::to_string(&vcek).unwrap();
    assert_eq!(serde_json::from_str::<VerifiedVcek>(&json).unwrap(), vcek);
    assert!(verify_report(&set.report, &serde_json::from_str(&json).unwrap(), NOW).is_ok());
}

#[test]
fn garbage_certificates_and_reports_are_typed_rejections() {
    let Some(set) = load("msft-tav-milan") else { return };
    let roots = Roots::amd();
    assert!(matches!(verify_vcek(b"not a certificate", &roots), Err(Rejection::CertificateMalformed { .. })));
    assert!(matches!(verify_vcek(&set.vcek_der[..100], &roots), Err(Rejection::CertificateMalformed { .. })));
    let vcek = set.vcek();
    assert_eq!(verify_report(&set.report[..1183], &vcek, NOW), Err(Rejection::ReportLength { len: 1183 }));
    assert_eq!(verify_report(&[], &vcek, NOW), Err(Rejection::ReportLength { len: 0 }));
    let mut v1 = set.report.clone();
    v1[0] = 1;
    assert!(matches!(verify_report(&v1, &vcek, NOW), Err(Rejection::ReportMalformed { .. })));
}
