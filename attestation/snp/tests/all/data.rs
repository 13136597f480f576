//! Loading the real report sets from `../shared/testdata/snp` (read-only, never copied).

use std::path::PathBuf;

use redoubt_snp::{Roots, VerifiedVcek, verify_vcek};

/// 2026-03-01T00:00:00Z: inside the validity of every real VCEK in the test data.
pub const NOW: u64 = 1_772_323_200;

/// The report sets whose policy is clean, and the one with DEBUG set.
pub const CLEAN_SETS: [&str; 4] = ["virtee-sev-milan", "msft-tav-milan", "msft-tav-genoa", "msft-tav-turin"];
/// The go-sev-guest report: valid signature, DEBUG policy.
pub const DEBUG_SET: &str = "gosevguest-milan";

/// One real report with its VCEK (DER).
pub struct Set {
    pub name: &'static str,
    pub report: Vec<u8>,
    pub vcek_der: Vec<u8>,
}

impl Set {
    /// The VCEK verified against AMD's built-in roots.
    pub fn vcek(&self) -> VerifiedVcek {
        verify_vcek(&self.vcek_der, &Roots::amd()).unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }
}

/// `../shared/testdata/snp` relative to the workspace root, or `None` (and a note) when absent.
pub fn dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("../shared/testdata/snp");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: ../shared/testdata/snp not found");
        None
    }
}

/// Load a set by folder name.
pub fn load(name: &'static str) -> Option<Set> {
    let dir = dir()?.join(name);
    let report = std::fs::read(dir.join("report.bin")).unwrap();
    let vcek_der = match std::fs::read(dir.join("vcek.der")) {
        Ok(der) => der,
        Err(_) => pem_to_der(&std::fs::read(dir.join("vcek.pem")).unwrap()),
    };
    Some(Set { name, report, vcek_der })
}

/// A certificate file of the shared data as DER (`amd-roots/genoa_ark.pem`...).
pub fn cert(path: &str) -> Option<Vec<u8>> {
    Some(pem_to_der(&std::fs::read(dir()?.join(path)).unwrap()))
}

fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    sev::certs::snp::Certificate::from_pem(pem).unwrap().to_der().unwrap()
}
