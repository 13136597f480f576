//! The master key and its three modes: sealed to the SEV-SNP enclave, a key file, or a passphrase.
//!
//! Only [`KeyMode::SevSealed`] binds the vault to the enclave: its 32 bytes come from the guest
//! firmware's derived key (bound to the launch measurement), obtained by the node through the
//! attestation crate, so a different binary cannot open the vault. The key-file and passphrase modes
//! exist for development off SEV hardware and are labelled INSECURE wherever the mode is shown.

use crate::VaultError;
use crate::crypto::random_bytes;
use crate::store::fsync_parent;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use zeroize::Zeroizing;

/// How the master key is obtained. Recorded in the vault file; opening with another mode fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyMode {
    /// 32 bytes from the SEV-SNP guest firmware's derived key, bound to the measurement. Secure.
    SevSealed,
    /// 32 random bytes in a file readable only by its owner. INSECURE: not bound to an enclave.
    KeyFile,
    /// A passphrase stretched with Argon2id. INSECURE: not bound to an enclave.
    Passphrase,
}

impl KeyMode {
    /// Whether this mode leaves the vault openable outside the enclave it was made in.
    pub fn is_insecure(self) -> bool {
        !matches!(self, KeyMode::SevSealed)
    }

    /// The label shown to operators, with the insecurity spelled out.
    pub fn label(self) -> &'static str {
        match self {
            KeyMode::SevSealed => "sev-sealed",
            KeyMode::KeyFile => "key-file (INSECURE: not bound to an enclave)",
            KeyMode::Passphrase => "passphrase (INSECURE: not bound to an enclave)",
        }
    }

    /// The short identifier stored in the vault file.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyMode::SevSealed => "sev-sealed",
            KeyMode::KeyFile => "key-file",
            KeyMode::Passphrase => "passphrase",
        }
    }
}

impl std::fmt::Display for KeyMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Argon2id cost parameters for the passphrase mode. Stored in the vault file with the salt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The defaults: 64 MiB, 3 passes, 1 lane.
    pub const RECOMMENDED: KdfParams = KdfParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 1 };
    /// The most memory a vault file may ask for (1 GiB): a hostile file cannot exhaust memory.
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    /// The most passes a vault file may ask for.
    pub const MAX_ITERATIONS: u32 = 64;
    /// The most lanes a vault file may ask for.
    pub const MAX_PARALLELISM: u32 = 16;

    /// Checks the parameters are ones Argon2id accepts and within the caps above.
    pub fn validate(&self) -> Result<(), VaultError> {
        let bad = |why: String| Err(VaultError::KdfParams(why));
        if !(1..=Self::MAX_PARALLELISM).contains(&self.parallelism) {
            return bad(format!("parallelism {} is outside 1..={}", self.parallelism, Self::MAX_PARALLELISM));
        }
        if !(1..=Self::MAX_ITERATIONS).contains(&self.iterations) {
            return bad(format!("iterations {} is outside 1..={}", self.iterations, Self::MAX_ITERATIONS));
        }
        let min_memory = 8 * self.parallelism;
        if !(min_memory..=Self::MAX_MEMORY_KIB).contains(&self.memory_kib) {
            return bad(format!(
                "memory {} KiB is outside {min_memory}..={} KiB",
                self.memory_kib,
                Self::MAX_MEMORY_KIB
            ));
        }
        Ok(())
    }

    /// Whether every cost is at least the corresponding cost of `floor`.
    fn at_least(&self, floor: &KdfParams) -> bool {
        self.memory_kib >= floor.memory_kib && self.iterations >= floor.iterations
    }
}

impl std::fmt::Display for KdfParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "m={} KiB, t={}, p={}", self.memory_kib, self.iterations, self.parallelism)
    }
}

/// The vault's master key. Zeroized on drop; not `Clone`; `Debug` shows only the mode.
pub struct MasterKey {
    mode: KeyMode,
    material: Material,
}

