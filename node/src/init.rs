//! `redoubt init`: a new node's directories, `config.toml`, keys (ed25519 in
//! NEAR's format, X25519), vault and master key, and API token. Every
//! directory it makes or finds is 0700 and every file 0600 (see
//! [`Home::secure`]). It refuses to touch a home that already holds a node.

use crate::config::Config;
use crate::file_modes;
use crate::home::Home;
use crate::vault_access::{NewKey, SharedVault};
use anyhow::{Context, bail};
use near_account_id::AccountId;
use near_crypto::{KeyType, SecretKey};
use redoubt_attestation::NodeKeys;
use redoubt_attestation::keys::read_near_credentials;
use serde::Serialize;
use std::path::{Path, PathBuf};
use x25519_dalek::StaticSecret;

/// What `redoubt init` is asked to do.
#[derive(Debug, Default)]
pub struct InitOptions {
    /// Use this NEAR account's key from near-cli's credentials: (account, network).
    pub near_account: Option<(String, String)>,
    /// Where near-cli keeps credentials (default `~/.near-credentials`).
    pub credentials_dir: Option<PathBuf>,
    /// Protect the vault with this passphrase instead of a key file (off SEV hardware).
    pub passphrase: Option<Vec<u8>>,
}

/// What `redoubt init` made.
#[derive(Debug, Serialize)]
pub struct Initialized {
    /// The configuration directory.
    pub config_dir: PathBuf,
    /// The data directory.
    pub data_dir: PathBuf,
    /// The node's NEAR account.
    pub account_id: String,
    /// Its signing key.
    pub public_key: String,
    /// How the vault's master key is kept (with an INSECURE label when it is not sealed).
    pub vault_key_mode: String,
    /// Whether that mode is insecure.
    pub vault_insecure: bool,
    /// The API token file.
    pub api_token_file: PathBuf,
}

/// Initialises a node under `home`.
pub fn init(home: &Home, options: InitOptions) -> anyhow::Result<Initialized> {
    if home.near_key_file().exists() || home.vault().exists() {
        bail!("{} already holds a node; refusing to overwrite its keys or vault", home.data_dir().display());
    }
    home.secure().with_context(|| format!("making {} private to its owner", home.data_dir().display()))?;
    if !home.config_file().exists() {
        let text = format!(
            "# Redoubt node configuration. Every key is optional; shown here with its default.\n\
             # Override any of them with REDOUBT_<SECTION>__<KEY>, e.g. REDOUBT_API__LISTEN.\n\n{}",
            Config::default().to_toml()
        );
        write_private(&home.config_file(), text.as_bytes())?;
    }
    let keys = node_keys(&options)?;
    keys.save(&home.near_key_file(), &home.x25519_key_file())?;
    let new_key = if options.passphrase.is_some() { NewKey::Passphrase } else { NewKey::best_available() };
    let mode = SharedVault::create(home, new_key, options.passphrase.as_deref())?;
    write_private(&home.api_token(), hex::encode(rand::random::<[u8; 32]>()).as_bytes())?;
    Ok(Initialized {
        config_dir: home.config_dir().to_owned(),
        data_dir: home.data_dir().to_owned(),
        account_id: keys.account_id().to_string(),
        public_key: keys.public_key().to_string(),
        vault_key_mode: mode.label().to_owned(),
        vault_insecure: mode.is_insecure(),
        api_token_file: home.api_token(),
    })
}

/// The node's keys: from near-cli credentials, or fresh for an implicit account.
fn node_keys(options: &InitOptions) -> anyhow::Result<NodeKeys> {
    let encryption = StaticSecret::random_from_rng(rand::rngs::OsRng);
    let (account, signing) = match &options.near_account {
        Some((account, network)) => {
            let root = options.credentials_dir.clone().unwrap_or_else(default_credentials_dir);
            let file = root.join(network).join(format!("{account}.json"));
            let (account_id, key) = read_near_credentials(&file)
                .with_context(|| format!("reading {account}'s key from {}", file.display()))?;
            if account_id.as_str() != account {
                bail!("{} holds the key of {account_id}, not {account}", file.display());
            }
            (account_id, key)
        }
        None => {
            let key = SecretKey::from_random(KeyType::ED25519);
            let implicit = hex::encode(key.public_key().key_data());
            (implicit.parse::<AccountId>().context("an implicit account id")?, key)
        }
    };
    NodeKeys::from_parts(account, signing, encryption).map_err(anyhow::Error::msg)
}

fn default_credentials_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".near-credentials")
}

/// Writes a new file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    file_modes::write_new(path, bytes).with_context(|| format!("creating {}", path.display()))
}
