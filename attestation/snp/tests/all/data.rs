//! Loading the real report sets from `../shared/testdata/snp` (read-only, never copied).

use redoubt_snp::{Roots, VerifiedVcek, verify_vcek};

/// 2026-03-01T00:00:00Z: inside the validity of every real VCEK in the test data.
pub const NOW: u64 = 1_772_323_200;

pub use redoubt_snp_testca::real::{CLEAN_SETS, DEBUG_SET};

pub use redoubt_snp_testca::real::{RealSet as Set, dir, load};

/// What these tests ask of a real set.
pub trait SetExt {
    /// The VCEK verified against AMD's built-in roots.
    fn vcek(&self) -> VerifiedVcek;
}

impl SetExt for Set {
    fn vcek(&self) -> VerifiedVcek {
        verify_vcek(&self.vcek_der, &Roots::amd()).unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }
}

/// A certificate file of the shared data as DER (`amd-roots/genoa_ark.pem`...).
pub fn cert(path: &str) -> Option<Vec<u8>> {
    Some(pem_to_der(&std::fs::read(dir()?.join(path)).unwrap()))
}

fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    sev::certs::snp::Certificate::from_pem(pem).unwrap().to_der().unwrap()
}
