//! `Policy`: where a secret may go, which agents may use it, how it is injected, until when, and
//! how many times.

mod agent;
mod host;
mod inject;

pub use agent::AgentMatcher;
pub use host::HostPattern;
pub(crate) use host::canonical_host;
pub use inject::{Injection, InjectionTarget, PLACEHOLDER};

use crate::VaultError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The rules attached to one secret. Everything not allowed is refused:
/// an empty `hosts` list allows no host and an empty `agents` list allows no agent (fail closed),
/// so a secret with either list empty is never granted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Hosts the secret may be sent to (exact or `*.suffix`). Empty: none.
    pub hosts: Vec<HostPattern>,
    /// Agents that may use the secret (by name or code hash). Empty: none.
    pub agents: Vec<AgentMatcher>,
    /// How the secret is placed into a request.
    pub inject: Injection,
    /// Unix time (seconds) from which the secret is no longer granted.
    #[serde(default)]
    pub expires_at: Option<u64>,
    /// How many requests may carry the secret in total.
    #[serde(default)]
    pub max_uses: Option<u64>,
    /// Whether an agent that receives the secret back from a host (a reflection the egress gate
    /// refused), or re-encodes it into a request, loses its grant: every matcher naming it is
    /// removed from `agents`. Omitted from the canonical encoding when off, so policies written
    /// before the option existed keep their hash.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoke_on_reflection: bool,
}

impl Policy {
    /// A policy with no expiry and no use limit.
    pub fn new(hosts: Vec<HostPattern>, agents: Vec<AgentMatcher>, inject: Injection) -> Policy {
        Policy { hosts, agents, inject, expires_at: None, max_uses: None, revoke_on_reflection: false }
    }

    /// Checks every part is well formed (host patterns are checked when they are built).
    pub fn validate(&self) -> Result<(), VaultError> {
        self.agents.iter().try_for_each(AgentMatcher::validate)?;
        self.inject.validate()
    }

    /// The canonical encoding (compact JSON of the normalised policy, fields in declaration order).
    pub fn canonical_encoding(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a policy always serializes")
    }

    /// SHA-256 of the canonical encoding: bound into the secret's AEAD associated data.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.canonical_encoding()).into()
    }

    /// Whether the canonical `host` matches one of the patterns.
    pub(crate) fn allows_host(&self, canonical: &str) -> bool {
        self.hosts.iter().any(|p| p.matches_canonical(canonical))
    }

    /// The same policy without any matcher of the agent `name` with `code_hash` (its grant revoked).
    pub fn without_agent(&self, name: &str, code_hash: &[u8; 32]) -> Policy {
        let agents = self.agents.iter().filter(|a| !a.matches(name, code_hash)).cloned().collect();
        Policy { agents, ..self.clone() }
    }

    /// Whether the agent matches one of the matchers.
    pub(crate) fn allows_agent(&self, name: &str, code_hash: &[u8; 32]) -> bool {
        self.agents.iter().any(|a| a.matches(name, code_hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::new(
            vec![HostPattern::parse("api.example.com").unwrap()],
            vec![AgentMatcher::Name("bot".into())],
            Injection::Bearer,
        )
    }

    #[test]
    fn canonical_encoding_is_stable_and_sensitive_to_every_field() {
        let base = policy();
        let json = String::from_utf8(base.canonical_encoding()).unwrap();
        assert_eq!(
            json,
            r#"{"hosts":["api.example.com"],"agents":["name:bot"],"inject":{"kind":"bearer"},"expires_at":null,"max_uses":null}"#
        );
        let reparsed: Policy = serde_json::from_str(&format!(" {json} ")).unwrap();
        assert_eq!(reparsed.hash(), base.hash());
        let mut other = base.clone();
        other.max_uses = Some(1);
        assert_ne!(other.hash(), base.hash());
        let mut other = base.clone();
        other.hosts.push(HostPattern::parse("*.example.com").unwrap());
        assert_ne!(other.hash(), base.hash());
    }

    #[test]
    fn the_revocation_option_keeps_old_hashes_and_revokes_by_name_and_hash() {
        let base = policy();
        let mut revoking = base.clone();
        revoking.revoke_on_reflection = true;
        assert_ne!(revoking.hash(), base.hash());
        assert!(!String::from_utf8(base.canonical_encoding()).unwrap().contains("revoke"));
        let mut both = revoking.clone();
        both.agents.push(AgentMatcher::CodeHash([7; 32]));
        both.agents.push(AgentMatcher::Name("other".into()));
        let left = both.without_agent("bot", &[7; 32]);
        assert_eq!(left.agents, vec![AgentMatcher::Name("other".into())]);
        assert!(left.revoke_on_reflection && left.hosts == both.hosts);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let json = r#"{"hosts":[],"agents":[],"inject":{"kind":"bearer"},"allow_all":true}"#;
        assert!(serde_json::from_str::<Policy>(json).is_err());
    }

    #[test]
    fn empty_lists_allow_nothing() {
        let p = Policy::new(vec![], vec![], Injection::Bearer);
        assert!(!p.allows_host("api.example.com"));
        assert!(!p.allows_agent("bot", &[0; 32]));
    }
}
