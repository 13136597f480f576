//! The off-chain verifier's ECDSA P-384/SHA-384 backend: AWS-LC through `aws-lc-rs`.

use aws_lc_rs::signature::{ECDSA_P384_SHA384_FIXED, UnparsedPublicKey};
use redoubt_snp::EcdsaP384Sha384;

/// ECDSA P-384/SHA-384 through AWS-LC. Same contract as the core's RustCrypto backend (a
/// cross-check test holds them to it); several times faster, so cached verification stays cheap.
#[derive(Clone, Copy, Debug, Default)]
pub struct AwsLcP384;

impl EcdsaP384Sha384 for AwsLcP384 {
    fn verify(&self, public_key_sec1: &[u8], message: &[u8], r: &[u8; 48], s: &[u8; 48]) -> bool {
        let mut signature = [0u8; 96];
        signature[..48].copy_from_slice(r);
        signature[48..].copy_from_slice(s);
        UnparsedPublicKey::new(&ECDSA_P384_SHA384_FIXED, public_key_sec1).verify(message, &signature).is_ok()
    }
}
