//! The real SEV-SNP report sets in `../shared/testdata/snp` (read-only, never copied).

/// The sets whose policy is clean, with their family.
pub const CLEAN_SETS: [(&str, &str); 4] = [
    ("virtee-sev-milan", "milan"),
    ("msft-tav-milan", "milan"),
    ("msft-tav-genoa", "genoa"),
    ("msft-tav-turin", "turin"),
];
pub use redoubt_snp_testca::real::{DEBUG_SET, RealSet as Set, load};

/// What these tests ask of a real set.
pub trait SetExt {
    /// The report's launch measurement (offset 0x90, 48 bytes).
    fn measurement(&self) -> [u8; 48];
}

impl SetExt for Set {
    fn measurement(&self) -> [u8; 48] {
        self.report[0x90..0xC0].try_into().unwrap()
    }
}
