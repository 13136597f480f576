//! Node keys: the ed25519 signing key in NEAR's format and the X25519 encryption key, with their
//! files (NEAR key-file JSON and a Redoubt X25519 JSON, both mode 0600), and near-cli credentials.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey};
use near_account_id::AccountId;
use near_crypto::{KeyType, PublicKey, SecretKey, Signature};
use serde::{Deserialize, Serialize};
use x25519_dalek::StaticSecret;
use zeroize::{Zeroize, Zeroizing};

use crate::evidence::BoundKeys;

/// Why a key could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file's content is not the expected JSON or key encoding.
    #[error("{path}: {reason}")]
    Format {
        /// File.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A secret key file is readable by group or others.
    #[error("{path}: secret key file has mode {mode:o}; it must be readable by its owner only (0600)")]
    Permissions {
        /// File.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
}

/// The node's identity: NEAR account, ed25519 signing key and X25519 encryption key.
#[derive(Clone)]
pub struct NodeKeys {
    account_id: AccountId,
    signing: SecretKey,
    /// The same ed25519 key, checked once and kept ready to sign.
    signer: SigningKey,
    encryption: StaticSecret,
}

impl NodeKeys {
    /// Fresh random keys for an account.
    pub fn generate(account_id: AccountId) -> NodeKeys {
        let signing = SecretKey::from_random(KeyType::ED25519);
        let encryption = StaticSecret::random_from_rng(rand::rngs::OsRng);
        NodeKeys::from_parts(account_id, signing, encryption).expect("a fresh ed25519 key is consistent")
    }

    /// Keys from parts; the signing key must be ed25519, and its public half must be the one its
    /// secret half derives.
    pub fn from_parts(account_id: AccountId, signing: SecretKey, encryption: StaticSecret) -> Result<NodeKeys, String> {
        let SecretKey::ED25519(pair) = &signing else {
            return Err(format!("node signing key must be ed25519, not {}", signing.key_type()));
        };
        let signer = SigningKey::from_keypair_bytes(&pair.0)
            .map_err(|_| "node signing key: its public half does not match its secret half".to_string())?;
        Ok(NodeKeys { account_id, signing, signer, encryption })
    }

    /// The NEAR account the node acts as.
    pub fn account_id(&self) -> &AccountId {
        &self.account_id
    }

    /// The ed25519 public key (`ed25519:<base58>`).
    pub fn public_key(&self) -> PublicKey {
        self.signing.public_key()
    }

    /// The raw 32-byte ed25519 public key.
    pub fn ed25519_public(&self) -> [u8; 32] {
        self.signing.public_key().unwrap_as_ed25519().0
    }

    /// The X25519 public key.
    pub fn x25519_public(&self) -> [u8; 32] {
        x25519_dalek::PublicKey::from(&self.encryption).to_bytes()
    }

    /// The X25519 secret (for decrypting what clients seal to the node).
    pub fn x25519_secret(&self) -> &StaticSecret {
        &self.encryption
    }

    /// Sign bytes with the ed25519 key (NEAR signature format).
    pub fn sign(&self, data: &[u8]) -> Signature {
        Signature::ED25519(self.signer.sign(data))
    }

    /// The keys and nonce to bind into evidence.
    pub fn bound(&self, nonce: Option<&[u8]>) -> BoundKeys {
        BoundKeys {
            ed25519_public_key: self.public_key(),
            x25519_public_key: self.x25519_public(),
            nonce: nonce.map(<[u8]>::to_vec),
        }
    }

    /// Write the NEAR key file and the X25519 key file (both 0600).
    pub fn save(&self, near_key_file: &Path, x25519_key_file: &Path) -> Result<(), KeyError> {
        write_near_key_file(near_key_file, &self.account_id, &self.signing)?;
        write_x25519_key_file(x25519_key_file, &self.encryption)
    }

    /// Read both key files written by [`NodeKeys::save`].
    pub fn load(near_key_file: &Path, x25519_key_file: &Path) -> Result<NodeKeys, KeyError> {
        let (account_id, signing) = read_near_key_file(near_key_file)?;
        let encryption = read_x25519_key_file(x25519_key_file)?;
        NodeKeys::from_parts(account_id, signing, encryption)
            .map_err(|reason| KeyError::Format { path: near_key_file.to_owned(), reason })
    }
}

/// NEAR's key-file JSON (`private_key`; `secret_key` accepted as neard writes it).
#[derive(Serialize, Deserialize)]
struct NearKeyFile {
    account_id: AccountId,
    public_key: PublicKey,
    #[serde(alias = "secret_key")]
    private_key: SecretKey,
}

/// A near-cli credentials file: account id optional (near-cli-rs omits it), extra fields ignored.
#[derive(Deserialize)]
struct NearCredentials {
    account_id: Option<AccountId>,
    public_key: PublicKey,
    private_key: SecretKey,
}

/// The X25519 key file: `{"kind": "redoubt-x25519-v1", "public_key": hex, "secret_key": hex}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct X25519KeyFile {
    kind: String,
    #[serde(with = "hex::serde")]
    public_key: [u8; 32],
    secret_key: String,
}

