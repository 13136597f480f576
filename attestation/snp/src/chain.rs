//! Certificate parsing and one link of AMD's chain (RSASSA-PSS/SHA-384 via `sev`).

use der::Decode;
use sev::certs::snp::{Certificate, Verifiable};

use crate::Rejection;
use crate::rejection::CertRole;

/// Parse an X.509 certificate; its inner and outer signature algorithms must agree.
pub(crate) fn parse(der: &[u8], role: CertRole) -> Result<x509_cert::Certificate, Rejection> {
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| malformed(role, &e.to_string()))?;
    if cert.tbs_certificate.signature != cert.signature_algorithm {
        return Err(malformed(role, "inner and outer signature algorithms differ"));
    }
    Ok(cert)
}

/// One chain link: the signee's issuer is the signer's subject and the signer's key signs it.
pub(crate) fn link(
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

/// Validity of a certificate as unix seconds (notBefore, notAfter).
pub(crate) fn validity(cert: &x509_cert::Certificate) -> (u64, u64) {
    let v = &cert.tbs_certificate.validity;
    (v.not_before.to_unix_duration().as_secs(), v.not_after.to_unix_duration().as_secs())
}

pub(crate) fn malformed(role: CertRole, reason: &str) -> Rejection {
    Rejection::CertificateMalformed { role, reason: reason.to_owned() }
}
