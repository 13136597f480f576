//! Shared fixtures: a vault with random test secrets in a temp dir, a gate over it with a scripted
//! resolver and a recording block sink, captured logs, and a canary check when the fixture drops.

pub mod agent;
pub mod logs;
pub mod provider;
pub mod reflector;
pub mod resolver;
pub mod servers;
pub mod tls;

use rand::Rng;
use rand::distributions::Alphanumeric;
use redoubt_egress::{BlockEvent, BlockReason, BlockSink, Caller, Gate, GateConfig, OutboundRequest, Ports};
use redoubt_vault::{AgentMatcher, HostPattern, Injection, LeakDetector, MasterKey, Policy, SecretValue, Vault};
use resolver::ScriptedResolver;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The agent name test callers use.
pub const AGENT: &str = "weather-bot";

/// A block sink that keeps every event.
#[derive(Default)]
pub struct RecordingSink(Mutex<Vec<BlockEvent>>);

impl BlockSink for RecordingSink {
    fn blocked(&self, event: &BlockEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

/// One test's world. On drop (unless the test is already failing) it checks that no byte of its
/// secrets, in any encoding, is in its temp dir (outside the vault file), in the captured logs or
/// in the job outputs it was given.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub vault: Arc<Mutex<Vault>>,
    pub resolver: Arc<ScriptedResolver>,
    pub sink: Arc<RecordingSink>,
    secrets: Mutex<Vec<(String, String)>>,
    outputs: Mutex<Vec<Vec<u8>>>,
}

impl Env {
    /// An empty vault (sealed-key mode) in a fresh temp dir; the resolver knows `localhost`.
    pub fn new() -> Env {
        logs::init();
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(dir.path().join("vault.json"), MasterKey::from_sealing_key([0x5e; 32])).unwrap();
        let resolver = ScriptedResolver::default();
        resolver.answer("localhost", &["127.0.0.1"]);
        Env {
            dir,
            vault: Arc::new(Mutex::new(vault)),
            resolver: Arc::new(resolver),
            sink: Arc::new(RecordingSink::default()),
            secrets: Mutex::new(Vec::new()),
            outputs: Mutex::new(Vec::new()),
        }
    }

    /// Adds a secret with a fresh random value, allowed to `hosts` and `agents` (`name:` or
    /// `sha256:` form), and returns the value (the test plays the upstream that knows it).
    pub fn secret(&self, name: &str, hosts: &[&str], agents: &[&str], inject: Injection) -> String {
        let suffix: String = rand::thread_rng().sample_iter(&Alphanumeric).take(24).map(char::from).collect();
        let value = format!("rdbt-{suffix}");
        let policy = Policy::new(
            hosts.iter().map(|h| HostPattern::parse(h).unwrap()).collect(),
            agents.iter().map(|a| AgentMatcher::parse(a).unwrap()).collect(),
            inject,
        );
        self.vault.lock().unwrap().add(name, SecretValue::new(value.clone().into_bytes()), policy).unwrap();
        self.secrets.lock().unwrap().push((name.to_string(), value.clone()));
        value
    }

    /// The test configuration: plain HTTP and loopback allowed (servers are on 127.0.0.1), any
    /// port, the operator allowing `*.redoubt.test`, `localhost` and `127.0.0.1`, then `edit`.
    pub fn config(&self, edit: impl FnOnce(&mut GateConfig)) -> GateConfig {
        let mut config = GateConfig {
            allow_http: true,
            allow_loopback: true,
            operator_hosts: ["*.redoubt.test", "localhost", "127.0.0.1"]
                .map(|p| HostPattern::parse(p).unwrap())
                .to_vec(),
            ports: Ports::Any,
            connect_timeout: std::time::Duration::from_secs(2),
            total_timeout: std::time::Duration::from_secs(5),
            ..GateConfig::default()
        };
        edit(&mut config);
        config
    }

    /// A gate with [`Env::config`] changed by `edit`.
    pub fn gate(&self, edit: impl FnOnce(&mut GateConfig)) -> Arc<Gate> {
        let gate = Gate::new(self.config(edit), self.vault.clone(), self.resolver.clone(), self.sink.clone());
        Arc::new(gate.unwrap())
    }

    /// Every block so far.
    pub fn blocks(&self) -> Vec<BlockEvent> {
        self.sink.0.lock().unwrap().clone()
    }

    /// The single block so far, checked to name this caller's job and agent.
    pub fn only_block(&self) -> BlockEvent {
        let blocks = self.blocks();
        assert_eq!(blocks.len(), 1, "expected exactly one block: {blocks:#?}");
        let event = blocks.into_iter().next().unwrap();
        assert_eq!((event.job_id.as_str(), event.agent.as_str()), ("job-1", AGENT));
        event
    }

    /// Keeps a job output (after the node's output leak scan) for the canary check.
    pub fn record_output(&self, output: &[u8]) {
        self.outputs.lock().unwrap().push(output.to_vec());
    }

    /// A detector for this test's secrets.
    pub fn detector(&self) -> LeakDetector {
        let secrets = self.secrets.lock().unwrap().clone();
        LeakDetector::new(secrets.iter().map(|(n, v)| (n.as_str(), v.as_bytes()))).unwrap()
    }

    fn canary_check(&self) {
        if self.secrets.lock().unwrap().is_empty() {
            return;
        }
        let detector = self.detector();
        let vault_file = self.dir.path().join("vault.json");
        for file in files(self.dir.path()) {
            if file != vault_file {
                let bytes = std::fs::read(&file).unwrap();
                assert!(detector.scan(&bytes).is_none(), "a test secret is in {}", file.display());
            }
        }
        let logs = logs::captured();
        assert!(detector.scan(&logs).is_none(), "a test secret is in the captured logs: {:?}", detector.scan(&logs));
        for output in self.outputs.lock().unwrap().iter() {
            assert!(detector.scan(output).is_none(), "a test secret is in a job output");
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.canary_check();
        }
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A caller: agent [`AGENT`], job `job-1`, with these manifest hosts and secrets.
pub fn caller(hosts: &[&str], secrets: &[&str]) -> Caller {
    Caller {
        job_id: "job-1".to_string(),
        agent_name: AGENT.to_string(),
        code_hash: [0xab; 32],
        hosts: hosts.iter().map(|s| s.to_string()).collect(),
        secrets: secrets.iter().map(|s| s.to_string()).collect(),
    }
}

/// A GET of `url`.
pub fn get(url: &str) -> OutboundRequest {
    OutboundRequest { method: "GET".into(), url: url.into(), ..OutboundRequest::default() }
}

/// The reason of a result that must be a block.
pub fn blocked<T: std::fmt::Debug>(result: Result<T, redoubt_egress::GateError>) -> BlockReason {
    match result {
        Err(redoubt_egress::GateError::Blocked(b)) => b.reason,
        other => panic!("expected a block, got {other:?}"),
    }
}

/// The bearer policy form.
pub fn bearer() -> Injection {
    Injection::Bearer
}
