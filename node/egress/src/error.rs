//! `GateError`: a block (a policy decision, reported to the node's `BlockSink`), an upstream
//! failure (the request was allowed but the network or the server failed), or a vault failure.
//! No message holds a secret value.

use crate::block::Blocked;
use redoubt_vault::VaultError;

/// Why `Gate::fetch` returned no response.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The gate refused (see [`Blocked`]); the node has been told through its `BlockSink`.
    #[error(transparent)]
    Blocked(#[from] Blocked),
    /// The request was allowed but could not be completed: connection refused or reset, TLS
    /// handshake or certificate failure, a malformed response.
    #[error("egress: request to {host} failed: {why}")]
    Upstream {
        /// The host.
        host: String,
        /// What failed.
        why: String,
    },
    /// The vault could not be read or could not grant (for example two granted secrets with the
    /// same injection target, a tampered vault file). The request was not sent.
    #[error("egress: {0}")]
    Vault(#[from] VaultError),
    /// A failure of the gate itself (a background task died, the TLS configuration was refused).
    #[error("egress: internal error: {0}")]
    Internal(String),
}

impl GateError {
    /// The block, if this is one.
    pub fn blocked(&self) -> Option<&Blocked> {
        match self {
            GateError::Blocked(blocked) => Some(blocked),
            _ => None,
        }
    }
}
