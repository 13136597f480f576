//! Evidence collection inside the guest: an SEV-SNP extended report whose report_data binds the
//! node's keys and the verifier's nonce (configfs-tsm or `/dev/sev-guest`, whichever is present),
//! or dev evidence off SEV hardware; and the measurement-bound sealing key.
//!
//! - `cert_table`: the host's certificate table, parsed with bounds checks.
//! - `tsm`: configfs-tsm report entries.
//! - `device`: `/dev/sev-guest` via the `sev` crate (Linux only).

mod cert_table;
#[cfg(target_os = "linux")]
mod device;
mod tsm;

use std::path::{Path, PathBuf};

use redoubt_snp::report_data_binding;

use crate::evidence::{Evidence, SnpEvidence};
use crate::keys::NodeKeys;

pub use cert_table::CertTable;
pub use tsm::{TSM_REPORT_ROOT, TsmEntry, tsm_ext_report};

/// The VMPL reports and derived keys are requested at (the guest kernel runs at VMPL 0 without an SVSM).
const VMPL: u32 = 0;

/// Why evidence or the sealing key could not be obtained.
#[derive(Debug, thiserror::Error)]
pub enum GuestError {
    /// No SEV-SNP interface on this machine.
    #[error(
        "no SEV-SNP guest interface (neither {TSM_REPORT_ROOT} nor /dev/sev-guest): not running in an SEV-SNP guest"
    )]
    NoSevGuest,
    /// The `/dev/sev-guest` request failed.
    #[error("/dev/sev-guest: {0}")]
    Device(String),
    /// The configfs-tsm request failed.
    #[error("configfs-tsm: {0}")]
    Tsm(String),
    /// The host's certificate table is malformed.
    #[error("certificate table from the host: {0}")]
    CertTable(String),
    /// The host provided no VCEK (or only a VLEK, which is not supported).
    #[error("the host provided no VCEK with the report{}", if *.vlek { " (only a VLEK, which is not supported)" } else { "" })]
    NoVcek {
        /// Whether a VLEK was present.
        vlek: bool,
    },
    /// The firmware returned a report that does not carry the requested report_data.
    #[error("the firmware returned a report that does not carry the requested report_data")]
    WrongReportData,
}

/// Where evidence comes from on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvidenceSource {
    /// configfs-tsm at this root.
    ConfigfsTsm(PathBuf),
    /// `/dev/sev-guest`.
    Device,
    /// No SEV-SNP: dev evidence.
    Dev,
}

/// Detect the interface: configfs-tsm first (bounds-checked cert table), then `/dev/sev-guest`.
pub fn detect() -> EvidenceSource {
    if Path::new(TSM_REPORT_ROOT).is_dir() {
        return EvidenceSource::ConfigfsTsm(PathBuf::from(TSM_REPORT_ROOT));
    }
    #[cfg(target_os = "linux")]
    if Path::new(device::SEV_GUEST_DEVICE).exists() {
        return EvidenceSource::Device;
    }
    EvidenceSource::Dev
}

/// Evidence for these keys and nonce from whatever this machine has (see [`detect`]).
pub fn collect(keys: &NodeKeys, nonce: Option<&[u8]>) -> Result<Evidence, GuestError> {
    collect_from(&detect(), keys, nonce)
}

/// Evidence from a given source. Dev evidence says plainly it is insecure.
pub fn collect_from(source: &EvidenceSource, keys: &NodeKeys, nonce: Option<&[u8]>) -> Result<Evidence, GuestError> {
    let report_data = expected_report_data(keys, nonce);
    let (report, certs) = match source {
        EvidenceSource::Dev => return Ok(Evidence::dev(keys.bound(nonce))),
        EvidenceSource::ConfigfsTsm(root) => {
            let (report, table) = tsm_ext_report(root, &report_data, VMPL)?;
            (report, Some(CertTable::parse(&table)?))
        }
        #[cfg(target_os = "linux")]
        EvidenceSource::Device => device::device_ext_report(report_data, VMPL)?,
        #[cfg(not(target_os = "linux"))]
        EvidenceSource::Device => return Err(GuestError::NoSevGuest),
    };
    assemble(report, certs.unwrap_or_default(), keys, nonce)
}

/// The report_data a node requests: the binding of its keys and the nonce (empty when none).
pub fn expected_report_data(keys: &NodeKeys, nonce: Option<&[u8]>) -> [u8; 64] {
    report_data_binding(&keys.ed25519_public(), &keys.x25519_public(), nonce.unwrap_or_default())
}

/// SEV-SNP evidence from a firmware report and the host's certificates; the report must carry
/// the binding of these keys and nonce, and the table must hold a VCEK.
pub fn assemble(
    report: Vec<u8>,
    certs: CertTable,
    keys: &NodeKeys,
    nonce: Option<&[u8]>,
) -> Result<Evidence, GuestError> {
    // report_data is at 0x50..0x90 of the report; a mismatch means a broken or hostile stack.
    if report.get(0x50..0x90) != Some(expected_report_data(keys, nonce).as_slice()) {
        return Err(GuestError::WrongReportData);
    }
    let vcek = certs.vcek.ok_or(GuestError::NoVcek { vlek: certs.vlek.is_some() })?;
    Ok(Evidence::SevSnp(SnpEvidence { report, vcek, ask: certs.ask, ark: certs.ark, keys: keys.bound(nonce) }))
}

/// The guest's sealing key: derived by the firmware from the VCEK root key, mixing in the guest
/// policy and launch measurement (the vault's master key in SEV mode). Needs `/dev/sev-guest`.
pub fn sealing_key() -> Result<[u8; 32], GuestError> {
    #[cfg(target_os = "linux")]
    if Path::new(device::SEV_GUEST_DEVICE).exists() {
        return device::device_derived_key(VMPL);
    }
    Err(GuestError::NoSevGuest)
}
