//! The real SEV-SNP report sets in `../shared/testdata/snp` (read-only, never copied).

use std::path::PathBuf;
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

/// The sets whose policy is clean, with their family.
pub const CLEAN_SETS: [(&str, &str); 4] = [
    ("virtee-sev-milan", "milan"),
    ("msft-tav-milan", "milan"),
    ("msft-tav-genoa", "genoa"),
    ("msft-tav-turin", "turin"),
];
/// The go-sev-guest report: valid signature, DEBUG policy.
pub const DEBUG_SET: &str = "gosevguest-milan";

/// One real report with its VCEK (DER).
pub struct Set {
    pub name: &'static str,
    pub report: Vec<u8>,
    pub vcek_der: Vec<u8>,
}

impl Set {
    /// The report's launch measurement (offset 0x90, 48 bytes).
    pub fn measurement(&self) -> [u8; 48] {
        self.report[0x90..0xC0].try_into().unwrap()
    }
}

/// `../shared/testdata/snp` beside the workspace root, or `None` (saying so) when absent.
pub fn dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join("../shared/testdata/snp");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: ../shared/testdata/snp not found");
        None
    }
}

/// Loads a set by folder name.
pub fn load(name: &'static str) -> Option<Set> {
    let dir = dir()?.join(name);
    let report = std::fs::read(dir.join("report.bin")).unwrap();
    let vcek_der = match std::fs::read(dir.join("vcek.der")) {
        Ok(der) => der,
        Err(_) => {
            let pem = std::fs::read_to_string(dir.join("vcek.pem")).unwrap();
            Certificate::from_pem(pem.trim()).unwrap().to_der().unwrap()
        }
    };
    Some(Set { name, report, vcek_der })
}
