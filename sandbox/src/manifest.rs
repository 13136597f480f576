//! The agent manifest: who the agent is, which capabilities it asks for, and its limits.

use crate::limits::RequestedLimits;
use serde::{Deserialize, Serialize};

/// The TOML manifest shipped with every agent component (see docs/AGENTS.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Agent name: `[a-z0-9-]`, 1 to 64 characters.
    pub name: String,
    /// Semantic version of the agent.
    pub version: String,
    /// What the agent does, for people.
    #[serde(default)]
    pub description: String,
    /// Capability tags the agent offers: what other agents (and the market)
    /// can hire it for, e.g. `summarize`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the agent may ask of the host.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// Limits the agent asks for; omitted ones take the operator's defaults.
    #[serde(default)]
    pub limits: RequestedLimits,
}

/// The capabilities an agent asks for. Each unlocks one host interface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Hosts `http.fetch` may reach: an exact host name or `*.suffix`.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Vault secrets the host may inject into this agent's requests, by name.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// May call `llm.complete`.
    #[serde(default)]
    pub llm: bool,
    /// May use the agent-scoped key-value store.
    #[serde(default)]
    pub kv: bool,
    /// May hire other agents, spending at most this many micro-units per job.
    #[serde(default)]
    pub delegate_budget_micros: u64,
    /// Sees a real clock (otherwise a clock frozen at zero).
    #[serde(default)]
    pub clock: bool,
    /// Gets real randomness (otherwise a fixed-seed generator).
    #[serde(default)]
    pub random: bool,
}

/// One host interface of the `redoubt:agent` world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interface {
    /// `redoubt:agent/http`
    Http,
    /// `redoubt:agent/llm`
    Llm,
    /// `redoubt:agent/log`
    Log,
    /// `redoubt:agent/kv`
    Kv,
    /// `redoubt:agent/delegate`
    Delegate,
    /// `redoubt:agent/types` (types only; always available)
    Types,
}

impl Interface {
    /// Every interface of the world.
    pub const ALL: [Interface; 6] =
        [Interface::Http, Interface::Llm, Interface::Log, Interface::Kv, Interface::Delegate, Interface::Types];

    /// The interface's name within the package, e.g. `http`.
    pub fn name(self) -> &'static str {
        match self {
            Interface::Http => "http",
            Interface::Llm => "llm",
            Interface::Log => "log",
            Interface::Kv => "kv",
            Interface::Delegate => "delegate",
            Interface::Types => "types",
        }
    }

    /// Parses a component import name such as `redoubt:agent/http@0.1.0`.
    /// `None` when the name is not an interface of this world.
    pub fn from_import_name(import: &str) -> Option<Self> {
        let rest = import.strip_prefix(crate::WIT_PACKAGE)?.strip_prefix('/')?;
        let (name, version) = rest.split_once('@')?;
        if version != crate::WIT_VERSION {
            return None;
        }
        Interface::ALL.into_iter().find(|i| i.name() == name)
    }

    /// The manifest capability that unlocks this interface.
    pub fn capability(self) -> &'static str {
        match self {
            Interface::Http => "capabilities.hosts",
            Interface::Llm => "capabilities.llm",
            Interface::Kv => "capabilities.kv",
            Interface::Delegate => "capabilities.delegate_budget_micros",
            Interface::Log | Interface::Types => "none (always available)",
        }
    }
}

impl Capabilities {
    /// Whether these capabilities unlock `interface`.
    pub fn allows(&self, interface: Interface) -> bool {
        match interface {
            Interface::Http => !self.hosts.is_empty(),
            Interface::Llm => self.llm,
            Interface::Kv => self.kv,
            Interface::Delegate => self.delegate_budget_micros > 0,
            Interface::Log | Interface::Types => true,
        }
    }
}

/// A manifest that cannot be accepted.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Not valid TOML or not the manifest's shape. Says where and what, never
    /// the text itself (toml's own message quotes the offending line).
    #[error("manifest is not valid at {position}: {message}")]
    Parse {
        /// `line L, column C` (from 1), or `an unknown position`.
        position: String,
        /// What is wrong, e.g. ``unknown field `sockets` ``.
        message: String,
    },
    /// The name is empty, too long or uses characters outside `[a-z0-9-]`.
    #[error("agent name {0:?} is invalid: use 1 to 64 characters of [a-z0-9-]")]
    Name(String),
    /// The version is not semantic versioning.
    #[error("agent version {0:?} is not a semantic version (e.g. 1.2.3)")]
    Version(String),
    /// A host pattern is not an exact host name or `*.suffix`.
    #[error("host pattern {0:?} is invalid: use an exact lowercase host name or *.suffix")]
    Host(String),
    /// A secret name uses characters outside `[A-Za-z0-9_.-]`.
    #[error("secret name {0:?} is invalid: use 1 to 128 characters of [A-Za-z0-9_.-]")]
    Secret(String),
    /// A tag is not 1 to 32 characters of `[a-z0-9-]`, or there are more than 16.
    #[error("tag {0:?} is invalid: use at most 16 tags of 1 to 32 characters of [a-z0-9-]")]
    Tag(String),
    /// Secrets are asked for but no host could ever receive them.
    #[error("the manifest asks for secrets but declares no hosts to send them to")]
    SecretsWithoutHosts,
}

