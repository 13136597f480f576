//! Shared fixtures: a sandbox with small test limits, and the built-in agents.

use redoubt_sandbox::{
    AgentPackage, HostServices, JobError, JobReport, LimitKind, Limits, LoadError, LoadedAgent, Sandbox, SandboxConfig,
};
use std::path::PathBuf;
use std::sync::OnceLock;

/// One compiled-component cache for the whole test binary, so each agent compiles once.
fn shared_cache_dir() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir")).path().to_owned()
}

/// Operator settings for tests: the defaults, with fuel low enough that a
/// runaway agent is stopped in well under a second.
pub fn config() -> SandboxConfig {
    SandboxConfig {
        defaults: Limits { fuel: 100_000_000, ..Limits::operator_defaults() },
        cache_dir: Some(shared_cache_dir()),
        ..SandboxConfig::default()
    }
}

/// A sandbox with [`config`] changed by `edit`.
pub fn sandbox_with(edit: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut config = config();
    edit(&mut config);
    Sandbox::new(config).expect("sandbox starts")
}

/// A sandbox with [`config`].
pub fn sandbox() -> Sandbox {
    sandbox_with(|_| {})
}

/// The built-in agent `name` as a package.
pub fn package(name: &str) -> AgentPackage {
    let agent = redoubt_agents::find(name).unwrap_or_else(|| panic!("no built-in agent {name}"));
    AgentPackage::from_parts(agent.manifest, agent.component).expect("built-in package is valid")
}

/// The built-in agent `name`'s component with another manifest.
pub fn package_with_manifest(name: &str, manifest: &str) -> AgentPackage {
    let agent = redoubt_agents::find(name).unwrap_or_else(|| panic!("no built-in agent {name}"));
    AgentPackage::from_parts(manifest, agent.component).expect("manifest is valid")
}

/// Loads the built-in agent `name` into `sandbox`.
pub fn load(sandbox: &Sandbox, name: &str) -> LoadedAgent {
    sandbox.load(package(name)).unwrap_or_else(|e| panic!("loading {name}: {e}"))
}

/// Tries to load the built-in agent `name`, expecting a refusal.
pub fn load_error(sandbox: &Sandbox, package: AgentPackage) -> LoadError {
    match sandbox.load(package) {
        Ok(_) => panic!("the package was admitted"),
        Err(error) => error,
    }
}

/// Runs one job of `agent` with local host services.
pub async fn run(sandbox: &Sandbox, agent: &LoadedAgent, input: &[u8]) -> JobReport {
    sandbox.run(agent, "test-job", input, HostServices::local()).await
}

/// The output of a job that must have succeeded.
pub fn output(report: &JobReport) -> &[u8] {
    match &report.outcome {
        Ok(output) => output,
        Err(error) => panic!("job failed: {error}; console: {}", String::from_utf8_lossy(&report.console)),
    }
}

/// The limit that stopped a job that must have been stopped by one.
pub fn limit_hit(report: &JobReport) -> LimitKind {
    match &report.outcome {
        Err(JobError::LimitExceeded(exceeded)) => exceeded.kind,
        other => panic!("expected a limit error, got {other:?}"),
    }
}
