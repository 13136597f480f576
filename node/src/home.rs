//! Where a node keeps its files.
//!
//! `--home DIR` (or `$REDOUBT_HOME`) puts everything under one directory.
//! Otherwise the configuration goes under `$XDG_CONFIG_HOME/redoubt` (default
//! `~/.config/redoubt`) and the data under `$XDG_DATA_HOME/redoubt` (default
//! `~/.local/share/redoubt`).
//!
//! Both directories, and everything in them, are for the node's user only:
//! [`Home::secure`] makes them so at `init` and at every start.

use crate::file_modes;
use std::path::{Path, PathBuf};

/// The directories of one node and the files in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    config_dir: PathBuf,
    data_dir: PathBuf,
}

impl Home {
    /// The home chosen by flag, then `$REDOUBT_HOME`, then the XDG defaults.
    pub fn resolve(flag: Option<PathBuf>) -> Home {
        if let Some(dir) = flag.or_else(|| env_path("REDOUBT_HOME")) {
            return Home::at(dir);
        }
        let user = env_path("HOME").unwrap_or_else(|| PathBuf::from("."));
        let config = env_path("XDG_CONFIG_HOME").unwrap_or_else(|| user.join(".config"));
        let data = env_path("XDG_DATA_HOME").unwrap_or_else(|| user.join(".local/share"));
        Home { config_dir: config.join("redoubt"), data_dir: data.join("redoubt") }
    }

    /// Everything under one directory.
    pub fn at(dir: impl Into<PathBuf>) -> Home {
        let dir = dir.into();
        Home { config_dir: dir.clone(), data_dir: dir }
    }

    /// The configuration directory.
    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// `config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// The node's database (agents, jobs, receipts, audit, alerts, key-value store).
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("node.redb")
    }

    /// The encrypted vault.
    pub fn vault(&self) -> PathBuf {
        self.data_dir.join("vault.json")
    }

    /// The vault's master key file (key-file mode only).
    pub fn vault_key(&self) -> PathBuf {
        self.keys_dir().join("vault.key")
    }

    /// Where the node's keys are (mode 0700).
    pub fn keys_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }

    /// The node's ed25519 signing key, in NEAR's key-file format.
    pub fn near_key_file(&self) -> PathBuf {
        self.keys_dir().join("node.json")
    }

    /// The node's X25519 encryption key.
    pub fn x25519_key_file(&self) -> PathBuf {
        self.keys_dir().join("x25519.key")
    }

    /// The API bearer token (mode 0600).
    pub fn api_token(&self) -> PathBuf {
        self.data_dir.join("api-token")
    }

    /// The compiled-component cache.
    pub fn component_cache(&self) -> PathBuf {
        self.data_dir.join("cache").join("components")
    }
}

impl Home {
    /// Makes the node's directories (0700) and database file (0600) if they
    /// are missing, then walks the home and repairs, with a warning each,
    /// every mode that lets a group or others in (see [`file_modes`]).
    pub fn secure(&self) -> std::io::Result<Vec<file_modes::Repair>> {
        for dir in [self.config_dir(), self.data_dir(), self.keys_dir().as_path(), self.component_cache().as_path()] {
            file_modes::create_dir(dir)?;
        }
        file_modes::create_file(&self.database())?;
        let mut repairs = file_modes::repair(&self.data_dir)?;
        if self.config_dir != self.data_dir {
            repairs.extend(file_modes::repair(&self.config_dir)?);
        }
        for repair in &repairs {
            tracing::warn!(
                path = %repair.path.display(),
                was = format!("{:o}", repair.was),
                now = format!("{:o}", repair.now),
                "repaired a mode that let others read the node's files"
            );
        }
        Ok(repairs)
    }
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}