enum Material {
    Key(Zeroizing<[u8; 32]>),
    Passphrase { passphrase: Zeroizing<Vec<u8>>, params: KdfParams },
}

impl MasterKey {
    /// A key from the 32 bytes the SEV-SNP guest firmware derives for this measurement.
    pub fn from_sealing_key(key: [u8; 32]) -> MasterKey {
        MasterKey { mode: KeyMode::SevSealed, material: Material::Key(Zeroizing::new(key)) }
    }

    /// Creates a key file of 32 random bytes, mode 0600, and returns the key. INSECURE off hardware.
    /// Refuses to overwrite an existing file.
    pub fn create_key_file(path: impl AsRef<Path>) -> Result<MasterKey, VaultError> {
        let path = path.as_ref();
        let key = Zeroizing::new(random_bytes::<32>()?);
        let mut file =
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(|e| {
                match e.kind() {
                    std::io::ErrorKind::AlreadyExists => VaultError::KeyFileExists(path.to_path_buf()),
                    _ => VaultError::io("create key file", path, e),
                }
            })?;
        file.write_all(key.as_ref()).map_err(|e| VaultError::io("write key file", path, e))?;
        file.sync_all().map_err(|e| VaultError::io("sync key file", path, e))?;
        fsync_parent(path)?;
        Ok(MasterKey { mode: KeyMode::KeyFile, material: Material::Key(key) })
    }

