//! The verdict a verifier prints or serves: verified or not, the reason, and the report's fields.

use std::fmt;

use redoubt_snp::{Family, Report, Tcb};
use serde::Serialize;
use sev::firmware::guest::GuestPolicy;

use super::{Expectations, Verifier, VerifyError};
use crate::evidence::Evidence;
use crate::input::{InputError, certificate_der, report_bytes};

/// The fields of a signature-verified report that a verifier shows, with the policy bits decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedReport {
    /// Every parsed field (hex for byte strings).
    #[serde(flatten)]
    pub report: Report,
    /// Policy DEBUG bit.
    pub policy_debug: bool,
    /// Policy MIGRATE_MA bit.
    pub policy_migrate_ma: bool,
    /// Policy SMT bit (SMT allowed on the host).
    pub policy_smt: bool,
    /// Policy SINGLE_SOCKET bit.
    pub policy_single_socket: bool,
}

impl From<Report> for VerifiedReport {
    fn from(report: Report) -> VerifiedReport {
        let policy = GuestPolicy::from(report.policy);
        VerifiedReport {
            policy_debug: policy.debug_allowed(),
            policy_migrate_ma: policy.migrate_ma_allowed(),
            policy_smt: policy.smt_allowed(),
            policy_single_socket: policy.single_socket_required(),
            report,
        }
    }
}

/// The verdict: JSON-serialisable for `--json`, `Display` for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyOutcome {
    /// Whether everything verified.
    pub verified: bool,
    /// `sev-snp`, `dev-insecure` or `report` (a bare report and VCEK).
    pub kind: &'static str,
    /// Why not, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why not, as a stable code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// CPU family of the report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<Family>,
    /// The report's fields, when its chain and signature verified (even if the policy then failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<VerifiedReport>,
    /// The node's ed25519 key from the evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ed25519_public_key: Option<String>,
    /// The node's X25519 key from the evidence (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x25519_public_key: Option<String>,
    /// [`Evidence::hash`] (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_hash: Option<String>,
}

/// A bare report and its certificates as read from files (PEM or DER; report raw or hex).
#[derive(Clone, Debug, Default)]
pub struct SnpFiles {
    /// Report file content.
    pub report: Vec<u8>,
    /// VCEK file content.
    pub vcek: Vec<u8>,
    /// ASK file content (default: the built-in ASK of the family).
    pub ask: Option<Vec<u8>>,
    /// ARK file content (must equal the built-in ARK of the family).
    pub ark: Option<Vec<u8>>,
}

impl VerifyOutcome {
    fn new(kind: &'static str, result: Result<(), VerifyError>, report: Option<Report>) -> VerifyOutcome {
        let (reason, code) = match &result {
            Ok(()) => (None, None),
            Err(e) => (Some(e.to_string()), Some(e.code())),
        };
        VerifyOutcome {
            verified: result.is_ok(),
            kind,
            reason,
            code,
            family: report.as_ref().map(|r| r.family),
            report: report.map(VerifiedReport::from),
            ed25519_public_key: None,
            x25519_public_key: None,
            evidence_hash: None,
        }
    }
}

impl Verifier {
    /// Verify evidence and describe the result (see [`Verifier::verify`]).
    pub fn evidence_outcome(&self, evidence: &Evidence, expect: &Expectations, now_unix: u64) -> VerifyOutcome {
        let result = self.verify(evidence, expect, now_unix);
        // On a policy or binding failure, still show the fields of a genuinely signed report.
        let report = match (&result, evidence) {
            (Ok(verified), _) => verified.report.clone(),
            (Err(_), Evidence::SevSnp(snp)) => {
                self.verify_signed_report(&snp.report, &snp.vcek, snp.ask.as_deref(), snp.ark.as_deref(), now_unix).ok()
            }
            (Err(_), Evidence::DevInsecure(_)) => None,
        };
        let keys = evidence.keys();
        VerifyOutcome {
            ed25519_public_key: Some(keys.ed25519_public_key.to_string()),
            x25519_public_key: Some(hex::encode(keys.x25519_public_key)),
            evidence_hash: Some(hex::encode(evidence.hash())),
            ..VerifyOutcome::new(evidence.kind(), result.map(|_| ()), report)
        }
    }

    /// Verify a bare report with its VCEK (and optional ASK/ARK) from files, under this verifier's
    /// policy (whose `report_data`, if set, is compared raw). `Err` is unusable input (exit 2);
    /// an outcome with `verified == false` is a rejection (exit 1).
    pub fn files_outcome(&self, files: &SnpFiles, now_unix: u64) -> Result<VerifyOutcome, InputError> {
        let report = report_bytes(&files.report)?;
        let vcek = certificate_der(&files.vcek)?;
        let ask = files.ask.as_deref().map(certificate_der).transpose()?;
        let ark = files.ark.as_deref().map(certificate_der).transpose()?;
        Ok(match self.verify_signed_report(&report, &vcek, ask.as_deref(), ark.as_deref(), now_unix) {
            Err(rejection) => VerifyOutcome::new("report", Err(rejection.into()), None),
            Ok(parsed) => {
                let result = parsed.check(self.policy()).map_err(VerifyError::from);
                VerifyOutcome::new("report", result, Some(parsed))
            }
        })
    }
}

impl fmt::Display for VerifyOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            None => writeln!(f, "VERIFIED ({})", self.kind)?,
            Some(reason) => writeln!(f, "REJECTED ({}): {reason}", self.kind)?,
        }
        if let Some(key) = &self.ed25519_public_key {
            writeln!(f, "  node ed25519 key:  {key}")?;
        }
        if let Some(key) = &self.x25519_public_key {
            writeln!(f, "  node x25519 key:   {key}")?;
        }
        let Some(r) = &self.report else { return Ok(()) };
        let tcb = |t: &Tcb| t.to_string();
        let report = &r.report;
        writeln!(f, "  family:            {}  (report version {})", report.family, report.version)?;
        writeln!(f, "  vmpl:              {}", report.vmpl)?;
        writeln!(
            f,
            "  policy:            {:#x}  debug={} migrate_ma={} smt={} single_socket={}",
            report.policy, r.policy_debug, r.policy_migrate_ma, r.policy_smt, r.policy_single_socket
        )?;
        writeln!(f, "  measurement:       {}", hex::encode(report.measurement))?;
        writeln!(f, "  report_data:       {}", hex::encode(report.report_data))?;
        writeln!(f, "  host_data:         {}", hex::encode(report.host_data))?;
        writeln!(f, "  chip_id:           {}", hex::encode(report.chip_id))?;
        writeln!(f, "  reported_tcb:      {}", tcb(&report.reported_tcb))?;
        writeln!(f, "  current_tcb:       {}", tcb(&report.current_tcb))
    }
}
