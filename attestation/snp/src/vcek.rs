//! Verify a VCEK's chain to trusted roots and extract what it certifies.

use borsh::{BorshDeserialize, BorshSerialize};
use der::Encode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chain::{link, malformed, parse, validity};
use crate::extensions::read_claims;
use crate::rejection::CertRole;
use crate::{Family, Rejection, Roots, Tcb};

/// A VCEK whose chain to the verifier's roots verified, with the claims it certifies.
/// Serializable (serde and borsh) so a verifier or a contract can cache it by fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
pub struct VerifiedVcek {
    /// Product family from the VCEK's productName extension.
    pub family: Family,
    /// hwID extension: the chip id (64 bytes on Milan/Genoa, 8 on Turin).
    #[serde(with = "hex::serde")]
    pub chip_id: Vec<u8>,
    /// TCB the VCEK was derived for (blSPL, teeSPL, snpSPL, ucodeSPL, fmcSPL).
    pub tcb: Tcb,
    /// Start of validity, unix seconds: the latest notBefore of ARK, ASK and VCEK.
    pub not_before: u64,
    /// End of validity, unix seconds: the earliest notAfter of ARK, ASK and VCEK.
    pub not_after: u64,
    /// The VCEK's P-384 public key, SEC1 uncompressed point.
    #[serde(with = "hex::serde")]
    pub public_key_sec1: Vec<u8>,
    /// SHA-256 of the VCEK's DER encoding.
    #[serde(with = "hex::serde")]
    pub fingerprint: [u8; 32],
}

/// SHA-256 fingerprint of a certificate's DER encoding (the key of [`VerifiedVcek`] caches).
pub fn vcek_fingerprint(vcek_der: &[u8]) -> [u8; 32] {
    Sha256::digest(vcek_der).into()
}

/// Verify the VCEK against `roots` for the family its productName names: its ASK (checked when
/// the roots were made) signs it (RSASSA-PSS/SHA-384), and return what the VCEK certifies.
pub fn verify_vcek(vcek_der: &[u8], roots: &Roots) -> Result<VerifiedVcek, Rejection> {
    let vcek = parse(vcek_der, CertRole::Vcek)?;
    // The DER must be canonical: what is fingerprinted and cached is what was verified.
    if vcek.to_der().ok().as_deref() != Some(vcek_der) {
        return Err(malformed(CertRole::Vcek, "not canonical DER"));
    }
    let claims = read_claims(&vcek)?;
    let ask = roots.trusted_ask(claims.family)?;
    link(&ask.cert, CertRole::Ask, &vcek, CertRole::Vcek)?;

    let public_key_sec1 = vcek.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes().to_vec();
    p384::ecdsa::VerifyingKey::from_sec1_bytes(&public_key_sec1)
        .map_err(|_| malformed(CertRole::Vcek, "public key is not a P-384 point"))?;
    let (vcek_from, vcek_until) = validity(&vcek);
    Ok(VerifiedVcek {
        family: claims.family,
        chip_id: claims.hwid,
        tcb: claims.tcb,
        not_before: vcek_from.max(ask.not_before),
        not_after: vcek_until.min(ask.not_after),
        public_key_sec1,
        fingerprint: vcek_fingerprint(vcek_der),
    })
}

/// The family a VCEK names in its productName extension, without verifying the VCEK: for choosing
/// roots or comparing a presented ARK before [`verify_vcek`].
pub fn vcek_family(vcek_der: &[u8]) -> Result<Family, Rejection> {
    Ok(read_claims(&parse(vcek_der, CertRole::Vcek)?)?.family)
}
