//! End-to-end jobs through the node's HTTP API, against the sandbox alone in
//! the same run: how much the node adds (HTTP, admission and leak scans,
//! durable state changes with group commit, a signed receipt per job).
//!
//! Rows: sequential latency (p50, p99) of one client submitting `echo` jobs
//! with `wait=true`; throughput with 64 jobs in flight; and the same two for
//! `Sandbox::run` of the same component with no node around it.
//! Run with `cargo bench -p redoubt-node --bench api_jobs`.

mod common;

use redoubt_sandbox::{AgentPackage, HostServices, Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

const INPUT: &[u8] = b"a small job input of sixty-four bytes, typical of a tool call...";
const LATENCY_JOBS: usize = 2_000;
const THROUGHPUT_JOBS: usize = 10_000;
const IN_FLIGHT: usize = 64;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (node_latency, node_rate) = runtime.block_on(node_figures(dir.path()));
    let (sandbox_latency, sandbox_rate) = runtime.block_on(sandbox_figures());

    println!(
        "echo jobs ({} B in/out) on 2 worker threads; latency: {LATENCY_JOBS} sequential jobs; throughput: {THROUGHPUT_JOBS} jobs, {IN_FLIGHT} in flight",
        INPUT.len()
    );
    println!("{:<40} {:>10} {:>10} {:>12}", "path", "p50 µs", "p99 µs", "jobs/s");
    for (name, (p50, p99), rate) in [
        ("node: HTTP API, durable, signed receipt", node_latency, node_rate),
        ("sandbox alone (Sandbox::run)", sandbox_latency, sandbox_rate),
    ] {
        println!("{name:<40} {:>10.0} {:>10.0} {:>12.0}", micros(p50), micros(p99), rate);
    }
    println!(
        "the node adds {:.0} µs at p50 ({:.1}x the sandbox); node throughput is {:.0}% of the sandbox's",
        micros(node_latency.0) - micros(sandbox_latency.0),
        micros(node_latency.0) / micros(sandbox_latency.0),
        100.0 * node_rate / sandbox_rate
    );
}

async fn node_figures(dir: &std::path::Path) -> ((Duration, Duration), f64) {
    let (running, client) = common::node_with(dir, "echo").await;
    let wait = Some(Duration::from_secs(60));

    for _ in 0..200 {
        client.submit("echo", INPUT, wait).await.unwrap();
    }
    let mut times = Vec::with_capacity(LATENCY_JOBS);
    for _ in 0..LATENCY_JOBS {
        let start = Instant::now();
        let job = client.submit("echo", INPUT, wait).await.unwrap();
        times.push(start.elapsed());
        assert!(job.receipt.is_some());
    }
    let latency = percentiles(times);

    let start = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..THROUGHPUT_JOBS / IN_FLIGHT {
                    let job = client.submit("echo", INPUT, wait).await.unwrap();
                    assert!(job.receipt.is_some(), "job {} {}", job.id, job.state);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let rate = (THROUGHPUT_JOBS / IN_FLIGHT * IN_FLIGHT) as f64 / start.elapsed().as_secs_f64();
    running.abort();
    (latency, rate)
}

async fn sandbox_figures() -> ((Duration, Duration), f64) {
    let echo = redoubt_agents::find("echo").unwrap();
    let sandbox = Arc::new(Sandbox::new(SandboxConfig::default()).unwrap());
    let agent = Arc::new(sandbox.load(AgentPackage::from_parts(echo.manifest, echo.component).unwrap()).unwrap());
    for _ in 0..200 {
        sandbox.run(&agent, "bench", INPUT, HostServices::local()).await;
    }
    let mut times = Vec::with_capacity(LATENCY_JOBS);
    for _ in 0..LATENCY_JOBS {
        let start = Instant::now();
        let report = sandbox.run(&agent, "bench", INPUT, HostServices::local()).await;
        times.push(start.elapsed());
        assert!(report.outcome.is_ok());
    }
    let latency = percentiles(times);
    let start = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (sandbox, agent) = (sandbox.clone(), agent.clone());
            tokio::spawn(async move {
                for _ in 0..THROUGHPUT_JOBS / IN_FLIGHT {
                    assert!(sandbox.run(&agent, "bench", INPUT, HostServices::local()).await.outcome.is_ok());
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let rate = (THROUGHPUT_JOBS / IN_FLIGHT * IN_FLIGHT) as f64 / start.elapsed().as_secs_f64();
    (latency, rate)
}

fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() * 99 / 100])
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
