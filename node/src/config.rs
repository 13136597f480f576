//! `config.toml`, with environment overrides.
//!
//! Every setting has a default, so an empty file (or none) is a working
//! configuration. `REDOUBT_<SECTION>__<KEY>` overrides a setting, e.g.
//! `REDOUBT_API__LISTEN=127.0.0.1:8080` or `REDOUBT_EGRESS__ALLOW_HTTP=true`.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::Path;

/// The node's settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Who the node is on NEAR.
    pub node: NodeSection,
    /// The local HTTP API.
    pub api: ApiSection,
    /// Operator limits for agents.
    pub sandbox: SandboxSection,
    /// Where agents' requests may go.
    pub egress: EgressSection,
    /// The LLM provider agents' completions go to.
    pub llm: LlmSection,
    /// Where alerts go besides the node's own list.
    pub alerts: AlertsSection,
    /// Jobs and their receipts.
    pub jobs: JobsSection,
    /// The daemon's log.
    pub log: LogSection,
}

/// `[node]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeSection {
    /// The NEAR network the node's account lives on.
    pub network: String,
}

/// `[api]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiSection {
    /// Address the API listens on.
    pub listen: SocketAddr,
    /// Must be true to listen on anything but a loopback address.
    pub allow_remote: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// A connection must send a whole request head within this many
    /// milliseconds of opening or of its last response (so an idle
    /// kept-alive connection is closed too).
    pub header_timeout_ms: u64,
    /// A request body that sends nothing for this many milliseconds is cut off.
    pub idle_timeout_ms: u64,
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Host names (`name` or `name:port`) the API answers as, besides the
    /// listen address, `localhost`, `127.0.0.1` and `[::1]` at its port.
    pub allowed_hosts: Vec<String>,
}

/// `[sandbox]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxSection {
    /// Jobs that run at once; more wait for a slot.
    pub max_concurrent_jobs: u32,
    /// Largest component accepted at install, in bytes.
    pub max_component_bytes: u64,
}

/// `[egress]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EgressSection {
    /// Hosts agents may reach at all (exact or `*.suffix`). A request goes out
    /// only to a host both here and in the agent's manifest; empty (the
    /// default) lets no agent reach anything.
    pub hosts: Vec<String>,
    /// Plain-HTTP URLs allowed (development only).
    pub allow_http: bool,
    /// Loopback addresses reachable (development and tests only).
    pub allow_loopback: bool,
    /// Any destination port (development and tests only: local servers use
    /// ephemeral ports); otherwise the scheme's default port only.
    pub any_port: bool,
    /// Whole-request timeout in milliseconds.
    pub timeout_ms: u64,
    /// Largest response body accepted, in bytes.
    pub max_response_bytes: usize,
}

/// `[llm]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmSection {
    /// Base URL of an OpenAI-compatible API (`.../v1`).
    pub base_url: String,
    /// The model used when an agent names none.
    pub model: String,
    /// The vault secret holding the provider's API key.
    pub api_key_secret: String,
}

/// `[alerts]`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsSection {
    /// A URL every alert is POSTed to, signed with HMAC-SHA256.
    pub webhook_url: Option<String>,
    /// The file holding the webhook's HMAC key (created by `redoubt init`).
    pub webhook_key_file: Option<std::path::PathBuf>,
}

/// `[jobs]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsSection {
    /// How many times a job may be started; a job interrupted by a crash is
    /// queued again until this is reached, then failed.
    pub max_attempts: u32,
    /// Receipts per Merkle batch.
    pub batch_size: usize,
    /// The longest a receipt waits for its batch, in milliseconds.
    pub batch_interval_ms: u64,
}

/// `[log]`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSection {
    /// `text` (colour on a terminal only) or `json` (one object per line).
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, event fields as top-level keys.
    Json,
}

impl AlertsSection {
    /// Checks the webhook settings that need no file: an http(s) URL with a
    /// host, and a key file whenever there is a URL.
    fn validate(&self) -> Result<(), ConfigError> {
        let Some(url) = &self.webhook_url else { return Ok(()) };
        let usable =
            url::Url::parse(url).is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
        if !usable {
            let reason = "not an http(s) URL with a host".to_owned();
            return Err(ConfigError::Webhook { key: "alerts.webhook_url", reason });
        }
        if self.webhook_key_file.is_none() {
            let reason = "must name the HMAC key that signs alerts when alerts.webhook_url is set".to_owned();
            return Err(ConfigError::Webhook { key: "alerts.webhook_key_file", reason });
        }
        Ok(())
    }

