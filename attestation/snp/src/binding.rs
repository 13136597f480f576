//! The report_data binding of a node's keys and a verifier's nonce (the cross-crate contract).

use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

/// Domain separator of the binding, version 1.
pub const REPORT_DATA_DOMAIN: &[u8] = b"redoubt:report-data:v1";

/// `SHA-512(b"redoubt:report-data:v1" || ed25519_pk || x25519_pk || nonce)`; the nonce is empty when
/// there is none (on-chain registration).
pub fn report_data_binding(ed25519_pk: &[u8; 32], x25519_pk: &[u8; 32], nonce: &[u8]) -> [u8; 64] {
    Sha512::new_with_prefix(REPORT_DATA_DOMAIN)
        .chain_update(ed25519_pk)
        .chain_update(x25519_pk)
        .chain_update(nonce)
        .finalize()
        .into()
}

/// Constant-time equality of two report_data values.
pub fn report_data_eq(a: &[u8; 64], b: &[u8; 64]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_separates_keys_and_nonce() {
        let (e, x) = ([1u8; 32], [2u8; 32]);
        let base = report_data_binding(&e, &x, b"");
        assert!(report_data_eq(&base, &report_data_binding(&e, &x, b"")));
        assert!(!report_data_eq(&base, &report_data_binding(&x, &e, b"")));
        assert!(!report_data_eq(&base, &report_data_binding(&e, &x, b"n")));
        let mut manual = Sha512::new();
        manual.update(b"redoubt:report-data:v1");
        manual.update([1u8; 32]);
        manual.update([2u8; 32]);
        assert_eq!(base, <[u8; 64]>::from(manual.finalize()));
    }
}
