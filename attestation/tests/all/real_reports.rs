//! The real AMD reports through the verifier's file input (PEM/DER/hex), AMD roots only.

use std::fs;

use redoubt_attestation::input::InputError;
use redoubt_attestation::{Family, SnpFiles, Verifier, VerifierPolicy, snp::Rejection};
use redoubt_snp_testca::TestCa;

use crate::common::{NOW, real_set};

fn files(set: &str) -> Option<SnpFiles> {
    let dir = real_set(set)?;
    let vcek = fs::read(dir.join("vcek.der")).or_else(|_| fs::read(dir.join("vcek.pem"))).unwrap();
    Some(SnpFiles { report: fs::read(dir.join("report.bin")).unwrap(), vcek, ask: None, ark: None })
}

fn read(set: &str, file: &str) -> Vec<u8> {
    fs::read(real_set(set).unwrap().join(file)).unwrap()
}

#[test]
fn clean_real_reports_verify_from_pem_and_der_files() {
    let verifier = Verifier::new(VerifierPolicy::default());
    for set in ["virtee-sev-milan", "msft-tav-milan", "msft-tav-genoa", "msft-tav-turin"] {
        let Some(files) = files(set) else { return };
        let outcome = verifier.files_outcome(&files, NOW).unwrap();
        assert!(outcome.verified, "{set}: {:?}", outcome.reason);
        assert_eq!(outcome.kind, "report");
        let with_roots = SnpFiles { ask: Some(read(set, "ask.pem")), ark: Some(read(set, "ark.pem")), ..files };
        assert!(verifier.files_outcome(&with_roots, NOW).unwrap().verified, "{set} with its ARK/ASK files");
    }
    assert_eq!(verifier.cache().len(), 4, "each VCEK chain verified once and cached");
}

#[test]
fn the_debug_report_is_rejected_with_its_fields_shown() {
    let Some(files) = files("gosevguest-milan") else { return };
    let outcome = Verifier::new(VerifierPolicy::default()).files_outcome(&files, NOW).unwrap();
    assert!(!outcome.verified);
    assert_eq!(outcome.code, Some("debug"));
    let report = outcome.report.as_ref().expect("the signature verified, so the fields are shown");
    assert!(report.policy_debug);
    assert_eq!(outcome.family, Some(Family::Milan));
    let text = outcome.to_string();
    assert!(text.starts_with("REJECTED (report): report policy has DEBUG set"), "{text}");
    assert!(text.contains("debug=true"), "{text}");
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(json["verified"], false);
    assert_eq!(json["report"]["report_data"], format!("0102030405{}", "0".repeat(118)));
    assert_eq!(json["report"]["family"], "milan");

    let raw = VerifierPolicy { allow_debug: true, report_data: Some(hex_64("0102030405")), ..Default::default() };
    assert!(Verifier::new(raw).files_outcome(&files, NOW).unwrap().verified, "allowed debug, raw report_data matches");
    let wrong = VerifierPolicy { allow_debug: true, report_data: Some(hex_64("0102030406")), ..Default::default() };
    let outcome = Verifier::new(wrong).files_outcome(&files, NOW).unwrap();
    assert_eq!(outcome.code, Some("report-data-mismatch"));
}

fn hex_64(prefix: &str) -> [u8; 64] {
    let mut out = [0u8; 64];
    let bytes = hex::decode(prefix).unwrap();
    out[..bytes.len()].copy_from_slice(&bytes);
    out
}

#[test]
fn an_ark_that_is_not_amds_is_rejected() {
    let Some(files) = files("virtee-sev-milan") else { return };
    let verifier = Verifier::new(VerifierPolicy::default());
    for (name, ark) in
        [("Genoa's ARK", read("amd-roots", "genoa_ark.pem")), ("a test ARK", TestCa::new(Family::Milan).ark_der())]
    {
        let outcome = verifier.files_outcome(&SnpFiles { ark: Some(ark), ..files.clone() }, NOW).unwrap();
        assert!(!outcome.verified, "{name}");
        assert_eq!(outcome.code, Some("untrusted-ark"), "{name}");
        assert_eq!(
            outcome.reason.unwrap(),
            "the ARK presented for Milan is not AMD's: it differs from the built-in ARK-Milan"
        );
    }
}

