//! The test ARK/ASK/VCEK look like AMD's and verify only under the test roots.

use der::Decode;
use redoubt_snp::{CertRole, Family, Rejection, Roots, Tcb, verify_vcek};
use redoubt_snp_testca::{TestCa, VALID_FROM, VALID_UNTIL};
use x509_cert::Certificate;

const MILAN_TCB: Tcb = Tcb { fmc: None, bootloader: 3, tee: 0, snp: 8, microcode: 115 };

#[test]
fn each_family_chain_verifies_under_its_test_roots_and_never_under_amds() {
    for family in Family::ALL {
        let ca = TestCa::new(family);
        let tcb = Tcb { fmc: family.has_fmc().then_some(1), ..MILAN_TCB };
        let chip = ca.issue_vcek([0x42; 64], tcb);
        let vcek = verify_vcek(&chip.vcek_der(), &ca.roots()).unwrap_or_else(|e| panic!("{family}: {e}"));
        assert_eq!((vcek.family, vcek.tcb), (family, tcb));
        assert_eq!(vcek.chip_id, vec![0x42; family.hwid_len()]);
        assert_eq!((vcek.not_before, vcek.not_after), (VALID_FROM, VALID_UNTIL));

        let production = verify_vcek(&chip.vcek_der(), &Roots::amd()).unwrap_err();
        assert!(
            matches!(production, Rejection::ChainBroken { signer: CertRole::Ask, signee: CertRole::Vcek, .. }),
            "{family}: {production}"
        );
    }
}

#[test]
fn a_test_chain_of_another_family_does_not_verify() {
    let chip = TestCa::new(Family::Genoa).issue_vcek([7; 64], MILAN_TCB);
    let milan = TestCa::new(Family::Milan);
    let roots = Roots::custom(vec![(Family::Genoa, milan.ark_der(), milan.ask_der())]);
    assert!(matches!(verify_vcek(&chip.vcek_der(), &roots), Err(Rejection::ChainBroken { .. })));
}

#[test]
fn certificates_have_amds_algorithms_and_extensions() {
    let ca = TestCa::new(Family::Milan);
    let pss = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
    let ark = Certificate::from_der(&ca.ark_der()).unwrap();
    let ask = Certificate::from_der(&ca.ask_der()).unwrap();
    for cert in [&ark, &ask] {
        assert_eq!(cert.signature_algorithm.oid, pss);
        assert!(cert.signature_algorithm.parameters.is_some(), "PSS parameters (SHA-384, MGF1, salt 48)");
        let oids: Vec<String> =
            cert.tbs_certificate.extensions.iter().flatten().map(|e| e.extn_id.to_string()).collect();
        for oid in ["2.5.29.15", "2.5.29.14", "2.5.29.19", "2.5.29.31"] {
            assert!(oids.contains(&oid.to_string()), "{oid} missing in {oids:?}");
        }
    }
    assert_eq!(ark.tbs_certificate.issuer, ark.tbs_certificate.subject, "ARK is self-signed");
    assert_eq!(ask.tbs_certificate.issuer, ark.tbs_certificate.subject);
    assert!(ark.tbs_certificate.subject.to_string().contains("CN=ARK-Milan"));
    assert!(ark.tbs_certificate.subject.to_string().contains("not AMD"));

    let vcek = Certificate::from_der(&ca.issue_vcek([1; 64], MILAN_TCB).vcek_der()).unwrap();
    assert_eq!(vcek.signature_algorithm.oid, pss);
    let amd: Vec<String> = vcek.tbs_certificate.extensions.iter().flatten().map(|e| e.extn_id.to_string()).collect();
    assert!(amd.iter().all(|oid| oid.starts_with("1.3.6.1.4.1.3704.1.")), "{amd:?}");
    assert!(amd.contains(&"1.3.6.1.4.1.3704.1.4".to_string()));
}

#[test]
fn vcek_keys_differ_per_chip_and_tcb_and_are_reproducible() {
    let ca = TestCa::new(Family::Milan);
    let key = |chip: u8, tcb: Tcb| verify_vcek(&ca.issue_vcek([chip; 64], tcb).vcek_der(), &ca.roots()).unwrap();
    let a = key(1, MILAN_TCB);
    assert_eq!(a.public_key_sec1, key(1, MILAN_TCB).public_key_sec1);
    assert_ne!(a.public_key_sec1, key(2, MILAN_TCB).public_key_sec1);
    assert_ne!(a.public_key_sec1, key(1, Tcb { snp: 9, ..MILAN_TCB }).public_key_sec1);
}
