//! The real SEV-SNP report sets from AMD hardware in `../shared/testdata/snp`
//! beside the workspace root (read-only, never copied into the project), for
//! every test suite that verifies them.

use std::path::PathBuf;
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

/// The sets whose guest policy is clean.
pub const CLEAN_SETS: [&str; 4] = ["virtee-sev-milan", "msft-tav-milan", "msft-tav-genoa", "msft-tav-turin"];
/// The go-sev-guest report: a valid signature, but the DEBUG policy bit set.
pub const DEBUG_SET: &str = "gosevguest-milan";

/// One real report with its VCEK (DER).
pub struct RealSet {
    /// The folder's name.
    pub name: &'static str,
    /// The 1184-byte report.
    pub report: Vec<u8>,
    /// The VCEK, DER (converted when the folder holds PEM).
    pub vcek_der: Vec<u8>,
}

/// The test-data folder, or `None` (printing that the test skipped) when it is absent.
pub fn dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join("../shared/testdata/snp");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: ../shared/testdata/snp not found");
        None
    }
}

/// Loads a set by folder name (`None` when the test data is absent).
pub fn load(name: &'static str) -> Option<RealSet> {
    let dir = dir()?.join(name);
    let report = std::fs::read(dir.join("report.bin")).unwrap_or_else(|e| panic!("{name}/report.bin: {e}"));
    let vcek_der = match std::fs::read(dir.join("vcek.der")) {
        Ok(der) => der,
        Err(_) => {
            let pem = std::fs::read_to_string(dir.join("vcek.pem")).unwrap_or_else(|e| panic!("{name}/vcek.pem: {e}"));
            Certificate::from_pem(pem.trim()).and_then(|c| c.to_der()).unwrap_or_else(|e| panic!("{name}: {e}"))
        }
    };
    Some(RealSet { name, report, vcek_der })
}
