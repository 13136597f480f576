//! Decisions: which secrets a request may carry (`GrantRequest` → `Grant`s), and why not
//! (`Decision`, for audit messages).

use crate::policy::{Injection, Policy, canonical_host};
use crate::{SecretValue, VaultError};
use http::HeaderMap;
use std::sync::Arc;
use url::Url;

/// An outgoing request asking for secrets.
#[derive(Clone, Copy, Debug)]
pub struct GrantRequest<'a> {
    /// The host the request goes to (as in the URL; normalised before matching).
    pub host: &'a str,
    /// The agent's installed name.
    pub agent_name: &'a str,
    /// SHA-256 of the agent's component.
    pub code_hash: [u8; 32],
    /// The secrets the agent's manifest declares; no other secret is ever granted.
    pub secret_names: &'a [String],
    /// Current unix time in seconds (for expiry).
    pub now_unix: u64,
}

/// Permission to inject one secret into one request. Holds the plaintext privately; the only way
/// it leaves is [`Grant::inject`]. `Debug` shows the name and injection form only.
pub struct Grant {
    /// The secret's name.
    pub name: String,
    /// How it is injected.
    pub injection: Injection,
    value: Arc<SecretValue>,
}

impl Grant {
    pub(crate) fn new(name: String, injection: Injection, value: Arc<SecretValue>) -> Grant {
        Grant { name, injection, value }
    }

    /// Writes the secret into the request: a header (marked sensitive, replacing any value of the
    /// same name) or a query parameter (replacing any of the same name).
    pub fn inject(&self, url: &mut Url, headers: &mut HeaderMap) -> Result<(), VaultError> {
        self.injection.apply(&self.name, self.value.expose(), url, headers)
    }
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant").field("name", &self.name).field("injection", &self.injection).finish_non_exhaustive()
    }
}

/// Whether a request may carry a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// It may.
    Allowed,
    /// It may not, for this reason.
    Denied(Denial),
}

/// Why a secret is not granted. Messages never contain the value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    /// The agent's manifest does not declare the secret.
    #[error("the agent's manifest does not declare this secret")]
    NotDeclared,
    /// The vault has no such secret.
    #[error("the vault holds no secret of this name")]
    Unknown,
    /// The request's host is not a valid host name.
    #[error("the request host {host:?} is not a valid host name")]
    InvalidHost {
        /// The host as given.
        host: String,
    },
    /// The policy's host list does not include the request's host.
    #[error("host {host} is not in the secret's policy")]
    HostNotAllowed {
        /// The canonical host.
        host: String,
    },
    /// The policy's agent list does not include the agent.
    #[error("agent {agent:?} (code sha256:{code_hash}) is not in the secret's policy")]
    AgentNotAllowed {
        /// The agent's name.
        agent: String,
        /// Its code hash, hex.
        code_hash: String,
    },
    /// The secret expired.
    #[error("the secret expired at unix time {at}")]
    Expired {
        /// Expiry time.
        at: u64,
    },
    /// The use limit is reached.
    #[error("the secret's use limit of {max} is reached")]
    UsesExhausted {
        /// The limit.
        max: u64,
    },
}

/// Decides for one secret with `policy` and `uses` so far (`None`: no such secret).
pub(crate) fn decide(name: &str, found: Option<(&Policy, u64)>, req: &GrantRequest<'_>) -> Decision {
    let deny = Decision::Denied;
    if !req.secret_names.iter().any(|n| n == name) {
        return deny(Denial::NotDeclared);
    }
    let Some((policy, uses)) = found else { return deny(Denial::Unknown) };
    let host = match canonical_host(req.host) {
        Ok(host) => host,
        Err(_) => return deny(Denial::InvalidHost { host: req.host.to_string() }),
    };
    if !policy.allows_host(&host) {
        return deny(Denial::HostNotAllowed { host });
    }
    if !policy.allows_agent(req.agent_name, &req.code_hash) {
        let code_hash = hex::encode(req.code_hash);
        return deny(Denial::AgentNotAllowed { agent: req.agent_name.to_string(), code_hash });
    }
    if let Some(at) = policy.expires_at
        && req.now_unix >= at
    {
        return deny(Denial::Expired { at });
    }
    if let Some(max) = policy.max_uses
        && uses >= max
    {
        return deny(Denial::UsesExhausted { max });
    }
    Decision::Allowed
}
