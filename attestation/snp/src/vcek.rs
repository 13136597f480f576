//! Verify a VCEK's chain to trusted roots and extract what it certifies.

use borsh::{BorshDeserialize, BorshSerialize};
use der::{Decode, Encode};
use serde::{Deserialize, Serialize};
use sev::certs::snp::{Certificate, Verifiable};
use sha2::{Digest, Sha256};

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

/// Verify ARK self-signature, ARK -> ASK and ASK -> VCEK (RSASSA-PSS/SHA-384) against `roots`
/// for the family named in the VCEK, and return what the VCEK certifies.
pub fn verify_vcek(vcek_der: &[u8], roots: &Roots) -> Result<VerifiedVcek, Rejection> {
    let vcek = parse(vcek_der, CertRole::Vcek)?;
    // The DER must be canonical: what is fingerprinted and cached is what was verified.
    if vcek.to_der().ok().as_deref() != Some(vcek_der) {
        return Err(malformed(CertRole::Vcek, "not canonical DER"));
    }
    let claims = read_claims(&vcek)?;
    let family = claims.family;
    let ark = parse(roots.ark_der(family).ok_or(Rejection::NoRoots { family })?, CertRole::Ark)?;
    let ask = parse(roots.ask_der(family).ok_or(Rejection::NoRoots { family })?, CertRole::Ask)?;
    link(&ark, CertRole::Ark, &ark, CertRole::Ark)?;
    link(&ark, CertRole::Ark, &ask, CertRole::Ask)?;
    link(&ask, CertRole::Ask, &vcek, CertRole::Vcek)?;

    let public_key_sec1 = vcek.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes().to_vec();
    p384::ecdsa::VerifyingKey::from_sec1_bytes(&public_key_sec1)
        .map_err(|_| malformed(CertRole::Vcek, "public key is not a P-384 point"))?;
    let validity = [&ark, &ask, &vcek].map(|c| &c.tbs_certificate.validity);
    let not_before = validity.iter().map(|v| v.not_before.to_unix_duration().as_secs()).max().unwrap_or(u64::MAX);
    let not_after = validity.iter().map(|v| v.not_after.to_unix_duration().as_secs()).min().unwrap_or(0);
    Ok(VerifiedVcek {
        family,
        chip_id: claims.hwid,
        tcb: claims.tcb,
        not_before,
        not_after,
        public_key_sec1,
        fingerprint: vcek_fingerprint(vcek_der),
    })
}

fn parse(der: &[u8], role: CertRole) -> Result<x509_cert::Certificate, Rejection> {
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| malformed(role, &e.to_string()))?;
    if cert.tbs_certificate.signature != cert.signature_algorithm {
        return Err(malformed(role, "inner and outer signature algorithms differ"));
    }
    Ok(cert)
}

/// One chain link: names chain (issuer of the signee is the signer's subject) and the signature verifies.
fn link(
    signer: &x509_cert::Certificate,
    signer_role: CertRole,
    signee: &x509_cert::Certificate,
    signee_role: CertRole,
) -> Result<(), Rejection> {
    let broken = |reason: String| Rejection::ChainBroken { signer: signer_role, signee: signee_role, reason };
    if signee.tbs_certificate.issuer != signer.tbs_certificate.subject {
        return Err(broken(format!(
            "issuer '{}' is not the {signer_role} '{}'",
            signee.tbs_certificate.issuer, signer.tbs_certificate.subject
        )));
    }
    let (signer, signee) = (Certificate::from(signer.clone()), Certificate::from(signee.clone()));
    (&signer, &signee).verify().map_err(|e| broken(e.to_string()))
}

fn malformed(role: CertRole, reason: &str) -> Rejection {
    Rejection::CertificateMalformed { role, reason: reason.to_owned() }
}
