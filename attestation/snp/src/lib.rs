//! SEV-SNP report verification core: the one implementation used off chain (`redoubt-attestation`)
//! and on chain (the registry contract). No I/O and no clock (callers pass `now_unix`); builds for
//! `wasm32-unknown-unknown`.
//!
//! Verification is two steps: [`verify_vcek`] checks a VCEK's chain (ARK self-signed, ARK -> ASK,
//! ASK -> VCEK) to [`Roots`] and returns a cacheable [`VerifiedVcek`]; [`verify_report`] checks a
//! report's binding to that VCEK and its signature, returning the parsed [`Report`], which
//! [`Report::check`] then holds to a [`VerifierPolicy`]. Every failure is a [`Rejection`].
//!
//! Modules:
//! - `family`: Milan / Genoa / Turin, from CPUID or the VCEK product name.
//! - `tcb`: TCB security version numbers and per-component minimums.
//! - `roots`: AMD's built-in ARK/ASK per family (pinned), or caller-chosen roots (verified).
//! - `chain`: certificate parsing and chain links.
//! - `extensions`: AMD's VCEK X.509 extensions (TCB, hwID, productName).
//! - `vcek`: chain verification of a VCEK.
//! - `report`: the parsed report fields.
//! - `verify`: report signature and VCEK binding.
//! - `policy`: the verifier policy.
//! - `binding`: the report_data binding of node keys and nonce.
//! - `rejection`: the typed, readable reasons for failure.

mod binding;
mod chain;
mod extensions;
mod family;
mod policy;
mod rejection;
mod report;
mod roots;
mod tcb;
mod vcek;
mod verify;

pub use binding::{REPORT_DATA_DOMAIN, report_data_binding, report_data_eq};
pub use family::Family;
pub use policy::VerifierPolicy;
pub use rejection::{CertRole, Rejection};
pub use report::{REPORT_LEN, Report, SIGNED_LEN};
pub use roots::Roots;
pub use tcb::{Tcb, TcbComponent};
pub use vcek::{VerifiedVcek, vcek_family, vcek_fingerprint, verify_vcek};
pub use verify::{EcdsaP384Sha384, RustCryptoP384, verify_report, verify_report_with};
