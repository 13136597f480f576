//! `/dev/sev-guest` through `sev::firmware::guest::Firmware`: extended reports and derived keys.

use sev::firmware::guest::{DerivedKey, Firmware, GuestFieldSelect};

use super::{CertTable, GuestError};

/// The SEV-SNP guest device.
pub const SEV_GUEST_DEVICE: &str = "/dev/sev-guest";

/// An extended report from the firmware: (report, cert table if the host provided one).
pub fn device_ext_report(report_data: [u8; 64], vmpl: u32) -> Result<(Vec<u8>, Option<CertTable>), GuestError> {
    let mut firmware = Firmware::open().map_err(|e| GuestError::Device(e.to_string()))?;
    let (report, certs) =
        firmware.get_ext_report(None, Some(report_data), Some(vmpl)).map_err(|e| GuestError::Device(e.to_string()))?;
    Ok((report, certs.map(CertTable::from_entries).transpose()?))
}

/// A key derived by the firmware from the VCEK root and this guest's policy and launch
/// measurement: another image, or the same image on another chip, gets another key.
pub fn device_derived_key(vmpl: u32) -> Result<[u8; 32], GuestError> {
    let mut fields = GuestFieldSelect::default();
    fields.set_guest_policy(true);
    fields.set_measurement(true);
    // Message version 1 (no launch mitigation vector) works on all SNP firmware.
    let request = DerivedKey::new(false, fields, vmpl, 0, 0, None);
    let mut firmware = Firmware::open().map_err(|e| GuestError::Device(e.to_string()))?;
    firmware.get_derived_key(Some(1), request).map_err(|e| GuestError::Device(e.to_string()))
}
