//! `SecretValue`: plaintext that zeroizes on drop and cannot be printed, cloned, serialized or
//! compared in variable time.
//!
//! The only comparison is [`subtle::ConstantTimeEq`]. None of the following compile:
//!
//! ```compile_fail,E0277
//! let v = redoubt_vault::SecretValue::new(b"correct horse battery".to_vec());
//! let _ = format!("{}", v); // no Display
//! ```
//!
//! ```compile_fail,E0599
//! let v = redoubt_vault::SecretValue::new(b"correct horse battery".to_vec());
//! let _w = v.clone(); // no Clone
//! ```
//!
//! ```compile_fail,E0277
//! let v = redoubt_vault::SecretValue::new(b"correct horse battery".to_vec());
//! let _ = serde_json::to_string(&v); // no Serialize
//! ```
//!
//! ```compile_fail,E0369
//! let v = redoubt_vault::SecretValue::new(b"correct horse battery".to_vec());
//! let w = redoubt_vault::SecretValue::new(b"correct horse battery".to_vec());
//! let _ = v == w; // no PartialEq: use subtle::ConstantTimeEq
//! ```
//!
//! ```compile_fail,E0624
//! let v = redoubt_vault::SecretValue::new(b"correct horse battery".to_vec());
//! let _bytes: &[u8] = v.expose(); // the plaintext is not reachable outside the crate
//! ```
//!
//! What does compile: a redacted `Debug` and a constant-time comparison.
//!
//! ```
//! use subtle::ConstantTimeEq;
//! let v = redoubt_vault::SecretValue::new(b"correct horse battery".to_vec());
//! let w = redoubt_vault::SecretValue::from("correct horse battery".to_string());
//! assert_eq!(format!("{v:?}"), "SecretValue(<redacted, 21 bytes>)");
//! assert!(bool::from(v.ct_eq(&w)));
//! ```

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A plaintext secret. Zeroized on drop; `Debug` shows only its length; no `Display`, `Clone`,
/// `Serialize` or `PartialEq`. Compare with [`ConstantTimeEq`].
pub struct SecretValue(Box<[u8]>);

impl SecretValue {
    /// Takes ownership of `bytes` (no copy is made; the buffer is zeroized when the value drops).
    pub fn new(bytes: Vec<u8>) -> SecretValue {
        let mut bytes = bytes;
        if bytes.len() != bytes.capacity() {
            // `into_boxed_slice` would reallocate and leave the old buffer behind un-zeroized.
            let exact = bytes.as_slice().to_vec().into_boxed_slice();
            bytes.zeroize();
            return SecretValue(exact);
        }
        SecretValue(bytes.into_boxed_slice())
    }

    /// Number of bytes in the secret.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The plaintext, for this crate only (encryption, injection, leak patterns).
    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl From<String> for SecretValue {
    fn from(s: String) -> SecretValue {
        SecretValue::new(s.into_bytes())
    }
}

impl From<Vec<u8>> for SecretValue {
    fn from(v: Vec<u8>) -> SecretValue {
        SecretValue::new(v)
    }
}

impl ConstantTimeEq for SecretValue {
    fn ct_eq(&self, other: &SecretValue) -> Choice {
        // Lengths are not secret (Debug shows them); contents are compared in constant time.
        self.0.as_ref().ct_eq(other.0.as_ref())
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretValue(<redacted, {} bytes>)", self.0.len())
    }
}

impl Drop for SecretValue {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for SecretValue {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let v = SecretValue::new(b"sk-live-0123456789".to_vec());
        let shown = format!("{v:?} {v:#?}");
        assert!(!shown.contains("sk-live"), "{shown}");
        assert!(shown.contains("18 bytes"));
    }

    #[test]
    fn constant_time_eq_distinguishes_values_and_lengths() {
        let a = SecretValue::new(b"aaaaaaaaaa".to_vec());
        assert!(bool::from(a.ct_eq(&SecretValue::new(b"aaaaaaaaaa".to_vec()))));
        assert!(!bool::from(a.ct_eq(&SecretValue::new(b"aaaaaaaaab".to_vec()))));
        assert!(!bool::from(a.ct_eq(&SecretValue::new(b"aaaaaaaaa".to_vec()))));
    }

    #[test]
    fn spare_capacity_is_not_kept() {
        let mut v = Vec::with_capacity(64);
        v.extend_from_slice(b"0123456789");
        let s = SecretValue::new(v);
        assert_eq!(s.expose(), b"0123456789");
        assert_eq!(s.len(), 10);
    }
}
