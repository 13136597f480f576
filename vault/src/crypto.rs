//! Key derivation and the three cryptographic jobs of the vault file: the key check, the metadata
//! MAC, and per-secret AES-256-GCM.
//!
//! From the 32-byte input key (sealing key, key file, or Argon2id output) HKDF-SHA256 derives, with
//! the vault's random id as salt and `redoubt-vault/v1/<mode>/<purpose>` as info:
//! - `key-check`: stored in the file; a mismatch means the wrong key, before anything else is read;
//! - `file-mac`: the HMAC-SHA256 key over the file's metadata;
//! - `secret-key/<id>`: one AES-256-GCM key per secret id.
//!
//! Each encryption draws a fresh random 96-bit nonce from the OS. The AAD binds the secret's id, its
//! name and the SHA-256 of its canonical policy encoding.

use crate::{KeyMode, SecretValue, VaultError};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

const DOMAIN: &[u8] = b"redoubt-vault/v1/";

/// `N` bytes from the operating system's random generator.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut out = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut out)
        .map_err(|_| VaultError::Crypto("the operating system's random generator failed"))?;
    Ok(out)
}

/// The keys of one open vault, derived on demand from the input key.
pub(crate) struct Keys {
    input: Zeroizing<[u8; 32]>,
    vault_id: [u8; 16],
    mode: KeyMode,
}

impl Keys {
    /// Keys for the vault `vault_id` opened in `mode` with `input` keying material.
    pub(crate) fn new(input: Zeroizing<[u8; 32]>, vault_id: [u8; 16], mode: KeyMode) -> Keys {
        Keys { input, vault_id, mode }
    }

    /// The id of the vault these keys belong to.
    pub(crate) fn vault_id(&self) -> &[u8; 16] {
        &self.vault_id
    }

