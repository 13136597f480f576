//! Reports with chosen fields, laid out by `sev`'s encoder and signed like the AMD firmware.

use p384::ecdsa::Signature;
use p384::ecdsa::signature::DigestSigner;
use redoubt_snp::{Family, SIGNED_LEN, Tcb};
use sev::firmware::guest::{AttestationReport, GuestPolicy, KeyInfo, PlatformInfo, Version};
use sev::parser::ByteParser;
use sha2::{Digest, Sha384};

use crate::TestChip;

/// Policy of a default report: SMT allowed, reserved bit 17 set, no debug, no migration agent.
const DEFAULT_POLICY: u64 = 0x30000;
/// Each little-endian signature component occupies 72 bytes of the report.
const COMPONENT_LEN: usize = 72;

/// Report fields a test may choose; `Default` gives a valid, non-debug, VMPL 0, version 3 report
/// whose chip_id and reported_tcb match the chip it is signed with when left as `None`.
#[derive(Clone, Debug)]
pub struct ReportFields {
    /// Report version (default 3; 2 omits CPUID, 5+ adds mitigation vectors).
    pub version: Option<u32>,
    /// Raw guest policy (default 0x30000).
    pub policy: Option<u64>,
    /// VMPL the report was requested at.
    pub vmpl: u32,
    /// Launch measurement.
    pub measurement: [u8; 48],
    /// 64 bytes chosen by the guest.
    pub report_data: [u8; 64],
    /// Host data set at launch.
    pub host_data: [u8; 32],
    /// Chip id (default: the chip's).
    pub chip_id: Option<[u8; 64]>,
    /// Reported TCB (default: the VCEK's; also used as current, committed and launch TCB).
    pub reported_tcb: Option<Tcb>,
    /// Migration agent report id (default all ones: no migration agent).
    pub report_id_ma: Option<[u8; 32]>,
}

impl Default for ReportFields {
    fn default() -> ReportFields {
        ReportFields {
            version: None,
            policy: None,
            vmpl: 0,
            measurement: [0; 48],
            report_data: [0; 64],
            host_data: [0; 32],
            chip_id: None,
            reported_tcb: None,
            report_id_ma: None,
        }
    }
}

impl TestChip {
    /// A 1184-byte ATTESTATION_REPORT with these fields, signed by this chip's VCEK key.
    /// Panics if `sev` cannot lay the report out (version 2 with an all-zero chip id).
    pub fn sign_report(&self, fields: &ReportFields) -> Vec<u8> {
        let version = fields.version.unwrap_or(3);
        let tcb = fields.reported_tcb.unwrap_or(self.tcb).into();
        let (cpuid_family, cpuid_model) = cpuid(self.family);
        let has_cpuid = version >= 3;
        let report = AttestationReport {
            version,
            policy: GuestPolicy::from(fields.policy.unwrap_or(DEFAULT_POLICY)),
            vmpl: fields.vmpl,
            sig_algo: 1,
            current_tcb: tcb,
            plat_info: PlatformInfo::from(1),
            key_info: KeyInfo::from(0),
            report_data: fields.report_data,
            measurement: fields.measurement,
            host_data: fields.host_data,
            report_id: [0x5a; 32],
            report_id_ma: fields.report_id_ma.unwrap_or([0xff; 32]),
            reported_tcb: tcb,
            cpuid_fam_id: has_cpuid.then_some(cpuid_family),
            cpuid_mod_id: has_cpuid.then_some(cpuid_model),
            cpuid_step: has_cpuid.then_some(1),
            chip_id: fields.chip_id.unwrap_or(self.chip_id),
            committed_tcb: tcb,
            current: Version::new(1, 55, 40),
            committed: Version::new(1, 55, 40),
            launch_tcb: tcb,
            launch_mit_vector: (version >= 5).then_some(0),
            current_mit_vector: (version >= 5).then_some(0),
            ..Default::default()
        };
        let mut bytes = report.to_bytes().expect("sev lays out the chosen report").to_vec();
        self.resign(&mut bytes);
        bytes
    }

    /// Sign bytes `0..0x2A0` of a report in place (for tests that craft raw bytes, e.g. a VLEK key_info).
    pub fn resign(&self, report: &mut [u8]) {
        let signature: Signature = self.key.sign_digest(Sha384::new_with_prefix(&report[..SIGNED_LEN]));
        let (r, s) = signature.split_bytes();
        for (offset, scalar) in [(SIGNED_LEN, r), (SIGNED_LEN + COMPONENT_LEN, s)] {
            let field = &mut report[offset..offset + COMPONENT_LEN];
            field.fill(0);
            field[..scalar.len()].copy_from_slice(&scalar);
            field[..scalar.len()].reverse();
        }
    }
}

/// CPUID family and model of a representative part of each family.
fn cpuid(family: Family) -> (u8, u8) {
    match family {
        Family::Milan => (0x19, 0x01),
        Family::Genoa => (0x19, 0x11),
        Family::Turin => (0x1a, 0x02),
    }
}