impl Drop for X25519KeyFile {
    fn drop(&mut self) {
        self.secret_key.zeroize();
    }
}

const X25519_KIND: &str = "redoubt-x25519-v1";

/// Write a NEAR key file `{"account_id", "public_key", "private_key"}` with mode 0600.
pub fn write_near_key_file(path: &Path, account_id: &AccountId, key: &SecretKey) -> Result<(), KeyError> {
    let file = NearKeyFile { account_id: account_id.clone(), public_key: key.public_key(), private_key: key.clone() };
    write_secret(path, &Zeroizing::new(serde_json::to_vec_pretty(&file).expect("key JSON serializes")))
}

/// Read a NEAR key file; the public key must match the private key and the file must be 0600.
pub fn read_near_key_file(path: &Path) -> Result<(AccountId, SecretKey), KeyError> {
    let text = read_secret(path)?;
    let file: NearKeyFile = serde_json::from_slice(&text).map_err(|e| format_error(path, e.to_string()))?;
    check_pair(path, &file.public_key, &file.private_key)?;
    Ok((file.account_id, file.private_key))
}

/// Read a near-cli credentials file (`~/.near-credentials/NET/ACCOUNT.json`). The account id is the
/// file's `account_id` field, or its file name without `.json` (near-cli-rs omits the field).
pub fn read_near_credentials(path: &Path) -> Result<(AccountId, SecretKey), KeyError> {
    let text = fs::read(path).map(Zeroizing::new).map_err(|source| KeyError::Io { path: path.to_owned(), source })?;
    let file: NearCredentials = serde_json::from_slice(&text).map_err(|e| format_error(path, e.to_string()))?;
    check_pair(path, &file.public_key, &file.private_key)?;
    let account_id =
        match file.account_id {
            Some(id) => id,
            None => path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse().ok()).ok_or_else(|| {
                format_error(path, "no account_id field and the file name is not an account id".into())
            })?,
        };
    Ok((account_id, file.private_key))
}

/// Write the X25519 key file (mode 0600).
pub fn write_x25519_key_file(path: &Path, secret: &StaticSecret) -> Result<(), KeyError> {
    let file = X25519KeyFile {
        kind: X25519_KIND.to_owned(),
        public_key: x25519_dalek::PublicKey::from(secret).to_bytes(),
        secret_key: hex::encode(secret.as_bytes()),
    };
    write_secret(path, &Zeroizing::new(serde_json::to_vec_pretty(&file).expect("key JSON serializes")))
}

/// Read the X25519 key file; the public key must match and the file must be 0600.
pub fn read_x25519_key_file(path: &Path) -> Result<StaticSecret, KeyError> {
    let text = read_secret(path)?;
    let file: X25519KeyFile = serde_json::from_slice(&text).map_err(|e| format_error(path, e.to_string()))?;
    if file.kind != X25519_KIND {
        return Err(format_error(path, format!("kind is {:?}, expected {X25519_KIND:?}", file.kind)));
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(file.secret_key.as_str(), bytes.as_mut_slice())
        .map_err(|e| format_error(path, format!("secret_key: {e}")))?;
    let secret = StaticSecret::from(*bytes);
    if x25519_dalek::PublicKey::from(&secret).to_bytes() != file.public_key {
        return Err(format_error(path, "public_key does not match secret_key".into()));
    }
    Ok(secret)
}

fn check_pair(path: &Path, public: &PublicKey, secret: &SecretKey) -> Result<(), KeyError> {
    if !matches!(secret.key_type(), KeyType::ED25519) {
        return Err(format_error(path, format!("key type {} is not ed25519", secret.key_type())));
    }
    if &secret.public_key() != public {
        return Err(format_error(path, "public_key does not match private_key".into()));
    }
    Ok(())
}

/// Create or replace a file readable by its owner only, then write it.
fn write_secret(path: &Path, data: &[u8]) -> Result<(), KeyError> {
    let io = |source| KeyError::Io { path: path.to_owned(), source };
    let mut file = OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path).map_err(io)?;
    // An existing file keeps its old mode on open: tighten it before writing the secret.
    file.set_permissions(fs::Permissions::from_mode(0o600)).map_err(io)?;
    file.write_all(data).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Read a secret file after checking (on the opened file, so it cannot be swapped in between)
/// that group and others cannot read it.
fn read_secret(path: &Path) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let io = |source| KeyError::Io { path: path.to_owned(), source };
    let mut file = fs::File::open(path).map_err(io)?;
    let mode = file.metadata().map_err(io)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions { path: path.to_owned(), mode });
    }
    let mut data = Zeroizing::new(Vec::new());
    file.read_to_end(&mut data).map_err(io)?;
    Ok(data)
}

fn format_error(path: &Path, reason: String) -> KeyError {
    KeyError::Format { path: path.to_owned(), reason }
}
