//! Why a report, certificate or policy check failed: one variant per reason, readable by a person.

use std::fmt;

use crate::{Family, Tcb, TcbComponent};

/// The role of a certificate in AMD's chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertRole {
    /// AMD Root Key (self-signed, one per family).
    Ark,
    /// AMD SEV Key (signed by the ARK, signs VCEKs).
    Ask,
    /// Versioned Chip Endorsement Key (per chip and TCB, signs reports).
    Vcek,
}

impl fmt::Display for CertRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertRole::Ark => "ARK",
            CertRole::Ask => "ASK",
            CertRole::Vcek => "VCEK",
        })
    }
}

/// Hex of the first bytes of an identifier, for messages ("3f2a1b0c..").
struct Short<'a>(&'a [u8]);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0[..self.0.len().min(8)]))?;
        if self.0.len() > 8 { f.write_str("..") } else { Ok(()) }
    }
}

/// A unix time as an RFC 3339 date for messages.
struct Date(u64);

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match der::DateTime::from_unix_duration(std::time::Duration::from_secs(self.0)) {
            Ok(date) => write!(f, "{date}"),
            Err(_) => write!(f, "unix time {}", self.0),
        }
    }
}

/// Why verification rejected a report or certificate. Each variant is one reason; `Display` explains it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The report is not 1184 bytes long.
    #[error("report is {len} bytes; an SEV-SNP ATTESTATION_REPORT is exactly 1184 bytes")]
    ReportLength {
        /// Length received.
        len: usize,
    },
    /// The report does not parse (unsupported version, reserved bytes not zero, unknown CPU...).
    #[error("report is malformed: {reason}")]
    ReportMalformed {
        /// Parser message.
        reason: String,
    },
    /// The signature field has bytes set beyond the 48-byte r and s values.
    #[error("report signature field is not canonical: bytes beyond the P-384 r and s values must be zero")]
    NonCanonicalSignature,
    /// A certificate does not parse as X.509 or has an unexpected key.
    #[error("{role} certificate is malformed: {reason}")]
    CertificateMalformed {
        /// Which certificate.
        role: CertRole,
        /// Parser message.
        reason: String,
    },
    /// An AMD extension of the VCEK is missing, duplicated or malformed.
    #[error("VCEK extension {name} ({oid}) is missing, duplicated or malformed")]
    VcekExtension {
        /// Extension name in AMD's VCEK specification (blSPL, hwID, productName...).
        name: &'static str,
        /// Its object identifier.
        oid: &'static str,
    },
    /// The VCEK or report names a product family without an AMD chain here.
    #[error("unsupported AMD product {product}: only Milan, Genoa and Turin chains are known")]
    UnsupportedProduct {
        /// Product name or CPUID description.
        product: String,
    },
    /// The verifier has no root for the family.
    #[error("no trusted ARK/ASK for the {family} family")]
    NoRoots {
        /// Family asked for.
        family: Family,
    },
    /// An ARK presented with the evidence is not AMD's built-in ARK of the family.
    #[error("the ARK presented for {family} is not AMD's: it differs from the built-in ARK-{family}")]
    UntrustedArk {
        /// Family of the presented ARK.
        family: Family,
    },
    /// A link of the chain ARK -> ARK, ARK -> ASK, ASK -> VCEK does not verify.
    #[error("{signer} does not sign the {signee}: {reason}")]
    ChainBroken {
        /// Expected signer.
        signer: CertRole,
        /// Certificate whose signature failed.
        signee: CertRole,
        /// Detail.
        reason: String,
    },
    /// The chain is not yet valid at the verifier's time.
    #[error("certificate chain is not valid before {} (now is {})", Date(*.not_before), Date(*.now))]
    NotYetValid {
        /// Latest notBefore of ARK, ASK and VCEK.
        not_before: u64,
        /// Verifier's time.
        now: u64,
    },
    /// The chain has expired at the verifier's time.
    #[error("certificate chain expired at {} (now is {})", Date(*.not_after), Date(*.now))]
    Expired {
        /// Earliest notAfter of ARK, ASK and VCEK.
        not_after: u64,
        /// Verifier's time.
        now: u64,
    },
    /// The report's CPU family differs from the VCEK's.
    #[error("report is from a {report} CPU but the VCEK is for {vcek}")]
    FamilyMismatch {
        /// Family from the report.
        report: Family,
        /// Family from the VCEK.
        vcek: Family,
    },
    /// sig_algo is not 1 (ECDSA P-384 with SHA-384).
    #[error("report signature algorithm {sig_algo} is not ECDSA P-384/SHA-384 (1)")]
    UnsupportedSignatureAlgorithm {
        /// Value found.
        sig_algo: u32,
    },
    /// key_info says the report was not signed by a VCEK (VLEK or no key).
    #[error("report is signed by {} (key_info {signing_key}), only VCEK-signed reports are accepted", signing_key_name(*.signing_key))]
    NotSignedByVcek {
        /// SIGNING_KEY field of key_info.
        signing_key: u32,
    },
    /// The VCEK's TCB extensions differ from the report's reported_tcb.
    #[error("VCEK certifies TCB {vcek} but the report's reported_tcb is {report}")]
    TcbMismatch {
        /// TCB in the VCEK.
        vcek: Tcb,
        /// reported_tcb in the report.
        report: Tcb,
    },
    /// The VCEK's hwID differs from the report's chip_id.
    #[error("VCEK belongs to chip {} but the report is from chip {}", Short(.vcek), Short(.report))]
    ChipIdMismatch {
        /// hwID in the VCEK.
        vcek: Vec<u8>,
        /// chip_id in the report.
        report: Vec<u8>,
    },
    /// The ECDSA signature does not verify under the VCEK.
    #[error("report signature does not verify under the VCEK: the report was altered or signed by another key")]
    BadSignature,
    /// Policy: the DEBUG bit is set.
    #[error("report policy has DEBUG set: debug guests are not confidential (the host can read their memory)")]
    Debug,
    /// Policy: the MIGRATE_MA bit is set.
    #[error("report policy allows a migration agent (MIGRATE_MA): the guest's memory may be exported")]
    MigrationAgentAllowed,
    /// A migration agent is bound to the guest (report_id_ma is not all ones).
    #[error("a migration agent is bound to the guest (report_id_ma {})", Short(.report_id_ma))]
    MigrationAgentBound {
        /// report_id_ma field.
        report_id_ma: [u8; 32],
    },
    /// The report was requested at another VMPL than required.
    #[error("report was requested at VMPL {actual}, the verifier requires VMPL {expected}")]
    VmplMismatch {
        /// Required VMPL.
        expected: u32,
        /// Report's VMPL.
        actual: u32,
    },
    /// The launch measurement is not in the allowlist.
    #[error("measurement {} is not in the allowlist of {allowed} trusted images", hex::encode(.measurement))]
    MeasurementNotAllowed {
        /// Report's measurement.
        measurement: [u8; 48],
        /// Size of the allowlist.
        allowed: usize,
    },
    /// A TCB component is below the verifier's minimum.
    #[error("reported TCB {component} SVN {actual} is below the required minimum {minimum}")]
    TcbBelowMinimum {
        /// Component.
        component: TcbComponent,
        /// Required minimum.
        minimum: u8,
        /// Report's value.
        actual: u8,
    },
    /// report_data is not the expected binding of keys and nonce (or the raw expected bytes).
    #[error("report_data does not match: the report binds other keys or another nonce (stale or replayed evidence)")]
    ReportDataMismatch,
}

