//! Reports signed by test chips verify and carry the chosen fields.

use redoubt_snp::{Family, Rejection, Tcb, VerifierPolicy, verify_report, verify_vcek};
use redoubt_snp_testca::{ReportFields, TestCa};

const NOW: u64 = 1_772_323_200;

#[test]
fn default_reports_verify_and_pass_the_default_policy_in_every_family_and_version() {
    for family in Family::ALL {
        let ca = TestCa::new(family);
        let tcb = Tcb { fmc: family.has_fmc().then_some(2), bootloader: 4, tee: 1, snp: 22, microcode: 210 };
        let mut chip_id = [0x9c; 64];
        if family == Family::Turin {
            chip_id[8..].fill(0);
        }
        let chip = ca.issue_vcek(chip_id, tcb);
        let vcek = verify_vcek(&chip.vcek_der(), &ca.roots()).unwrap();
        for version in [2, 3, 5] {
            let fields = ReportFields { version: Some(version), ..Default::default() };
            let report = verify_report(&chip.sign_report(&fields), &vcek, NOW)
                .unwrap_or_else(|e| panic!("{family} v{version}: {e}"));
            report.check(&VerifierPolicy::default()).unwrap();
            assert_eq!((report.version, report.family, report.reported_tcb), (version, family, tcb));
            assert_eq!(report.cpuid.is_some(), version >= 3);
        }
    }
}

#[test]
fn chosen_fields_come_back_verified() {
    let ca = TestCa::new(Family::Genoa);
    let chip = ca.issue_vcek([3; 64], Tcb { fmc: None, bootloader: 9, tee: 0, snp: 21, microcode: 80 });
    let vcek = verify_vcek(&chip.vcek_der(), &ca.roots()).unwrap();
    let fields = ReportFields {
        vmpl: 2,
        measurement: [0xaa; 48],
        report_data: [0xbb; 64],
        host_data: [0xcc; 32],
        policy: Some(0x3001f),
        ..Default::default()
    };
    let bytes = chip.sign_report(&fields);
    assert_eq!(bytes.len(), 1184);
    let report = verify_report(&bytes, &vcek, NOW).unwrap();
    assert_eq!((report.vmpl, report.measurement, report.host_data), (2, [0xaa; 48], [0xcc; 32]));
    assert_eq!((report.report_data, report.policy, report.chip_id), ([0xbb; 64], 0x3001f, [3; 64]));
    assert!(!report.migration_agent_bound());
}

#[test]
fn resign_signs_raw_edits_so_tests_can_reach_the_binding_checks() {
    let ca = TestCa::new(Family::Milan);
    let chip = ca.issue_vcek([5; 64], Tcb { fmc: None, bootloader: 1, tee: 0, snp: 1, microcode: 1 });
    let vcek = verify_vcek(&chip.vcek_der(), &ca.roots()).unwrap();
    let mut bytes = chip.sign_report(&ReportFields::default());
    bytes[0x90] ^= 0xff; // measurement
    assert_eq!(verify_report(&bytes, &vcek, NOW), Err(Rejection::BadSignature), "edited without re-signing");
    chip.resign(&mut bytes);
    assert_eq!(verify_report(&bytes, &vcek, NOW).unwrap().measurement[0], 0xff, "edited and re-signed");
    bytes[0x48] = 1 << 2; // key_info SIGNING_KEY (bits 2..4) = 1: VLEK
    chip.resign(&mut bytes);
    assert_eq!(verify_report(&bytes, &vcek, NOW), Err(Rejection::NotSignedByVcek { signing_key: 1 }));
}
