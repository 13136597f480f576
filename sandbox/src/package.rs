//! Agent packages: a component plus its manifest, identified by hashes.

use crate::manifest::{Manifest, ManifestError};
use crate::package_files::{MAX_COMPONENT_FILE_BYTES, MAX_MANIFEST_BYTES, PackageFileError, read_regular};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// File name of the manifest inside a package directory.
pub const MANIFEST_FILE: &str = "manifest.toml";
/// File name of the component inside a package directory.
pub const COMPONENT_FILE: &str = "agent.wasm";

/// A SHA-256 digest, shown as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Sha256Hash(pub [u8; 32]);

impl Sha256Hash {
    /// Hashes `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256Hash(Sha256::digest(bytes).into())
    }
}

impl fmt::Display for Sha256Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Sha256Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hash({self})")
    }
}

impl From<Sha256Hash> for String {
    fn from(hash: Sha256Hash) -> String {
        hash.to_string()
    }
}

impl TryFrom<String> for Sha256Hash {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(&text, &mut bytes).map_err(|e| format!("not a SHA-256 hex digest: {e}"))?;
        Ok(Sha256Hash(bytes))
    }
}

/// An agent ready to install: the component bytes and the parsed manifest.
#[derive(Clone)]
pub struct AgentPackage {
    manifest: Manifest,
    manifest_text: Arc<str>,
    manifest_hash: Sha256Hash,
    component: Arc<[u8]>,
    code_hash: Sha256Hash,
}

impl fmt::Debug for AgentPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentPackage")
            .field("name", &self.manifest.name)
            .field("version", &self.manifest.version)
            .field("code_hash", &self.code_hash)
            .field("component_bytes", &self.component.len())
            .finish()
    }
}

/// A package that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// A file of the package could not be read, or is not a regular file within its cap.
    #[error(transparent)]
    File(#[from] PackageFileError),
    /// The manifest is not valid UTF-8.
    #[error("manifest is not UTF-8 text")]
    ManifestEncoding,
    /// The manifest is invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

impl AgentPackage {
    /// Builds a package from manifest text and component bytes.
    pub fn from_parts(manifest_toml: &str, component: impl Into<Arc<[u8]>>) -> Result<Self, PackageError> {
        let manifest = Manifest::from_toml(manifest_toml)?;
        let component = component.into();
        Ok(AgentPackage {
            manifest,
            manifest_text: manifest_toml.into(),
            manifest_hash: Sha256Hash::of(manifest_toml.as_bytes()),
            code_hash: Sha256Hash::of(&component),
            component,
        })
    }

    /// Reads a package directory holding `manifest.toml` and `agent.wasm`:
    /// regular files only, each within its cap (see [`crate::package_files`]).
    pub fn from_dir(dir: &Path) -> Result<Self, PackageError> {
        let manifest = read_regular(&dir.join(MANIFEST_FILE), MAX_MANIFEST_BYTES)?;
        let manifest = String::from_utf8(manifest).map_err(|_| PackageError::ManifestEncoding)?;
        Self::from_parts(&manifest, read_regular(&dir.join(COMPONENT_FILE), MAX_COMPONENT_FILE_BYTES)?)
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The manifest's text, as read (its hash is [`Self::manifest_hash`]).
    pub fn manifest_text(&self) -> &str {
        &self.manifest_text
    }

    /// SHA-256 of the manifest file's bytes.
    pub fn manifest_hash(&self) -> Sha256Hash {
        self.manifest_hash
    }

    /// SHA-256 of the component bytes: the agent's identity.
    pub fn code_hash(&self) -> Sha256Hash {
        self.code_hash
    }

    /// The component bytes.
    pub fn component(&self) -> &Arc<[u8]> {
        &self.component
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_the_hash_of_the_component() {
        let a = AgentPackage::from_parts("name = \"a\"\nversion = \"1.0.0\"", vec![1, 2, 3]).unwrap();
        let b = AgentPackage::from_parts("name = \"a\"\nversion = \"1.0.0\"", vec![1, 2, 4]).unwrap();
        assert_ne!(a.code_hash(), b.code_hash());
        assert_eq!(a.manifest_hash(), b.manifest_hash());
        assert_eq!(a.code_hash(), Sha256Hash::of(&[1, 2, 3]));
    }

    #[test]
    fn hashes_round_trip_through_hex() {
        let h = Sha256Hash::of(b"x");
        let back = Sha256Hash::try_from(h.to_string()).unwrap();
        assert_eq!(h, back);
        assert!(Sha256Hash::try_from("zz".to_string()).is_err());
    }

    #[test]
    fn missing_files_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = AgentPackage::from_dir(dir.path()).unwrap_err();
        assert!(err.to_string().contains(MANIFEST_FILE), "{err}");
    }

    #[test]
    fn a_linked_manifest_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("token");
        std::fs::write(&secret, "b7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1\n").unwrap();
        let package = dir.path().join("package");
        std::fs::create_dir(&package).unwrap();
        std::os::unix::fs::symlink(&secret, package.join(MANIFEST_FILE)).unwrap();
        std::fs::write(package.join(COMPONENT_FILE), b"\0asm").unwrap();
        let err = AgentPackage::from_dir(&package).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(!err.to_string().contains("b7c1d2e3"), "{err}");
    }
}