    /// Reads a key file made by [`MasterKey::create_key_file`]. INSECURE off hardware.
    /// Refuses a file that group or others may read or write, and one that is not exactly 32 bytes.
    pub fn from_key_file(path: impl AsRef<Path>) -> Result<MasterKey, VaultError> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| VaultError::io("inspect key file", path, e))?;
        if !meta.is_file() {
            return Err(VaultError::KeyFileLength { path: path.to_path_buf(), len: 0 });
        }
        let mut file = std::fs::File::open(path).map_err(|e| VaultError::io("open key file", path, e))?;
        // Check the file actually opened (not the path, which could have been swapped meanwhile).
        let meta = file.metadata().map_err(|e| VaultError::io("inspect key file", path, e))?;
        let mode = meta.mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(VaultError::KeyFilePermissions { path: path.to_path_buf(), mode });
        }
        if meta.len() != 32 || !meta.is_file() {
            return Err(VaultError::KeyFileLength { path: path.to_path_buf(), len: meta.len() });
        }
        let mut key = Zeroizing::new([0u8; 32]);
        file.read_exact(key.as_mut()).map_err(|e| VaultError::io("read key file", path, e))?;
        Ok(MasterKey { mode: KeyMode::KeyFile, material: Material::Key(key) })
    }

    /// A passphrase key with the recommended Argon2id parameters (64 MiB, t=3, p=1). INSECURE off
    /// hardware. Opening a vault whose stored parameters are weaker than these is refused.
    pub fn from_passphrase(passphrase: &[u8]) -> Result<MasterKey, VaultError> {
        MasterKey::from_passphrase_with_params(passphrase, KdfParams::RECOMMENDED)
    }

    /// A passphrase key with explicit Argon2id parameters: used when creating a vault, and as the
    /// minimum accepted when opening one. Tests use small parameters through this.
    pub fn from_passphrase_with_params(passphrase: &[u8], params: KdfParams) -> Result<MasterKey, VaultError> {
        if passphrase.is_empty() {
            return Err(VaultError::EmptyPassphrase);
        }
        params.validate()?;
        let passphrase = Zeroizing::new(passphrase.to_vec());
        Ok(MasterKey { mode: KeyMode::Passphrase, material: Material::Passphrase { passphrase, params } })
    }

    /// The mode of this key.
    pub fn mode(&self) -> KeyMode {
        self.mode
    }

    /// Argon2id parameters to record in a new vault (passphrase mode only).
    pub(crate) fn params_for_new_vault(&self) -> Option<KdfParams> {
        match &self.material {
            Material::Key(_) => None,
            Material::Passphrase { params, .. } => Some(*params),
        }
    }

    /// The 32 bytes of input keying material. `kdf` holds the parameters and salt stored in the
    /// vault file; it must be present exactly in passphrase mode.
    pub(crate) fn input_key(&self, kdf: Option<(&KdfParams, &[u8; 16])>) -> Result<Zeroizing<[u8; 32]>, VaultError> {
        match (&self.material, kdf) {
            (Material::Key(key), None) => Ok(key.clone()),
            (Material::Passphrase { passphrase, params: floor }, Some((params, salt))) => {
                params.validate()?;
                if !params.at_least(floor) {
                    return Err(VaultError::KdfParams(format!(
                        "the vault's Argon2id parameters ({params}) are weaker than required ({floor})"
                    )));
                }
                let argon = argon2::Params::new(params.memory_kib, params.iterations, params.parallelism, Some(32))
                    .map_err(|e| VaultError::KdfParams(e.to_string()))?;
                let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, argon);
                let mut out = Zeroizing::new([0u8; 32]);
                argon
                    .hash_password_into(passphrase, salt, out.as_mut())
                    .map_err(|e| VaultError::KdfParams(e.to_string()))?;
                Ok(out)
            }
            (Material::Key(_), Some(_)) | (Material::Passphrase { .. }, None) => {
                Err(VaultError::Crypto("the key derivation record does not match the key mode"))
            }
        }
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({}, <redacted>)", self.mode.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_mark_insecure_modes() {
        assert!(!KeyMode::SevSealed.is_insecure());
        assert_eq!(KeyMode::SevSealed.label(), "sev-sealed");
        for mode in [KeyMode::KeyFile, KeyMode::Passphrase] {
            assert!(mode.is_insecure());
            assert!(mode.label().contains("INSECURE"), "{}", mode.label());
        }
        assert_eq!(KeyMode::KeyFile.label(), "key-file (INSECURE: not bound to an enclave)");
    }

    #[test]
    fn debug_hides_key_material() {
        let key = MasterKey::from_sealing_key([0xab; 32]);
        let shown = format!("{key:?}");
        assert_eq!(shown, "MasterKey(sev-sealed, <redacted>)");
    }

    #[test]
    fn params_outside_the_caps_are_refused() {
        let huge = KdfParams { memory_kib: u32::MAX, ..KdfParams::RECOMMENDED };
        assert!(matches!(huge.validate(), Err(VaultError::KdfParams(_))));
        let zero = KdfParams { iterations: 0, ..KdfParams::RECOMMENDED };
        assert!(matches!(zero.validate(), Err(VaultError::KdfParams(_))));
        assert!(KdfParams::RECOMMENDED.validate().is_ok());
        assert!(matches!(MasterKey::from_passphrase(b""), Err(VaultError::EmptyPassphrase)));
    }

    #[test]
    fn weaker_stored_params_are_refused() {
        let key = MasterKey::from_passphrase(b"a long passphrase").unwrap();
        let weak = KdfParams { memory_kib: 64, iterations: 1, parallelism: 1 };
        let err = key.input_key(Some((&weak, &[7; 16]))).unwrap_err();
        assert!(err.to_string().contains("weaker than required"), "{err}");
    }

    #[test]
    fn passphrase_derivation_depends_on_passphrase_and_salt() {
        let p = KdfParams { memory_kib: 64, iterations: 1, parallelism: 1 };
        let k1 = MasterKey::from_passphrase_with_params(b"one passphrase", p).unwrap();
        let k2 = MasterKey::from_passphrase_with_params(b"two passphrase", p).unwrap();
        let a = k1.input_key(Some((&p, &[1; 16]))).unwrap();
        assert_eq!(*a, *k1.input_key(Some((&p, &[1; 16]))).unwrap());
        assert_ne!(*a, *k1.input_key(Some((&p, &[2; 16]))).unwrap());
        assert_ne!(*a, *k2.input_key(Some((&p, &[1; 16]))).unwrap());
    }
}
