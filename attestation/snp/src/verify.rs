//! Verify a report against a verified VCEK: the VCEK<->report binding, validity and the signature.

use p384::ecdsa::signature::DigestVerifier;
use p384::ecdsa::{Signature, VerifyingKey};
use p384::elliptic_curve::generic_array::GenericArray;
use sha2::{Digest, Sha384};

use crate::report::{SIGNED_LEN, parse};
use crate::{Rejection, Report, VerifiedVcek};

/// key_info SIGNING_KEY value for the VCEK.
const SIGNING_KEY_VCEK: u32 = 0;
/// sig_algo value for ECDSA P-384 with SHA-384.
const SIG_ALGO_ECDSA_P384_SHA384: u32 = 1;

/// Bytes of a P-384 scalar.
const SCALAR_LEN: usize = 48;

/// ECDSA P-384 with SHA-384, the report signature's algorithm. The core's own is RustCrypto's
/// `p384` ([`RustCryptoP384`]: pure Rust, builds for wasm); an off-chain verifier may plug in a
/// faster implementation through [`verify_report_with`]. Everything else stays in the core.
pub trait EcdsaP384Sha384 {
    /// Whether `(r, s)` (big-endian scalars) signs SHA-384 of `message` under the SEC1 `public_key`.
    fn verify(&self, public_key_sec1: &[u8], message: &[u8], r: &[u8; SCALAR_LEN], s: &[u8; SCALAR_LEN]) -> bool;
}

/// ECDSA P-384/SHA-384 verification with RustCrypto's `p384`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCryptoP384;

impl EcdsaP384Sha384 for RustCryptoP384 {
    fn verify(&self, public_key_sec1: &[u8], message: &[u8], r: &[u8; SCALAR_LEN], s: &[u8; SCALAR_LEN]) -> bool {
        let (Ok(key), Ok(signature)) = (
            VerifyingKey::from_sec1_bytes(public_key_sec1),
            Signature::from_scalars(*GenericArray::from_slice(r), *GenericArray::from_slice(s)),
        ) else {
            return false;
        };
        key.verify_digest(Sha384::new_with_prefix(message), &signature).is_ok()
    }
}

/// [`verify_report_with`] using [`RustCryptoP384`].
pub fn verify_report(report: &[u8], vcek: &VerifiedVcek, now_unix: u64) -> Result<Report, Rejection> {
    verify_report_with(report, vcek, now_unix, &RustCryptoP384)
}

/// Verify a raw 1184-byte report: it parses, its family is the VCEK's, it is VCEK-signed with
/// sig_algo 1, its reported_tcb and chip_id equal the VCEK's TCB and hwID, the chain is valid at
/// `now_unix`, and the ECDSA P-384 signature over bytes 0..0x2A0 verifies under the VCEK.
/// Policy (debug, VMPL, measurement, minimum TCB, report_data) is checked by [`Report::check`].
pub fn verify_report_with(
    report: &[u8],
    vcek: &VerifiedVcek,
    now_unix: u64,
    ecdsa: &dyn EcdsaP384Sha384,
) -> Result<Report, Rejection> {
    let parsed = parse(report)?;
    let family = match Report::stated_family(&parsed)? {
        Some(stated) if stated != vcek.family => {
            return Err(Rejection::FamilyMismatch { report: stated, vcek: vcek.family });
        }
        Some(stated) => stated,
        // v2: no CPUID; the parser chose the TCB layout from the chip id shape, which must fit the VCEK's family.
        None if parsed.reported_tcb.fmc.is_some() != vcek.family.has_fmc() => {
            let reason = format!("the chip id layout of this version 2 report does not fit a {} VCEK", vcek.family);
            return Err(Rejection::ReportMalformed { reason });
        }
        None => vcek.family,
    };
    let fields = Report::from_sev(&parsed, family);
    check_binding(&fields, vcek)?;
    check_validity(vcek, now_unix)?;

    // AMD stores r and s little-endian in 72-byte fields; the scalars are the low 48 bytes.
    let big_endian = |le: &[u8; 72]| {
        let mut be = [0u8; SCALAR_LEN];
        be.copy_from_slice(&le[..SCALAR_LEN]);
        be.reverse();
        be
    };
    let (r, s) = (big_endian(parsed.signature.r()), big_endian(parsed.signature.s()));
    if !ecdsa.verify(&vcek.public_key_sec1, &report[..SIGNED_LEN], &r, &s) {
        return Err(Rejection::BadSignature);
    }
    Ok(fields)
}

/// The report names the VCEK as its signer and carries the VCEK's TCB and chip id.
fn check_binding(report: &Report, vcek: &VerifiedVcek) -> Result<(), Rejection> {
    if report.sig_algo != SIG_ALGO_ECDSA_P384_SHA384 {
        return Err(Rejection::UnsupportedSignatureAlgorithm { sig_algo: report.sig_algo });
    }
    if report.signing_key != SIGNING_KEY_VCEK {
        return Err(Rejection::NotSignedByVcek { signing_key: report.signing_key });
    }
    if report.reported_tcb != vcek.tcb {
        return Err(Rejection::TcbMismatch { vcek: vcek.tcb, report: report.reported_tcb });
    }
    // The hwID is the whole chip id, or (Turin) its first 8 bytes with the rest zero.
    let (head, tail) = report.chip_id.split_at(vcek.chip_id.len().min(report.chip_id.len()));
    if head != vcek.chip_id.as_slice() || tail.iter().any(|&b| b != 0) {
        return Err(Rejection::ChipIdMismatch { vcek: vcek.chip_id.clone(), report: report.chip_id.to_vec() });
    }
    Ok(())
}

fn check_validity(vcek: &VerifiedVcek, now: u64) -> Result<(), Rejection> {
    if now < vcek.not_before {
        return Err(Rejection::NotYetValid { not_before: vcek.not_before, now });
    }
    if now > vcek.not_after {
        return Err(Rejection::Expired { not_after: vcek.not_after, now });
    }
    Ok(())
}
