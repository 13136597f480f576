//! The sandbox: admits agent packages, then runs jobs of them, many at once,
//! each in a fresh store under its limits.

use crate::bindings::{Agent, AgentPre};
use crate::cache::{CacheSource, CacheStats, ComponentCache};
use crate::engine::{EpochTicker, SandboxConfig};
use crate::error::{JobError, LoadError};
use crate::host::{CallContext, HostServices};
use crate::job_state::JobState;
use crate::limits::{LimitExceeded, LimitKind, Limits};
use crate::linker::{check_imports, linker_for};
use crate::manifest::Capabilities;
use crate::meter::ResourceUsage;
use crate::package::AgentPackage;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use wasmtime::{Engine, Store, UpdateDeadline};

/// Runs untrusted agents under the operator's settings.
pub struct Sandbox {
    engine: Engine,
    cache: ComponentCache,
    config: SandboxConfig,
    slots: Arc<Semaphore>,
    _ticker: EpochTicker,
}

/// An admitted agent, compiled and pre-linked, ready to run jobs.
pub struct LoadedAgent {
    package: AgentPackage,
    limits: Limits,
    capabilities: Arc<Capabilities>,
    pre: AgentPre<JobState>,
    source: CacheSource,
}

/// The result of one job: its output or why it failed, what it used, and what
/// it printed to stdout/stderr.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobReport {
    /// The output bytes, or why there are none.
    pub outcome: Result<Vec<u8>, JobError>,
    /// Resources used.
    pub usage: ResourceUsage,
    /// The agent's stdout and stderr (capped by its log limit).
    pub console: Vec<u8>,
}

impl Sandbox {
    /// A sandbox with these settings; starts its epoch ticker.
    pub fn new(config: SandboxConfig) -> Result<Self, LoadError> {
        let internal = |e: &dyn std::fmt::Display| LoadError::Internal(e.to_string());
        let engine = config.engine().map_err(|e| internal(&e))?;
        let cache = ComponentCache::new(engine.clone(), config.cache_dir.as_deref()).map_err(|e| internal(&e))?;
        let ticker = EpochTicker::start(engine.clone(), config.epoch_tick).map_err(|e| internal(&e))?;
        let slots = Arc::new(Semaphore::new(config.max_concurrent_jobs.max(1) as usize));
        Ok(Sandbox { engine, cache, config, slots, _ticker: ticker })
    }

    /// The operator's settings.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// The compiled-component cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// The compiled-component cache.
    pub fn cache(&self) -> &ComponentCache {
        &self.cache
    }

    /// Admits a package: size cap, manifest limits within the operator's caps,
    /// compiled (or taken from the cache), imports checked against the
    /// manifest, and pre-linked.
    pub fn load(&self, package: AgentPackage) -> Result<LoadedAgent, LoadError> {
        let bytes = package.component().len() as u64;
        if bytes > self.config.max_component_bytes {
            return Err(LoadError::ComponentTooLarge { bytes, limit: self.config.max_component_bytes });
        }
        let manifest = package.manifest();
        let limits = manifest.limits.resolve(&self.config.defaults, &self.config.caps)?;
        let capabilities = Arc::new(manifest.capabilities.clone());
        let (component, source) =
            self.cache.get_or_compile(package.code_hash(), package.component()).map_err(LoadError::from_compile)?;
        check_imports(&self.engine, &component, &capabilities)?;
        let linker = linker_for(&self.engine, &capabilities).map_err(|e| LoadError::Internal(e.to_string()))?;
        let instance_pre = linker.instantiate_pre(&component).map_err(|e| LoadError::Link(format!("{e:#}")))?;
        let pre = AgentPre::new(instance_pre).map_err(|e| LoadError::Link(format!("{e:#}")))?;
        Ok(LoadedAgent { package, limits, capabilities, pre, source })
    }

    /// Runs one job of `agent` on `input` against `host`. Waits for a free slot
    /// when the node is at its concurrency limit. Never panics on agent
    /// behaviour: every failure is in the report.
    pub async fn run(&self, agent: &LoadedAgent, job_id: &str, input: &[u8], host: HostServices) -> JobReport {
        let started = Instant::now();
        let limits = &agent.limits;
        if input.len() as u64 > limits.input_bytes {
            let exceeded = LimitExceeded::of(LimitKind::InputBytes, limits);
            return JobReport {
                outcome: Err(JobError::LimitExceeded(exceeded)),
                usage: ResourceUsage::default(),
                console: Vec::new(),
            };
        }
        let _slot = match self.slots.acquire().await {
            Ok(permit) => permit,
            Err(closed) => {
                let error = JobError::Internal { message: closed.to_string() };
                return JobReport { outcome: Err(error), usage: ResourceUsage::default(), console: Vec::new() };
            }
        };
        let ctx = CallContext {
            job_id: job_id.to_string(),
            agent_name: agent.package.manifest().name.clone(),
            code_hash: agent.package.code_hash(),
            capabilities: agent.capabilities.clone(),
        };
        let mut store = Store::new(&self.engine, JobState::new(ctx, host, limits.clone()));
        let wall_time = Duration::from_millis(limits.wall_time_ms);
        let deadline = started + wall_time;
        store.limiter(|state| &mut state.meter);
        // wasmtime caps what one host call may lift out of guest memory
        // (128 MiB by default), failing the call with a bare trap. The host
        // calls here lift lazily and check each argument against its own
        // limit ([`crate::calls`]), so the cap is the job's memory: no single
        // argument can be larger, and one past its limit gets that limit's error.
        store.set_hostcall_fuel(usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX));
        // Fuel and epoch settings cannot fail on an engine configured for them.
        store.set_fuel(limits.fuel).expect("the engine consumes fuel");
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(if Instant::now() >= deadline { UpdateDeadline::Interrupt } else { UpdateDeadline::Yield(1) })
        });

        // The epoch deadline stops wasm code; the timeout also stops a job
        // waiting in a host call.
        let outcome = match tokio::time::timeout(wall_time, call_run(&agent.pre, &mut store, input)).await {
            Ok(Ok(Ok(output))) => match store.data_mut().meter.charge_output(output.len()) {
                Ok(()) => Ok(output),
                Err(exceeded) => Err(JobError::LimitExceeded(exceeded)),
            },
            Ok(Ok(Err(message))) => {
                let charged = store.data_mut().meter.charge_output(message.len());
                Err(charged.map_or_else(JobError::LimitExceeded, |()| JobError::agent(message)))
            }
            Ok(Err(error)) => {
                let console = store.data().console.contents();
                Err(JobError::from_wasmtime(error, limits, self.config.stack_bytes, &console))
            }
            Err(_elapsed) => Err(JobError::LimitExceeded(LimitExceeded::of(LimitKind::WallTime, limits))),
        };
        let console = store.data().console.contents();
        let mut usage = store.data().meter.usage().clone();
        usage.fuel = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
        usage.log_bytes += console.len() as u64;
        usage.wall_time_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        JobReport { outcome, usage, console }
    }
}

async fn call_run(
    pre: &AgentPre<JobState>,
    store: &mut Store<JobState>,
    input: &[u8],
) -> wasmtime::Result<Result<Vec<u8>, String>> {
    let agent: Agent = pre.instantiate_async(&mut *store).await?;
    agent.call_run(&mut *store, input).await
}

impl LoadedAgent {
    /// The package it was loaded from.
    pub fn package(&self) -> &AgentPackage {
        &self.package
    }

    /// The limits its jobs run under (manifest over operator defaults).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Where its compiled code came from.
    pub fn cache_source(&self) -> &CacheSource {
        &self.source
    }
}