fn signing_key_name(key: u32) -> &'static str {
    match key {
        0 => "the VCEK",
        1 => "a VLEK",
        7 => "no key (unsigned)",
        _ => "an unknown key",
    }
}

impl Rejection {
    /// A stable machine-readable code for the reason (kebab-case), for JSON outcomes and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::ReportLength { .. } => "report-length",
            Rejection::ReportMalformed { .. } => "report-malformed",
            Rejection::NonCanonicalSignature => "non-canonical-signature",
            Rejection::CertificateMalformed { .. } => "certificate-malformed",
            Rejection::VcekExtension { .. } => "vcek-extension",
            Rejection::UnsupportedProduct { .. } => "unsupported-product",
            Rejection::NoRoots { .. } => "no-roots",
            Rejection::UntrustedArk { .. } => "untrusted-ark",
            Rejection::ChainBroken { .. } => "chain-broken",
            Rejection::NotYetValid { .. } => "not-yet-valid",
            Rejection::Expired { .. } => "expired",
            Rejection::FamilyMismatch { .. } => "family-mismatch",
            Rejection::UnsupportedSignatureAlgorithm { .. } => "unsupported-signature-algorithm",
            Rejection::NotSignedByVcek { .. } => "not-signed-by-vcek",
            Rejection::TcbMismatch { .. } => "tcb-mismatch",
            Rejection::ChipIdMismatch { .. } => "chip-id-mismatch",
            Rejection::BadSignature => "bad-signature",
            Rejection::Debug => "debug",
            Rejection::MigrationAgentAllowed => "migration-agent-allowed",
            Rejection::MigrationAgentBound { .. } => "migration-agent-bound",
            Rejection::VmplMismatch { .. } => "vmpl-mismatch",
            Rejection::MeasurementNotAllowed { .. } => "measurement-not-allowed",
            Rejection::TcbBelowMinimum { .. } => "tcb-below-minimum",
            Rejection::ReportDataMismatch => "report-data-mismatch",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_cause() {
        let r = Rejection::ChipIdMismatch { vcek: vec![0x3f, 0x2a, 1, 2, 3, 4, 5, 6, 7, 8], report: vec![0x9c, 0x01] };
        assert_eq!(r.to_string(), "VCEK belongs to chip 3f2a010203040506.. but the report is from chip 9c01");
        let r = Rejection::Expired { not_after: 1_900_000_000, now: 2_000_000_000 };
        assert_eq!(r.to_string(), "certificate chain expired at 2030-03-17T17:46:40Z (now is 2033-05-18T03:33:20Z)");
        assert!(Rejection::Debug.to_string().contains("DEBUG"));
        assert_eq!(Rejection::NotSignedByVcek { signing_key: 1 }.code(), "not-signed-by-vcek");
    }
}
