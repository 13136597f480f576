//! `VaultError`: every way a vault operation can fail. No message ever contains a secret value.

use crate::KeyMode;
use std::path::PathBuf;

/// Every way a vault operation can fail.
///
/// Messages name files, secrets (by name), policies and reasons; they never contain a secret value,
/// a key, or bytes derived from either.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// A file system operation failed.
    #[error("vault: cannot {op} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "rename", ...).
        op: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// `Vault::open` was given a path where no vault exists.
    #[error("vault: no vault at {0} (create one first)")]
    Missing(PathBuf),
    /// `Vault::create` was given a path that already exists.
    #[error("vault: {0} already exists; refusing to overwrite it")]
    AlreadyExists(PathBuf),
    /// The vault file is not a well-formed vault (truncated, garbage, or structurally invalid).
    #[error("vault: {path} is not a valid vault file: {reason}")]
    Corrupt {
        /// The vault file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The vault file was written by a format version this build does not read.
    #[error("vault: file format version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads and writes.
        supported: u32,
    },
    /// The master key's mode differs from the mode recorded in the vault file.
    #[error("vault: the vault was created with a {vault} master key but was opened with a {key} key")]
    KeyModeMismatch {
        /// Mode recorded in the vault file.
        vault: KeyMode,
        /// Mode of the key given to `open`.
        key: KeyMode,
    },
    /// The master key (or passphrase) does not open this vault. Detected before any secret is touched.
    #[error("vault: wrong master key or passphrase for this vault")]
    WrongKey,
    /// The key is right but the file's authenticated metadata (names, counters, entry list, header)
    /// was changed outside the vault.
    #[error("vault: the vault file's metadata was modified outside the vault (authentication failed)")]
    MetadataTampered,
    /// One secret's ciphertext, nonce or policy was changed or moved outside the vault.
    #[error("vault: secret {name:?} failed authentication: its ciphertext or policy was modified or moved")]
    SecretTampered {
        /// The secret's name.
        name: String,
    },
    /// The file changed on disk into a different vault (another id, key mode or key parameters).
    #[error("vault: {path} was replaced by a different vault while open; reopen it explicitly")]
    Replaced {
        /// The vault file.
        path: PathBuf,
    },
    /// The file on disk is an older version of this vault than the one already read: someone put
    /// back an old copy (which would, for one, reset use counts).
    #[error("vault: the vault file was rolled back to generation {found} (this process has seen {expected})")]
    RolledBack {
        /// Generation now in the file.
        found: u64,
        /// Generation this process last read or wrote.
        expected: u64,
    },
    /// A key file is readable or writable by group or others.
    #[error("vault: key file {path} has mode {mode:04o}; it must be private to its owner (chmod 600)")]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A key file does not hold exactly 32 bytes.
    #[error("vault: key file {path} holds {len} bytes; a master key file holds exactly 32")]
    KeyFileLength {
        /// The key file.
        path: PathBuf,
        /// Its length.
        len: u64,
    },
    /// `MasterKey::create_key_file` refuses to overwrite an existing file.
    #[error("vault: key file {0} already exists; refusing to overwrite it")]
    KeyFileExists(PathBuf),
    /// Argon2id parameters are outside the accepted range, or weaker than the caller requires.
    #[error("vault: passphrase key parameters rejected: {0}")]
    KdfParams(String),
    /// An empty passphrase.
    #[error("vault: the passphrase is empty")]
    EmptyPassphrase,
    /// A secret name breaks the naming rule.
    #[error("vault: secret name {0:?} is invalid: use 1 to 128 characters of [A-Za-z0-9_.-]")]
    InvalidName(String),
    /// `add` was given a name already in the vault.
    #[error("vault: a secret named {0:?} already exists (use rotate to change its value)")]
    DuplicateName(String),
    /// The named secret is not in the vault.
    #[error("vault: no secret named {0:?}")]
    UnknownSecret(String),
    /// A secret value is too short or too long.
    #[error(
        "vault: the value for {name:?} is {len} bytes; values must be {min} to {max} bytes \
         (a shorter secret cannot be scanned for safely: its encodings would match ordinary text, \
         so leaks could not be told from noise, and it is too short to resist guessing)"
    )]
    ValueLength {
        /// The secret's name.
        name: String,
        /// The value's length.
        len: usize,
        /// Minimum length.
        min: usize,
        /// Maximum length.
        max: usize,
    },
    /// A policy is malformed (host pattern, agent matcher, or injection form).
    #[error("vault: invalid policy: {0}")]
    InvalidPolicy(String),
    /// Two secrets granted for the same request would be injected into the same place.
    #[error("vault: secrets {first:?} and {second:?} would both be injected into {target}; fix their policies")]
    InjectionConflict {
        /// The first secret.
        first: String,
        /// The second secret.
        second: String,
        /// Where both would go (a header or query parameter).
        target: String,
    },
    /// The secret cannot be injected in the form its policy asks for.
    #[error("vault: cannot inject {name:?}: {reason}")]
    Injection {
        /// The secret's name.
        name: String,
        /// Why (never the value).
        reason: &'static str,
    },
    /// The leak detector could not be built.
    #[error("vault: cannot build the leak detector: {0}")]
    Detector(String),
    /// The operating system's random generator or a cipher failed.
    #[error("vault: cryptographic failure: {0}")]
    Crypto(&'static str),
}

impl VaultError {
    /// An `Io` error for `op` on `path`.
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        VaultError::Io { op, path: path.into(), source }
    }
}
