//! `AgentMatcher`: which agents may use a secret, by installed name or by code hash.

use crate::VaultError;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// One agent a secret may be used by. Serialized as `"name:<agent-name>"` or `"sha256:<64 hex>"`.
///
/// A name is the agent's manifest name as installed on this node (`[a-z0-9-]`, 1 to 64
/// characters): it follows upgrades of that agent. A code hash pins one exact build.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AgentMatcher {
    /// The agent installed under this name.
    Name(String),
    /// The agent whose component has this SHA-256.
    CodeHash([u8; 32]),
}

impl AgentMatcher {
    /// Parses `name:<agent>` or `sha256:<hex>`.
    pub fn parse(s: &str) -> Result<AgentMatcher, VaultError> {
        let matcher = if let Some(name) = s.strip_prefix("name:") {
            AgentMatcher::Name(name.to_string())
        } else if let Some(hex) = s.strip_prefix("sha256:") {
            let mut hash = [0u8; 32];
            if hex.len() != 64 || hex::decode_to_slice(hex, &mut hash).is_err() {
                return Err(VaultError::InvalidPolicy(format!("agent {s:?}: sha256: needs 64 hex digits")));
            }
            AgentMatcher::CodeHash(hash)
        } else {
            return Err(VaultError::InvalidPolicy(format!("agent {s:?}: use name:<agent> or sha256:<hex>")));
        };
        matcher.validate()?;
        Ok(matcher)
    }

    /// Checks a name follows the manifest's agent-name rule.
    pub fn validate(&self) -> Result<(), VaultError> {
        match self {
            AgentMatcher::Name(name) => {
                let ok = (1..=64).contains(&name.len())
                    && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if ok {
                    Ok(())
                } else {
                    Err(VaultError::InvalidPolicy(format!("agent name {name:?}: use 1 to 64 characters of [a-z0-9-]")))
                }
            }
            AgentMatcher::CodeHash(_) => Ok(()),
        }
    }

    /// Whether the agent `name` with component hash `code_hash` is this one.
    pub fn matches(&self, name: &str, code_hash: &[u8; 32]) -> bool {
        match self {
            AgentMatcher::Name(n) => n == name,
            AgentMatcher::CodeHash(h) => bool::from(h.ct_eq(code_hash)),
        }
    }
}

impl std::fmt::Display for AgentMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgentMatcher::Name(name) => write!(f, "name:{name}"),
            AgentMatcher::CodeHash(hash) => write!(f, "sha256:{}", hex::encode(hash)),
        }
    }
}

impl TryFrom<String> for AgentMatcher {
    type Error = VaultError;
    fn try_from(s: String) -> Result<Self, VaultError> {
        AgentMatcher::parse(&s)
    }
}

impl From<AgentMatcher> for String {
    fn from(a: AgentMatcher) -> String {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_both_forms() {
        let n = AgentMatcher::parse("name:weather-bot").unwrap();
        assert_eq!(n, AgentMatcher::Name("weather-bot".into()));
        let h = AgentMatcher::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
        assert_eq!(h, AgentMatcher::CodeHash([0xab; 32]));
        assert_eq!(h.to_string(), format!("sha256:{}", "ab".repeat(32)));
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"name:weather-bot\"");
    }

    #[test]
    fn refuses_malformed_matchers() {
        for bad in [
            "weather-bot",
            "name:",
            "name:Weather",
            "name:a b",
            "sha256:abcd",
            "sha256:",
            &format!("sha256:{}", "zz".repeat(32)),
        ] {
            assert!(AgentMatcher::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn matches_by_name_or_hash_only() {
        let n = AgentMatcher::Name("bot".into());
        assert!(n.matches("bot", &[0; 32]));
        assert!(!n.matches("bot2", &[0; 32]));
        let h = AgentMatcher::CodeHash([7; 32]);
        assert!(h.matches("anything", &[7; 32]));
        let mut other = [7; 32];
        other[31] = 8;
        assert!(!h.matches("anything", &other));
    }
}
