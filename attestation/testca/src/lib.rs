//! A test-only SEV-SNP certificate authority that mimics AMD's chain, so tests can sign reports
//! with chosen fields. Production verifiers never trust it: its roots reach a verifier only through
//! [`redoubt_snp::Roots::custom`] (see [`TestCa::roots`]), never [`redoubt_snp::Roots::amd`].
//!
//! Modules:
//! - `ca`: the ARK (self-signed) and ASK, RSA with RSASSA-PSS/SHA-384 like AMD's, cached per process.
//! - `vcek`: P-384 VCEKs carrying AMD's TCB, productName and hwID extensions.
//! - `report`: 1184-byte reports with chosen fields, signed in AMD's little-endian r/s layout.
//! - `x509`: names, validity and signing helpers shared by the certificates.
//! - [`real`]: the real report sets from AMD hardware in `../shared/testdata/snp`.

mod ca;
pub mod real;
mod report;
mod vcek;
mod x509;

pub use ca::TestCa;
pub use redoubt_snp::{Family, Tcb};
pub use report::ReportFields;
pub use vcek::TestChip;
pub use x509::{VALID_FROM, VALID_UNTIL};
