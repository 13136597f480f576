//! Any single-bit change of a real report must be rejected.

use redoubt_snp::{Rejection, SIGNED_LEN, verify_report};

use crate::data::{CLEAN_SETS, DEBUG_SET, NOW, SetExt, load};

/// Flip one bit of every byte of the signed area (bit index rotating with the position).
#[test]
fn every_byte_of_the_signed_area_is_protected_in_every_real_report() {
    for name in CLEAN_SETS.into_iter().chain([DEBUG_SET]) {
        let Some(set) = load(name) else { return };
        let vcek = set.vcek();
        assert!(verify_report(&set.report, &vcek, NOW).is_ok(), "{name}: untouched report verifies");
        for position in 0..SIGNED_LEN {
            let mut tampered = set.report.clone();
            tampered[position] ^= 1 << (position % 8);
            let result = verify_report(&tampered, &vcek, NOW);
            assert!(result.is_err(), "{name}: flipping a bit of byte {position:#x} was accepted");
        }
    }
}

/// All eight bits of (the leading bytes of) the fields an attacker most wants to change: policy,
/// measurement, report_data, host_data, reported TCB, chip id, VMPL.
#[test]
fn every_bit_of_the_security_fields_is_protected() {
    let Some(set) = load("msft-tav-genoa") else { return };
    let vcek = set.vcek();
    let fields = [
        (0x08..0x10, "policy"),
        (0x50..0x58, "report_data"),
        (0x88..0x90, "report_data"),
        (0x90..0x98, "measurement"),
        (0xC0..0xC8, "host_data"),
        (0x180..0x188, "reported_tcb"),
        (0x1A0..0x1A8, "chip_id"),
        (0x30..0x34, "vmpl"),
    ];
    for (range, field) in fields {
        for position in range {
            for bit in 0..8 {
                let mut tampered = set.report.clone();
                tampered[position] ^= 1 << bit;
                assert!(
                    verify_report(&tampered, &vcek, NOW).is_err(),
                    "{field}: byte {position:#x} bit {bit} accepted"
                );
            }
        }
    }
}

#[test]
fn a_flipped_signature_or_nonzero_signature_padding_is_rejected() {
    let Some(set) = load("msft-tav-turin") else { return };
    let vcek = set.vcek();
    for (position, expected) in [
        (SIGNED_LEN, Rejection::BadSignature),                    // r, lowest byte
        (SIGNED_LEN + 47, Rejection::BadSignature),               // r, highest byte
        (SIGNED_LEN + 72, Rejection::BadSignature),               // s
        (SIGNED_LEN + 50, Rejection::NonCanonicalSignature),      // r padding
        (SIGNED_LEN + 72 + 60, Rejection::NonCanonicalSignature), // s padding
        (1183, Rejection::NonCanonicalSignature),                 // reserved tail
    ] {
        let mut tampered = set.report.clone();
        tampered[position] ^= 0x01;
        assert_eq!(verify_report(&tampered, &vcek, NOW), Err(expected), "byte {position:#x}");
    }
}

#[test]
fn tampered_fields_give_the_expected_reason_or_a_bad_signature() {
    let Some(set) = load("msft-tav-milan") else { return };
    let vcek = set.vcek();
    let reject = |position: usize, xor: u8| {
        let mut tampered = set.report.clone();
        tampered[position] ^= xor;
        verify_report(&tampered, &vcek, NOW).unwrap_err()
    };
    assert_eq!(reject(0x08 + 2, 0x08), Rejection::BadSignature, "DEBUG bit added to the policy");
    assert_eq!(reject(0x90, 0xff), Rejection::BadSignature, "measurement");
    assert_eq!(reject(0x50, 0x01), Rejection::BadSignature, "report_data");
    assert!(matches!(reject(0x187, 0x01), Rejection::TcbMismatch { .. }), "reported microcode");
    assert!(matches!(reject(0x1A0, 0x01), Rejection::ChipIdMismatch { .. }), "chip id");
    assert_eq!(reject(0x34, 0x02), Rejection::UnsupportedSignatureAlgorithm { sig_algo: 3 });
    assert_eq!(reject(0x48, 0x04), Rejection::NotSignedByVcek { signing_key: 1 }, "key_info says VLEK");
    assert!(matches!(reject(0x4C, 0x01), Rejection::ReportMalformed { .. }), "reserved byte");
    assert!(matches!(reject(0x188, 0x01), Rejection::ReportMalformed { .. }), "CPUID family 0x18 is not SEV-SNP");
    assert!(matches!(reject(0x189, 0x10), Rejection::FamilyMismatch { .. }), "CPUID model 0x11: Genoa");
}