    /// Reads the webhook's HMAC key, refusing a missing, unreadable or short
    /// one (an empty key lets anyone sign alerts). `None` without a webhook.
    pub fn webhook_key(&self) -> Result<Option<Vec<u8>>, ConfigError> {
        self.validate()?;
        let (Some(_), Some(path)) = (&self.webhook_url, &self.webhook_key_file) else { return Ok(None) };
        let refuse = |reason: String| ConfigError::Webhook { key: "alerts.webhook_key_file", reason };
        let key = std::fs::read(path).map_err(|e| refuse(format!("cannot read {}: {e}", path.display())))?;
        let length = key.trim_ascii().len();
        if length < MIN_WEBHOOK_KEY_BYTES {
            return Err(refuse(format!(
                "{} holds a key of {length} bytes; an alert webhook key must have at least {MIN_WEBHOOK_KEY_BYTES}",
                path.display()
            )));
        }
        Ok(Some(key))
    }
}

impl Default for NodeSection {
    fn default() -> Self {
        NodeSection { network: "testnet".into() }
    }
}

impl Default for ApiSection {
    fn default() -> Self {
        ApiSection {
            listen: SocketAddr::from(([127, 0, 0, 1], 7171)),
            allow_remote: false,
            max_body_bytes: 24 << 20,
            header_timeout_ms: 10_000,
            idle_timeout_ms: 60_000,
            max_connections: 256,
            allowed_hosts: Vec::new(),
        }
    }
}

impl Default for SandboxSection {
    fn default() -> Self {
        SandboxSection { max_concurrent_jobs: 64, max_component_bytes: 4 << 20 }
    }
}

impl Default for EgressSection {
    fn default() -> Self {
        EgressSection {
            hosts: Vec::new(),
            allow_http: false,
            allow_loopback: false,
            any_port: false,
            timeout_ms: 30_000,
            max_response_bytes: 8 << 20,
        }
    }
}

impl Default for LlmSection {
    fn default() -> Self {
        LlmSection {
            base_url: "https://cloud-api.near.ai/v1".into(),
            model: "deepseek-ai/DeepSeek-V3.1".into(),
            api_key_secret: "llm-api-key".into(),
        }
    }
}

impl Default for JobsSection {
    fn default() -> Self {
        JobsSection { max_attempts: 2, batch_size: 256, batch_interval_ms: 1_000 }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file or an override is malformed.
    #[error("configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    /// An egress host pattern is not an exact host or `*.suffix`.
    #[error("egress.hosts: {0}")]
    Host(String),
    /// The API would listen beyond this machine without the operator saying so.
    #[error(
        "api.listen = {0} is not a loopback address: set api.allow_remote = true to expose the API (it is protected only by its token)"
    )]
    RemoteListen(SocketAddr),
    /// A limit is zero: it would refuse every request of its kind (or never
    /// let work through) instead of bounding it.
    #[error("{0} = 0 is refused: a zero limit disables what it bounds; set a positive value")]
    ZeroLimit(&'static str),
    /// An alert webhook setting cannot be used safely.
    #[error("{key}: {reason}")]
    Webhook {
        /// The setting, e.g. `alerts.webhook_key_file`.
        key: &'static str,
        /// What is wrong (never the URL itself: it often holds a credential).
        reason: String,
    },
}

/// Shortest alert-webhook HMAC key accepted, in bytes (leading and trailing
/// whitespace not counted): anyone who can guess the key can forge alerts.
pub const MIN_WEBHOOK_KEY_BYTES: usize = 32;

impl Config {
    /// Defaults, then `path` if it exists, then `REDOUBT_<SECTION>__<KEY>` variables.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(path))
            .merge(Env::prefixed("REDOUBT_").filter(|key| key.as_str().contains("__")).split("__"))
            .extract()
            .map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what the types alone do not.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.api.listen.ip().is_loopback() && !self.api.allow_remote {
            return Err(ConfigError::RemoteListen(self.api.listen));
        }
        for host in &self.egress.hosts {
            redoubt_vault::HostPattern::parse(host).map_err(|e| ConfigError::Host(e.to_string()))?;
        }
        self.refuse_zero_limits()?;
        self.alerts.validate()?;
        Ok(())
    }

    /// Refuses a limit of zero (it would brick or disarm the node, not bound it).
    fn refuse_zero_limits(&self) -> Result<(), ConfigError> {
        let limits = [
            ("api.max_body_bytes", self.api.max_body_bytes as u64),
            ("sandbox.max_concurrent_jobs", u64::from(self.sandbox.max_concurrent_jobs)),
            ("sandbox.max_component_bytes", self.sandbox.max_component_bytes),
            ("egress.timeout_ms", self.egress.timeout_ms),
            ("egress.max_response_bytes", self.egress.max_response_bytes as u64),
            ("jobs.max_attempts", u64::from(self.jobs.max_attempts)),
            ("jobs.batch_size", self.jobs.batch_size as u64),
            ("jobs.batch_interval_ms", self.jobs.batch_interval_ms),
        ];
        match limits.into_iter().find(|&(_, value)| value == 0) {
            Some((key, _)) => Err(ConfigError::ZeroLimit(key)),
            None => Ok(()),
        }
    }

    /// The configuration as TOML, for `redoubt init` to write.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("the configuration serializes")
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err, reason = "figment::Jail's closure must return figment::Error")]
mod tests {
    use super::*;
    use figment::Jail;