impl Manifest {
    /// Parses and validates a manifest from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| parse_error(text, &e))?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// Checks every field that parsing alone does not.
    pub fn validate(&self) -> Result<(), ManifestError> {
        let name_ok = (1..=64).contains(&self.name.len()) && is_lower_name(&self.name);
        if !name_ok {
            return Err(ManifestError::Name(self.name.clone()));
        }
        if semver::Version::parse(&self.version).is_err() {
            return Err(ManifestError::Version(self.version.clone()));
        }
        let tag_ok = |tag: &String| (1..=32).contains(&tag.len()) && is_lower_name(tag);
        if let Some(bad) = self.tags.iter().find(|tag| !tag_ok(tag)) {
            return Err(ManifestError::Tag(bad.clone()));
        }
        if self.tags.len() > 16 {
            return Err(ManifestError::Tag(format!("{} tags", self.tags.len())));
        }
        for host in &self.capabilities.hosts {
            if !is_valid_host_pattern(host) {
                return Err(ManifestError::Host(host.clone()));
            }
        }
        for secret in &self.capabilities.secrets {
            let ok = (1..=128).contains(&secret.len())
                && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !ok {
                return Err(ManifestError::Secret(secret.clone()));
            }
        }
        if !self.capabilities.secrets.is_empty() && self.capabilities.hosts.is_empty() {
            return Err(ManifestError::SecretsWithoutHosts);
        }
        Ok(())
    }
}

/// A parse error that names the position in `text` and toml's message, but
/// not the quoted line toml's `Display` adds.
fn parse_error(text: &str, error: &toml::de::Error) -> ManifestError {
    let position = match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
            format!("line {line}, column {column}")
        }
        None => "an unknown position".to_owned(),
    };
    ManifestError::Parse { position, message: error.message().trim_end().to_owned() }
}

/// Only `[a-z0-9-]`.
fn is_lower_name(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An exact lowercase DNS name (or IP literal), or `*.` followed by a name of
/// at least two labels (a wildcard over a whole top-level domain, `*.com`,
/// is refused, as the vault's host patterns refuse it).
fn is_valid_host_pattern(pattern: &str) -> bool {
    let wildcard = pattern.starts_with("*.");
    let host = pattern.strip_prefix("*.").unwrap_or(pattern);
    if host.parse::<std::net::IpAddr>().is_ok() {
        return host == pattern;
    }
    if wildcard && !host.contains('.') {
        return false;
    }
    (1..=253).contains(&host.len())
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(extra: &str) -> Result<Manifest, ManifestError> {
        Manifest::from_toml(&format!("name = \"a\"\nversion = \"0.1.0\"\n{extra}"))
    }

    #[test]
    fn minimal_manifest_parses() {
        let m = manifest("").unwrap();
        assert_eq!(m.capabilities, Capabilities::default());
        assert!(m.capabilities.allows(Interface::Log));
        assert!(!m.capabilities.allows(Interface::Http));
    }

    #[test]
    fn bad_fields_are_refused_with_the_reason() {
        assert!(matches!(Manifest::from_toml("name = \"A b\"\nversion = \"1.0.0\""), Err(ManifestError::Name(_))));
        assert!(matches!(Manifest::from_toml("name = \"a\"\nversion = \"one\""), Err(ManifestError::Version(_))));
        for bad in ["Example.com", "*.", "a..b", "ex*mple.com", "*.*.com", "-a.com", "a/b", "*.com", "*.test"] {
            let r = manifest(&format!("[capabilities]\nhosts = [\"{bad}\"]"));
            assert!(matches!(r, Err(ManifestError::Host(_))), "{bad} accepted");
        }
        assert!(matches!(manifest("[capabilities]\nsecrets = [\"token\"]"), Err(ManifestError::SecretsWithoutHosts)));
        assert!(matches!(manifest("[capabilities]\nsockets = true"), Err(ManifestError::Parse { .. })));
        assert!(matches!(manifest("tags = [\"Summarize\"]"), Err(ManifestError::Tag(_))));
        assert!(matches!(manifest("tags = [\"\"]"), Err(ManifestError::Tag(_))));
        assert_eq!(manifest("tags = [\"summarize\", \"text-2\"]").unwrap().tags, ["summarize", "text-2"]);
    }

    #[test]
    fn parse_errors_name_the_position_but_never_echo_the_text() {
        let token = "b7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1";
        let err = Manifest::from_toml(&format!("{token}\n")).unwrap_err().to_string();
        assert!(err.contains("line 1, column"), "{err}");
        assert!(!err.contains(token) && !err.contains(&token[..16]), "{err}");
        let err = manifest("[capabilities]\nsockets = true").unwrap_err().to_string();
        assert!(err.contains("line 4, column 1") && err.contains("sockets"), "{err}");
    }

    #[test]
    fn good_host_patterns_are_accepted() {
        let m = manifest("[capabilities]\nhosts = [\"api.example.com\", \"*.example.org\", \"127.0.0.1\"]").unwrap();
        assert!(m.capabilities.allows(Interface::Http));
    }

    #[test]
    fn import_names_map_to_interfaces() {
        assert_eq!(Interface::from_import_name("redoubt:agent/http@0.1.0"), Some(Interface::Http));
        assert_eq!(Interface::from_import_name("redoubt:agent/http@0.2.0"), None);
        assert_eq!(Interface::from_import_name("redoubt:agent/sockets@0.1.0"), None);
        assert_eq!(Interface::from_import_name("wasi:cli/stdin@0.2.0"), None);
    }
}
