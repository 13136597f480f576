//! The operator's sandbox settings and the wasmtime engine built from them:
//! pooling allocator, fuel, epoch interruption driven by a ticker thread.

use crate::limits::Limits;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Most memories and tables one component may define (mirrors the job meter).
const MEMORIES_PER_COMPONENT: u32 = 8;
const TABLES_PER_COMPONENT: u32 = 16;

/// What the operator decides for every agent on this node.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Limits for fields a manifest leaves out.
    pub defaults: Limits,
    /// The most any manifest may ask for.
    pub caps: Limits,
    /// Largest component accepted at install, in bytes.
    pub max_component_bytes: u64,
    /// Largest WebAssembly call stack, in bytes.
    pub stack_bytes: usize,
    /// Jobs that may run at once; more wait for a slot.
    pub max_concurrent_jobs: u32,
    /// Where compiled components are cached on disk (none: memory only).
    pub cache_dir: Option<PathBuf>,
    /// How often the epoch advances: the granularity of wall-time checks and
    /// of yielding to other jobs.
    pub epoch_tick: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            defaults: Limits::operator_defaults(),
            caps: Limits::operator_caps(),
            max_component_bytes: 4 << 20,
            stack_bytes: 512 << 10,
            max_concurrent_jobs: 64,
            cache_dir: None,
            epoch_tick: Duration::from_millis(2),
        }
    }
}

impl SandboxConfig {
    /// The wasmtime engine for these settings.
    pub(crate) fn engine(&self) -> wasmtime::Result<Engine> {
        let slots = self.max_concurrent_jobs.max(1);
        let instances = u32::try_from(self.caps.instances).unwrap_or(u32::MAX).max(1);
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(slots)
            .total_core_instances(slots.saturating_mul(instances))
            .max_core_instances_per_component(instances)
            .total_memories(slots.saturating_mul(MEMORIES_PER_COMPONENT))
            .max_memories_per_component(MEMORIES_PER_COMPONENT)
            .total_tables(slots.saturating_mul(TABLES_PER_COMPONENT))
            .max_tables_per_component(TABLES_PER_COMPONENT)
            .total_stacks(slots)
            .max_memory_size(usize::try_from(self.caps.memory_bytes).unwrap_or(usize::MAX))
            .table_elements(usize::try_from(self.caps.table_elements).unwrap_or(usize::MAX));

        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(self.stack_bytes)
            .async_stack_size(self.stack_bytes + (1 << 20))
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        Engine::new(&config)
    }
}

/// Advances the engine's epoch every tick until dropped.
pub(crate) struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Starts the ticker thread for `engine`.
    pub(crate) fn start(engine: Engine, tick: Duration) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new().name("redoubt-epoch".into()).spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(tick);
                engine.increment_epoch();
            }
        })?;
        Ok(EpochTicker { stop, thread: Some(thread) })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
