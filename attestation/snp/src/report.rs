//! The parsed fields of an SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP ABI #56860, table 23).

use serde::Serialize;
use sev::firmware::guest::{AttestationReport, GuestPolicy};
use sev::parser::ByteParser;

use crate::{Family, Rejection, Tcb};

/// Length of an ATTESTATION_REPORT.
pub const REPORT_LEN: usize = 1184;
/// The report signature covers bytes `0..SIGNED_LEN`.
pub const SIGNED_LEN: usize = 0x2A0;
/// Bytes of each little-endian signature component that carry a P-384 value (the rest must be zero).
const SCALAR_LEN: usize = 48;
/// Each signature component field is 72 bytes.
const COMPONENT_LEN: usize = 72;

/// Fields of a report whose signature and VCEK binding verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Report format version (2, 3, 5...).
    pub version: u32,
    /// CPU family (from CPUID in v3+, from the VCEK in v2).
    pub family: Family,
    /// Guest security version number from the ID block.
    pub guest_svn: u32,
    /// Guest policy, raw 64-bit value (bit 17 is reserved and always 1).
    pub policy: u64,
    /// Family id from the ID block.
    #[serde(with = "hex::serde")]
    pub family_id: [u8; 16],
    /// Image id from the ID block.
    #[serde(with = "hex::serde")]
    pub image_id: [u8; 16],
    /// VMPL the report was requested at.
    pub vmpl: u32,
    /// Signature algorithm (1 = ECDSA P-384/SHA-384).
    pub sig_algo: u32,
    /// TCB of the running firmware.
    pub current_tcb: Tcb,
    /// Platform information bits (SMT, TSME, ECC...).
    pub plat_info: u64,
    /// Signing key: 0 VCEK, 1 VLEK, 7 none.
    pub signing_key: u32,
    /// Whether MASK_CHIP_KEY was set (chip id zeroed).
    pub mask_chip_key: bool,
    /// Whether an author key signed the ID key.
    pub author_key_en: bool,
    /// 64 bytes chosen by the guest (here: the key binding).
    #[serde(with = "hex::serde")]
    pub report_data: [u8; 64],
    /// Launch measurement (SHA-384).
    #[serde(with = "hex::serde")]
    pub measurement: [u8; 48],
    /// 32 bytes the host set at launch.
    #[serde(with = "hex::serde")]
    pub host_data: [u8; 32],
    /// SHA-384 of the ID key.
    #[serde(with = "hex::serde")]
    pub id_key_digest: [u8; 48],
    /// SHA-384 of the author key.
    #[serde(with = "hex::serde")]
    pub author_key_digest: [u8; 48],
    /// Report id of the guest.
    #[serde(with = "hex::serde")]
    pub report_id: [u8; 32],
    /// Report id of the migration agent (all ones when none).
    #[serde(with = "hex::serde")]
    pub report_id_ma: [u8; 32],
    /// TCB the signing VCEK was derived from.
    pub reported_tcb: Tcb,
    /// CPUID family, model, stepping (v3+).
    pub cpuid: Option<[u8; 3]>,
    /// Chip id (Turin: 8 bytes then zeros).
    #[serde(with = "hex::serde")]
    pub chip_id: [u8; 64],
    /// Committed TCB (anti-rollback floor).
    pub committed_tcb: Tcb,
    /// Running firmware version (major, minor, build).
    pub current_version: [u8; 3],
    /// Committed firmware version (major, minor, build).
    pub committed_version: [u8; 3],
    /// Current TCB when the guest launched.
    pub launch_tcb: Tcb,
    /// Mitigation vector at launch (v5+).
    pub launch_mit_vector: Option<u64>,
    /// Current mitigation vector (v5+).
    pub current_mit_vector: Option<u64>,
}

impl Report {
    /// Whether the DEBUG policy bit is set (the host may read and write guest memory).
    pub fn debug(&self) -> bool {
        GuestPolicy::from(self.policy).debug_allowed()
    }

    /// Whether the MIGRATE_MA policy bit is set (a migration agent may be associated).
    pub fn migrate_ma(&self) -> bool {
        GuestPolicy::from(self.policy).migrate_ma_allowed()
    }

    /// Whether a migration agent is bound to the guest (report_id_ma is not all ones).
    pub fn migration_agent_bound(&self) -> bool {
        self.report_id_ma != [0xff; 32]
    }

    /// The report's family as the report states it: from CPUID (v3+), else `None` (v2 carries none).
    pub(crate) fn stated_family(report: &AttestationReport) -> Result<Option<Family>, Rejection> {
        match (report.cpuid_fam_id, report.cpuid_mod_id) {
            (Some(family), Some(model)) => Family::from_cpuid(family, model).map(Some),
            _ => Ok(None),
        }
    }

    /// Build from the parsed report, with the family settled by the caller.
    pub(crate) fn from_sev(r: &AttestationReport, family: Family) -> Report {
        let key_info = r.key_info;
        let version = |v: sev::firmware::guest::Version| [v.major, v.minor, v.build];
        Report {
            version: r.version,
            family,
            guest_svn: r.guest_svn,
            policy: u64::from(r.policy),
            family_id: r.family_id,
            image_id: r.image_id,
            vmpl: r.vmpl,
            sig_algo: r.sig_algo,
            current_tcb: r.current_tcb.into(),
            plat_info: u64::from(r.plat_info),
            signing_key: key_info.signing_key(),
            mask_chip_key: key_info.mask_chip_key(),
            author_key_en: key_info.author_key_en(),
            report_data: r.report_data,
            measurement: r.measurement,
            host_data: r.host_data,
            id_key_digest: r.id_key_digest,
            author_key_digest: r.author_key_digest,
            report_id: r.report_id,
            report_id_ma: r.report_id_ma,
            reported_tcb: r.reported_tcb.into(),
            cpuid: r.cpuid_fam_id.zip(r.cpuid_mod_id).zip(r.cpuid_step).map(|((f, m), s)| [f, m, s]),
            chip_id: r.chip_id,
            committed_tcb: r.committed_tcb.into(),
            current_version: version(r.current),
            committed_version: version(r.committed),
            launch_tcb: r.launch_tcb.into(),
            launch_mit_vector: r.launch_mit_vector,
            current_mit_vector: r.current_mit_vector,
        }
    }
}

/// Parse the 1184 bytes with `sev` (version, reserved bytes zero) and require a canonical signature
/// field, so that the bytes, not only the parsed fields, are fixed by what was signed.
pub(crate) fn parse(bytes: &[u8]) -> Result<AttestationReport, Rejection> {
    if bytes.len() != REPORT_LEN {
        return Err(Rejection::ReportLength { len: bytes.len() });
    }
    let report =
        AttestationReport::from_bytes(bytes).map_err(|e| Rejection::ReportMalformed { reason: e.to_string() })?;
    let signature = &bytes[SIGNED_LEN..];
    let padding_is_zero = signature[SCALAR_LEN..COMPONENT_LEN].iter().all(|&b| b == 0)
        && signature[COMPONENT_LEN + SCALAR_LEN..].iter().all(|&b| b == 0);
    if !padding_is_zero {
        return Err(Rejection::NonCanonicalSignature);
    }
    Ok(report)
}