    // `Config::load` reads the process environment, which one test changes: every test runs in a
    // `Jail` (a private directory and environment, one test at a time).

    #[test]
    fn a_missing_file_gives_the_defaults() {
        Jail::expect_with(|_| {
            let config = Config::load(Path::new("config.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config, Config::default());
            Ok(())
        });
    }

    #[test]
    fn the_file_and_then_the_environment_override_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file("config.toml", "[api]\nlisten = \"127.0.0.1:9000\"\n[jobs]\nbatch_size = 8\n")?;
            jail.set_env("REDOUBT_JOBS__BATCH_SIZE", "16");
            jail.set_env("REDOUBT_HOME", "/elsewhere");
            let config = Config::load(Path::new("config.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config.api.listen.port(), 9000);
            assert_eq!(config.jobs.batch_size, 16);
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_remote_listening_are_refused() {
        Jail::expect_with(|jail| {
            let path = Path::new("config.toml");
            jail.create_file(path, "[api]\nlisten_on = \"x\"\n")?;
            assert!(Config::load(path).unwrap_err().to_string().contains("listen_on"));
            jail.create_file(path, "[api]\nlisten = \"0.0.0.0:7171\"\n")?;
            assert!(matches!(Config::load(path), Err(ConfigError::RemoteListen(_))));
            jail.create_file(path, "[api]\nlisten = \"0.0.0.0:7171\"\nallow_remote = true\n")?;
            assert!(Config::load(path).is_ok());
            Ok(())
        });
    }

    #[test]
    fn zero_limits_are_refused_by_name() {
        Jail::expect_with(|jail| {
            let path = Path::new("config.toml");
            for (section, key) in [("api", "max_body_bytes"), ("egress", "timeout_ms"), ("jobs", "batch_size")] {
                jail.create_file(path, &format!("[{section}]\n{key} = 0\n"))?;
                let err = Config::load(path).unwrap_err();
                assert!(matches!(err, ConfigError::ZeroLimit(_)), "{err}");
                assert!(err.to_string().contains(&format!("{section}.{key} = 0")), "{err}");
            }
            jail.create_file(path, "[api]\nmax_body_bytes = 1\n")?;
            assert!(Config::load(path).is_ok());
            Ok(())
        });
    }

    #[test]
    fn webhook_keys_must_be_long_and_urls_usable() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("webhook.key");
        let alerts =
            |url: &str| AlertsSection { webhook_url: Some(url.into()), webhook_key_file: Some(key_file.clone()) };
        let refused = |section: &AlertsSection| section.webhook_key().unwrap_err().to_string();
        let hook = alerts("https://alerts.example.org/hook?token=t0ps3cret");
        assert!(refused(&hook).contains("alerts.webhook_key_file: cannot read"), "{}", refused(&hook));
        for short in [&b""[..], b"\n", b"short key\n", &[b' '; 64]] {
            std::fs::write(&key_file, short).unwrap();
            let err = refused(&hook);
            assert!(err.starts_with("alerts.webhook_key_file:") && err.contains("at least 32"), "{err}");
        }
        std::fs::write(&key_file, [7u8; 32]).unwrap();
        assert_eq!(hook.webhook_key().unwrap(), Some(vec![7u8; 32]));
        for bad in ["not a url", "ftp://alerts.example.org/x", "unix:/run/hook?token=t0ps3cret"] {
            let err = refused(&alerts(bad));
            assert!(err.starts_with("alerts.webhook_url:") && !err.contains("t0ps3cret"), "{err}");
        }
        let no_key = AlertsSection { webhook_url: hook.webhook_url.clone(), webhook_key_file: None };
        assert!(refused(&no_key).starts_with("alerts.webhook_key_file:"));
        assert_eq!(AlertsSection::default().webhook_key().unwrap(), None);
    }

    #[test]
    fn the_written_file_reads_back() {
        Jail::expect_with(|jail| {
            jail.create_file("config.toml", &Config::default().to_toml())?;
            assert_eq!(Config::load(Path::new("config.toml")).map_err(|e| e.to_string())?, Config::default());
            Ok(())
        });
    }
}