    fn derive(&self, purpose: &[u8], id: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(Some(&self.vault_id), self.input.as_ref());
        let mut okm = Zeroizing::new([0u8; 32]);
        hk.expand_multi_info(&[DOMAIN, self.mode.as_str().as_bytes(), b"/", purpose, id], okm.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        okm
    }

    /// The key-check value stored in the file.
    pub(crate) fn key_check(&self) -> [u8; 32] {
        *self.derive(b"key-check", &[])
    }

    /// Whether `stored` is this key's check value (constant time).
    pub(crate) fn key_check_matches(&self, stored: &[u8; 32]) -> bool {
        bool::from(self.key_check().ct_eq(stored))
    }

    fn mac_state(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(self.derive(b"file-mac", &[]).as_ref())
            .expect("HMAC accepts a key of any length")
    }

    /// HMAC-SHA256 of the file's canonical metadata encoding.
    pub(crate) fn mac(&self, metadata: &[u8]) -> [u8; 32] {
        let mut mac = self.mac_state();
        mac.update(metadata);
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` authenticates `metadata` (constant time).
    pub(crate) fn mac_matches(&self, metadata: &[u8], tag: &[u8; 32]) -> bool {
        let mut mac = self.mac_state();
        mac.update(metadata);
        mac.verify_slice(tag).is_ok()
    }

    fn cipher(&self, id: &[u8; 16]) -> Aes256Gcm {
        let key = self.derive(b"secret-key/", id);
        Aes256Gcm::new_from_slice(key.as_ref()).expect("AES-256 takes a 32-byte key")
    }

    /// Encrypts `plaintext` for the secret `id`/`name` under the policy hashed to `policy_hash`,
    /// with a fresh random nonce. Returns `(nonce, ciphertext || tag)`.
    pub(crate) fn seal(
        &self,
        id: &[u8; 16],
        name: &str,
        policy_hash: &[u8; 32],
        plaintext: &SecretValue,
    ) -> Result<([u8; 12], Vec<u8>), VaultError> {
        let nonce = random_bytes::<12>()?;
        let aad = aad(id, name, policy_hash);
        let ciphertext = self
            .cipher(id)
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext.expose(), aad: &aad })
            .map_err(|_| VaultError::Crypto("AES-256-GCM encryption failed"))?;
        Ok((nonce, ciphertext))
    }

    /// Decrypts and authenticates; `None` when the ciphertext, nonce, id, name or policy differ
    /// from what was sealed.
    pub(crate) fn open(
        &self,
        id: &[u8; 16],
        name: &str,
        policy_hash: &[u8; 32],
        nonce: &[u8; 12],
        ciphertext: &[u8],
    ) -> Option<SecretValue> {
        let aad = aad(id, name, policy_hash);
        self.cipher(id)
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad })
            .ok()
            .map(SecretValue::new)
    }
}

/// The associated data of one secret: domain, id, length-prefixed name, policy hash.
fn aad(id: &[u8; 16], name: &str, policy_hash: &[u8; 32]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(DOMAIN.len() + 3 + 16 + 4 + name.len() + 32);
    aad.extend_from_slice(DOMAIN);
    aad.extend_from_slice(b"aad");
    aad.extend_from_slice(id);
    aad.extend_from_slice(&(name.len() as u32).to_be_bytes());
    aad.extend_from_slice(name.as_bytes());
    aad.extend_from_slice(policy_hash);
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(byte: u8) -> Keys {
        Keys::new(Zeroizing::new([byte; 32]), [9; 16], KeyMode::SevSealed)
    }

    #[test]
    fn every_encryption_uses_a_fresh_nonce() {
        let k = keys(1);
        let value = SecretValue::new(b"the same value every time".to_vec());
        let mut nonces = std::collections::HashSet::new();
        let mut ciphertexts = std::collections::HashSet::new();
        for _ in 0..1000 {
            let (nonce, ct) = k.seal(&[1; 16], "n", &[0; 32], &value).unwrap();
            assert!(nonces.insert(nonce), "nonce reused");
            assert!(ciphertexts.insert(ct), "ciphertext repeated");
        }
    }

    #[test]
    fn opening_checks_every_bound_field() {
        let k = keys(1);
        let value = SecretValue::new(b"bound value 123".to_vec());
        let (nonce, ct) = k.seal(&[1; 16], "name", &[5; 32], &value).unwrap();
        let back = k.open(&[1; 16], "name", &[5; 32], &nonce, &ct).unwrap();
        assert!(bool::from(back.ct_eq(&value)));
        assert!(k.open(&[2; 16], "name", &[5; 32], &nonce, &ct).is_none(), "other id");
        assert!(k.open(&[1; 16], "other", &[5; 32], &nonce, &ct).is_none(), "other name");
        assert!(k.open(&[1; 16], "name", &[6; 32], &nonce, &ct).is_none(), "other policy");
        assert!(k.open(&[1; 16], "name", &[5; 32], &[0; 12], &ct).is_none(), "other nonce");
        assert!(keys(2).open(&[1; 16], "name", &[5; 32], &nonce, &ct).is_none(), "other key");
        let mut flipped = ct.clone();
        flipped[0] ^= 1;
        assert!(k.open(&[1; 16], "name", &[5; 32], &nonce, &flipped).is_none(), "flipped bit");
    }

    #[test]
    fn derived_keys_are_separated_by_mode_and_vault() {
        let a = keys(1);
        let b = Keys::new(Zeroizing::new([1; 32]), [9; 16], KeyMode::KeyFile);
        let c = Keys::new(Zeroizing::new([1; 32]), [8; 16], KeyMode::SevSealed);
        assert_ne!(a.key_check(), b.key_check());
        assert_ne!(a.key_check(), c.key_check());
        assert!(a.key_check_matches(&a.key_check()));
        assert_ne!(a.mac(b"m"), b.mac(b"m"));
        assert!(a.mac_matches(b"m", &a.mac(b"m")));
        assert!(!a.mac_matches(b"n", &a.mac(b"m")));
    }
}