#[test]
fn an_ask_not_signed_by_amds_ark_is_rejected() {
    let Some(files) = files("msft-tav-genoa") else { return };
    let verifier = Verifier::new(VerifierPolicy::default());
    for ask in
        [read("amd-roots", "genoa_asvk.pem"), read("amd-roots", "milan_ask.pem"), TestCa::new(Family::Genoa).ask_der()]
    {
        let outcome = verifier.files_outcome(&SnpFiles { ask: Some(ask), ..files.clone() }, NOW).unwrap();
        assert_eq!(outcome.code, Some("chain-broken"), "{:?}", outcome.reason);
    }
}

#[test]
fn a_vcek_of_another_chip_is_rejected() {
    let (Some(milan), Some(other)) = (files("virtee-sev-milan"), files("msft-tav-milan")) else { return };
    let outcome =
        Verifier::new(VerifierPolicy::default()).files_outcome(&SnpFiles { vcek: other.vcek, ..milan }, NOW).unwrap();
    assert!(matches!(outcome.code, Some("tcb-mismatch" | "chip-id-mismatch")), "{outcome}");
}

#[test]
fn hex_reports_are_read_and_unusable_input_is_an_input_error() {
    let Some(files) = files("virtee-sev-milan") else { return };
    let verifier = Verifier::new(VerifierPolicy::default());
    let hex_report = SnpFiles { report: read("virtee-sev-milan", "report.hex"), ..files.clone() };
    assert!(verifier.files_outcome(&hex_report, NOW).unwrap().verified);
    let bundle = SnpFiles { vcek: read("virtee-sev-milan", "cert_chain.pem"), ..files.clone() };
    assert!(matches!(verifier.files_outcome(&bundle, NOW), Err(InputError::Certificate(_))));
    let short = SnpFiles { report: files.report[..1000].to_vec(), ..files.clone() };
    assert!(matches!(verifier.files_outcome(&short, NOW), Err(InputError::Report(_))));
    let garbage =
        SnpFiles { vcek: b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(), ..files };
    assert!(matches!(verifier.files_outcome(&garbage, NOW), Err(InputError::Certificate(_))));
}

#[test]
fn every_signed_byte_flip_of_a_real_report_is_rejected_through_the_cached_path() {
    let Some(files) = files("msft-tav-turin") else { return };
    let verifier = Verifier::new(VerifierPolicy::default());
    let vcek = redoubt_attestation::input::certificate_der(&files.vcek).unwrap();
    for position in (0..0x2A0).step_by(7) {
        let mut report = files.report.clone();
        report[position] ^= 0x80 >> (position % 8);
        let result = verifier.verify_signed_report(&report, &vcek, None, None, NOW);
        assert!(result.is_err(), "byte {position:#x}");
        let _: Rejection = result.unwrap_err();
    }
    assert_eq!(verifier.cache().len(), 1);
}

#[test]
fn the_aws_lc_and_rustcrypto_backends_agree_on_real_and_tampered_reports() {
    use redoubt_attestation::snp::{RustCryptoP384, verify_report_with};
    use redoubt_attestation::verify::AwsLcP384;
    for set in ["virtee-sev-milan", "gosevguest-milan", "msft-tav-genoa", "msft-tav-turin"] {
        let Some(files) = files(set) else { return };
        let vcek_der = redoubt_attestation::input::certificate_der(&files.vcek).unwrap();
        let vcek = redoubt_attestation::snp::verify_vcek(&vcek_der, &redoubt_attestation::snp::Roots::amd()).unwrap();
        let mut tampered = files.report.clone();
        tampered[0x90] ^= 1;
        let mut bad_r = files.report.clone();
        bad_r[0x2A0] ^= 1;
        for (name, report) in [("genuine", &files.report), ("measurement", &tampered), ("r", &bad_r)] {
            let rust = verify_report_with(report, &vcek, NOW, &RustCryptoP384);
            let aws = verify_report_with(report, &vcek, NOW, &AwsLcP384);
            assert_eq!(rust, aws, "{set} {name}");
            assert_eq!(rust.is_ok(), name == "genuine", "{set} {name}");
        }
    }
}
