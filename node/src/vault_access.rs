//! The node's handle on its vault: which master key opens it, and the
//! secret operations the API and CLI offer (values in, never out).
//!
//! The master key comes, in order: from the SEV-SNP firmware's sealing key
//! when the node runs in a guest (bound to the launch measurement); from the
//! key file `redoubt init` wrote (INSECURE: any root user can read it); from
//! a passphrase in `$REDOUBT_VAULT_PASSPHRASE` (INSECURE: not bound to an
//! enclave). The mode is recorded in the vault and shown by `redoubt node`.

use crate::home::Home;
use anyhow::{Context, bail};
use redoubt_attestation::guest::{EvidenceSource, detect};
use redoubt_vault::{KeyMode, LeakDetector, MasterKey, Policy, SecretInfo, SecretValue, Vault, VaultError};
use std::sync::{Arc, Mutex};

/// The environment variable holding the passphrase of a passphrase-mode vault.
pub const PASSPHRASE_VARIABLE: &str = "REDOUBT_VAULT_PASSPHRASE";

/// The vault, shared by the API, the egress gate and the job pipeline.
#[derive(Clone)]
pub struct SharedVault {
    vault: Arc<Mutex<Vault>>,
}

/// How `redoubt init` protects a new vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKey {
    /// The SEV-SNP sealing key (only in a guest).
    Sealed,
    /// A random key in a 0600 file.
    KeyFile,
    /// A passphrase from `$REDOUBT_VAULT_PASSPHRASE` or the terminal.
    Passphrase,
}

impl NewKey {
    /// The strongest mode this machine offers: sealed in a guest, else a key file.
    pub fn best_available() -> NewKey {
        if detect() == EvidenceSource::Dev { NewKey::KeyFile } else { NewKey::Sealed }
    }
}

impl SharedVault {
    /// Creates the vault under `home` with a new master key.
    pub fn create(home: &Home, key: NewKey, passphrase: Option<&[u8]>) -> anyhow::Result<KeyMode> {
        let master = match key {
            NewKey::Sealed => sealed_key()?,
            NewKey::KeyFile => MasterKey::create_key_file(home.vault_key())
                .with_context(|| format!("creating the vault key file {}", home.vault_key().display()))?,
            NewKey::Passphrase => {
                let Some(passphrase) = passphrase else { bail!("a passphrase vault needs a passphrase") };
                MasterKey::from_passphrase(passphrase)?
            }
        };
        let vault = Vault::create(home.vault(), &master)
            .with_context(|| format!("creating the vault {}", home.vault().display()))?;
        Ok(vault.key_mode())
    }

    /// Opens the vault under `home` with whichever key this node has.
    pub fn open(home: &Home) -> anyhow::Result<SharedVault> {
        let master = if home.vault_key().exists() {
            MasterKey::from_key_file(home.vault_key())?
        } else if detect() != EvidenceSource::Dev {
            sealed_key()?
        } else if let Some(passphrase) = std::env::var_os(PASSPHRASE_VARIABLE) {
            MasterKey::from_passphrase(passphrase.as_encoded_bytes())?
        } else {
            bail!(
                "the vault has no key file and this is not a SEV-SNP guest: set {PASSPHRASE_VARIABLE} to its passphrase"
            );
        };
        let vault = Vault::open(home.vault(), &master)
            .with_context(|| format!("opening the vault {}", home.vault().display()))?;
        if vault.key_mode().is_insecure() {
            tracing::warn!(mode = vault.key_mode().label(), "the vault's master key is not sealed to an enclave");
        }
        Ok(SharedVault { vault: Arc::new(Mutex::new(vault)) })
    }

    /// Runs `f` with the vault locked.
    pub fn with<T>(&self, f: impl FnOnce(&mut Vault) -> T) -> T {
        f(&mut crate::node::lock(&self.vault))
    }

    /// The shared handle the egress gate takes.
    pub fn handle(&self) -> Arc<Mutex<Vault>> {
        self.vault.clone()
    }

    /// The key mode.
    pub fn key_mode(&self) -> KeyMode {
        self.with(|v| v.key_mode())
    }

    /// The current leak detector (every secret, every encoding).
    pub fn leak_detector(&self) -> Arc<LeakDetector> {
        self.with(|v| v.leak_detector())
    }

    /// Adds a secret.
    pub fn add(&self, name: &str, value: SecretValue, policy: Policy) -> Result<(), VaultError> {
        self.with(|v| v.add(name, value, policy))
    }

    /// Replaces a secret's value, keeping its policy.
    pub fn rotate(&self, name: &str, value: SecretValue) -> Result<(), VaultError> {
        self.with(|v| v.rotate(name, value))
    }

    /// Removes a secret.
    pub fn remove(&self, name: &str) -> Result<(), VaultError> {
        self.with(|v| v.remove(name))
    }

    /// Writes use counts kept in memory (secrets without a use limit).
    pub fn flush_uses(&self) -> Result<(), VaultError> {
        self.with(|v| v.flush_uses())
    }

    /// Names, policies and use counts (never values).
    pub fn list(&self) -> Vec<SecretInfo> {
        self.with(|v| v.list())
    }
}

fn sealed_key() -> anyhow::Result<MasterKey> {
    let key = redoubt_attestation::sealing_key().context("deriving the SEV-SNP sealing key")?;
    Ok(MasterKey::from_sealing_key(key))
}
