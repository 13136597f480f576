//! The vault file format, version 1: one JSON document, written pretty-printed.
//!
//! ```json
//! {
//!   "format": "redoubt-vault",
//!   "version": 1,
//!   "vault_id": "<16 bytes hex>",          // random; HKDF salt for every derived key
//!   "key_mode": "sev-sealed" | "key-file" | "passphrase",
//!   "kdf": null | { "algorithm": "argon2id", "argon2_version": 19, "memory_kib": 65536,
//!                   "iterations": 3, "parallelism": 1, "salt": "<16 bytes hex>" },
//!   "key_check": "<32 bytes hex>",         // HKDF output: tells a wrong key apart, first
//!   "generation": 7,                        // +1 per write
//!   "entries": [ {
//!       "id": "<16 bytes hex>",             // random, fixed for the secret's life
//!       "name": "OPENAI_KEY", "uses": 3, "created_at": 1767225600, "rotated_at": null,
//!       "policy": { "hosts": [..], "agents": [..], "inject": {..}, "expires_at": null, "max_uses": null },
//!       "nonce": "<12 bytes hex>",
//!       "ciphertext": "<base64 of AES-256-GCM ciphertext and tag>"
//!   } ],
//!   "mac": "<32 bytes hex>"
//! }
//! ```
//!
//! Two layers of authentication, so that every edit is caught and the error says where:
//! - `mac` is HMAC-SHA256 (key derived from the master key) over the canonical encoding of the
//!   metadata: format, version, vault id, key mode, kdf record, key check, generation, and for each
//!   entry in order its id, name, use count and timestamps. Editing a counter, renaming, adding or
//!   deleting an entry fails here.
//! - each entry's ciphertext is AES-256-GCM under that secret's own key with associated data binding
//!   its id, name and the SHA-256 of its canonical policy. Editing a policy or moving a ciphertext
//!   or nonce to another entry fails for that secret, by name.

use crate::crypto::Keys;
use crate::{KdfParams, KeyMode, Policy, VaultError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::path::Path;

/// The `format` field's value.
pub(crate) const FORMAT: &str = "redoubt-vault";
/// The version this build reads and writes.
pub(crate) const VERSION: u32 = 1;
/// Argon2 version 1.3.
const ARGON2_VERSION: u32 = 0x13;

/// Fixed-size bytes stored as lowercase hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Hex<const N: usize>(pub(crate) [u8; N]);

impl<const N: usize> Serialize for Hex<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de, const N: usize> Deserialize<'de> for Hex<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let mut out = [0u8; N];
        hex::decode_to_slice(&text, &mut out)
            .map_err(|_| serde::de::Error::custom(format!("expected {N} bytes as {} hex digits", 2 * N)))?;
        Ok(Hex(out))
    }
}

/// Bytes stored as standard padded base64.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Base64(pub(crate) Vec<u8>);

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map(Base64).map_err(|_| serde::de::Error::custom("invalid base64"))
    }
}

/// The passphrase mode's Argon2id record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KdfRecord {
    algorithm: String,
    argon2_version: u32,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    pub(crate) salt: Hex<16>,
}

impl KdfRecord {
    pub(crate) fn new(params: KdfParams, salt: [u8; 16]) -> KdfRecord {
        KdfRecord {
            algorithm: "argon2id".to_string(),
            argon2_version: ARGON2_VERSION,
            memory_kib: params.memory_kib,
            iterations: params.iterations,
            parallelism: params.parallelism,
            salt: Hex(salt),
        }
    }

    /// The parameters, after checking the algorithm is the one this build implements.
    pub(crate) fn params(&self) -> Result<KdfParams, VaultError> {
        if self.algorithm != "argon2id" || self.argon2_version != ARGON2_VERSION {
            return Err(VaultError::KdfParams(format!(
                "unsupported key derivation {} version {}",
                self.algorithm, self.argon2_version
            )));
        }
        Ok(KdfParams { memory_kib: self.memory_kib, iterations: self.iterations, parallelism: self.parallelism })
    }
}

/// One secret as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryRecord {
    pub(crate) id: Hex<16>,
    pub(crate) name: String,
    pub(crate) uses: u64,
    pub(crate) created_at: u64,
    pub(crate) rotated_at: Option<u64>,
    pub(crate) policy: Policy,
    pub(crate) nonce: Hex<12>,
    pub(crate) ciphertext: Base64,
}

/// The whole file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VaultFile {
    pub(crate) format: String,
    pub(crate) version: u32,
    pub(crate) vault_id: Hex<16>,
    pub(crate) key_mode: KeyMode,
    pub(crate) kdf: Option<KdfRecord>,
    pub(crate) key_check: Hex<32>,
    pub(crate) generation: u64,
    pub(crate) entries: Vec<EntryRecord>,
    pub(crate) mac: Hex<32>,
}

/// What the MAC covers, in this order; serialized as compact JSON.
#[derive(Serialize)]
struct Metadata<'a> {
    domain: &'static str,
    format: &'a str,
    version: u32,
    vault_id: &'a Hex<16>,
    key_mode: KeyMode,
    kdf: &'a Option<KdfRecord>,
    key_check: &'a Hex<32>,
    generation: u64,
    entries: Vec<EntryMetadata<'a>>,
}

#[derive(Serialize)]
struct EntryMetadata<'a> {
    id: &'a Hex<16>,
    name: &'a str,
    uses: u64,
    created_at: u64,
    rotated_at: Option<u64>,
}

/// The first two fields, read before the rest so a newer format gets a clear error.
#[derive(Deserialize)]
struct Probe {
    format: Option<String>,
    version: Option<u32>,
}

impl VaultFile {
    /// Parses a vault file, checking format and version before the structure.
    pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<VaultFile, VaultError> {
        let corrupt = |reason: String| VaultError::Corrupt { path: path.to_path_buf(), reason };
        let probe: Probe = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        if probe.format.as_deref() != Some(FORMAT) {
            return Err(corrupt(format!("the \"format\" field is not {FORMAT:?}")));
        }
        match probe.version {
            Some(VERSION) => {}
            Some(found) => return Err(VaultError::UnsupportedVersion { found, supported: VERSION }),
            None => return Err(corrupt("the \"version\" field is missing".to_string())),
        }
        serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))
    }

    /// The canonical encoding of the authenticated metadata.
    pub(crate) fn metadata(&self) -> Vec<u8> {
        let entries = self
            .entries
            .iter()
            .map(|e| EntryMetadata {
                id: &e.id,
                name: &e.name,
                uses: e.uses,
                created_at: e.created_at,
                rotated_at: e.rotated_at,
            })
            .collect();
        let metadata = Metadata {
            domain: "redoubt-vault/v1/metadata",
            format: &self.format,
            version: self.version,
            vault_id: &self.vault_id,
            key_mode: self.key_mode,
            kdf: &self.kdf,
            key_check: &self.key_check,
            generation: self.generation,
            entries,
        };
        serde_json::to_vec(&metadata).expect("metadata always serializes")
    }

    /// Sets `mac` for the current content.
    pub(crate) fn seal(&mut self, keys: &Keys) {
        self.mac = Hex(keys.mac(&self.metadata()));
    }

    /// The file's bytes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a vault file always serializes");
        bytes.push(b'\n');
        bytes
    }
}
