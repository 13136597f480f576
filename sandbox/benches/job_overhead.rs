//! Per-job overhead of the sandbox for a trivial agent (echo), against bare
//! wasmtime in the same run.
//!
//! Rows:
//! - `sandbox`: `Sandbox::run` with a cached, pre-linked component: new store
//!   with limits, WASI granting nothing, instantiate, call, tear down.
//! - `bare floor`: the least a wasmtime embedder can do for the same component
//!   (pre-linked `InstancePre`, new store with a default WASI context,
//!   instantiate, call), with no limits, fuel or epochs.
//! - `bare floor, pooling`: the same with wasmtime's pooling allocator, the
//!   allocator the sandbox uses: the true floor for the sandbox's design.
//! - `naive`: what IronClaw measures (new `Linker`, WASI context and store per
//!   call, on-demand allocation): the usual way, for reference.
//!
//! Then jobs per second with the sandbox on every core, and a cold compile
//! against a load from the disk cache. Run with `cargo bench -p redoubt-sandbox`.

use redoubt_sandbox::{AgentPackage, HostServices, Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

const INPUT: &[u8] = b"a small job input of sixty-four bytes, typical of a tool call...";
const SAMPLES: usize = 20_000;

struct Bare {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Bare {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
    }
}

fn bare_store(engine: &Engine) -> Store<Bare> {
    Store::new(engine, Bare { ctx: WasiCtxBuilder::new().build(), table: ResourceTable::new() })
}

fn bare_linker(engine: &Engine, component: &Component) -> Linker<Bare> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).unwrap();
    linker.define_unknown_imports_as_traps(component).unwrap();
    linker
}

async fn call_echo(pre: &InstancePre<Bare>, mut store: Store<Bare>) -> Vec<u8> {
    let instance = pre.instantiate_async(&mut store).await.unwrap();
    let run = instance.get_typed_func::<(&[u8],), (Result<Vec<u8>, String>,)>(&mut store, "run").unwrap();
    let (result,) = run.call_async(&mut store, (INPUT,)).await.unwrap();
    result.unwrap()
}

/// Latency percentiles of `samples` runs of `job`, after a warm-up.
fn measure(rt: &tokio::runtime::Runtime, mut job: impl AsyncFnMut()) -> (Duration, Duration) {
    rt.block_on(async {
        for _ in 0..SAMPLES / 10 {
            job().await;
        }
        let mut times = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let start = Instant::now();
            job().await;
            times.push(start.elapsed());
        }
        times.sort();
        (times[SAMPLES / 2], times[SAMPLES * 99 / 100])
    })
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing useful: run either way.
    let agent = redoubt_agents::find("echo").expect("echo is built in");
    let package = AgentPackage::from_parts(agent.manifest, agent.component).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let config = SandboxConfig { cache_dir: Some(cache.path().to_owned()), ..SandboxConfig::default() };
    let sandbox = Arc::new(Sandbox::new(config.clone()).unwrap());
    let loaded = Arc::new(sandbox.load(package.clone()).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let host = HostServices::local();
    let (sandbox_p50, sandbox_p99) = measure(&rt, async || {
        let report = sandbox.run(&loaded, "bench", INPUT, host.clone()).await;
        assert_eq!(report.outcome.as_deref(), Ok(INPUT));
    });

    let engine = Engine::new(&Config::new()).unwrap();
    let component = Component::new(&engine, agent.component).unwrap();
    let pre = bare_linker(&engine, &component).instantiate_pre(&component).unwrap();
    let (bare_p50, bare_p99) = measure(&rt, async || {
        assert_eq!(call_echo(&pre, bare_store(&engine)).await, INPUT);
    });

    let mut pooled_config = Config::new();
    pooled_config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(Default::default()));
    let pooled_engine = Engine::new(&pooled_config).unwrap();
    let pooled_component = Component::new(&pooled_engine, agent.component).unwrap();
    let pooled_pre = bare_linker(&pooled_engine, &pooled_component).instantiate_pre(&pooled_component).unwrap();
    let (pooled_p50, pooled_p99) = measure(&rt, async || {
        assert_eq!(call_echo(&pooled_pre, bare_store(&pooled_engine)).await, INPUT);
    });

    let (naive_p50, naive_p99) = measure(&rt, async || {
        let pre = bare_linker(&engine, &component).instantiate_pre(&component).unwrap();
        assert_eq!(call_echo(&pre, bare_store(&engine)).await, INPUT);
    });

    println!("per-job overhead, trivial agent (echo, {} B in/out), {SAMPLES} jobs each, one thread", INPUT.len());
    println!("{:<34} {:>10} {:>10} {:>14}", "path", "p50 µs", "p99 µs", "p50 vs floor");
    let floor = micros(bare_p50.min(pooled_p50));
    for (name, p50, p99) in [
        ("sandbox (limits, cache, pooling)", sandbox_p50, sandbox_p99),
        ("bare wasmtime floor", bare_p50, bare_p99),
        ("bare wasmtime floor, pooling", pooled_p50, pooled_p99),
        ("naive (new linker+ctx per call)", naive_p50, naive_p99),
    ] {
        println!("{name:<34} {:>10.1} {:>10.1} {:>13.2}x", micros(p50), micros(p99), micros(p50) / floor);
    }

    let jobs_per_second = throughput(&sandbox, &loaded);
    println!("sandbox throughput on {} worker threads: {jobs_per_second:.0} jobs/s", worker_threads());

    let (cold, cached) = compile_vs_cached(&config, &package);
    println!(
        "cold compile {:.1} ms, load from disk cache {:.2} ms ({:.0}x faster)",
        cold.as_secs_f64() * 1e3,
        cached.as_secs_f64() * 1e3,
        cold.as_secs_f64() / cached.as_secs_f64()
    );
}

fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Jobs per second with one task per job on a multi-threaded runtime.
fn throughput(sandbox: &Arc<Sandbox>, agent: &Arc<redoubt_sandbox::LoadedAgent>) -> f64 {
    const JOBS: usize = 40_000;
    const IN_FLIGHT: usize = 32;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(worker_threads()).enable_all().build().unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..IN_FLIGHT {
            let (sandbox, agent) = (sandbox.clone(), agent.clone());
            workers.push(tokio::spawn(async move {
                for _ in 0..JOBS / IN_FLIGHT {
                    let report = sandbox.run(&agent, "bench", INPUT, HostServices::local()).await;
                    assert!(report.outcome.is_ok());
                }
            }));
        }
        for worker in workers {
            worker.await.unwrap();
        }
        JOBS as f64 / start.elapsed().as_secs_f64()
    })
}

/// Median of a few cold compiles against loads of the same component from the disk cache.
fn compile_vs_cached(config: &SandboxConfig, package: &AgentPackage) -> (Duration, Duration) {
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let mut cold = Vec::new();
    let mut cached = Vec::new();
    for _ in 0..5 {
        let empty = tempfile::tempdir().unwrap();
        let sandbox =
            Sandbox::new(SandboxConfig { cache_dir: Some(empty.path().to_owned()), ..config.clone() }).unwrap();
        let start = Instant::now();
        sandbox.load(package.clone()).unwrap();
        cold.push(start.elapsed());

        sandbox.cache().clear_memory();
        let start = Instant::now();
        let agent = sandbox.load(package.clone()).unwrap();
        cached.push(start.elapsed());
        assert_eq!(*agent.cache_source(), redoubt_sandbox::CacheSource::Disk);
    }
    (median(cold), median(cached))
}
