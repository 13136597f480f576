//! Key-value writes: sets per second inside one job (each set a leak check
//! and an insert into the job's overlay; the writes committed with the job's
//! end, in the transaction that finishes it), against the old way in the
//! same run: one durable commit per set. Also the per-job commit on its own.
//!
//! Rows: a job of `SETS` sets through the node's HTTP API (the agent's run
//! time, net of an empty job's, and end to end with the commit); one
//! durable commit per set; one commit of `SETS` writes.
//! Run with `cargo bench -p redoubt-node --bench kv_writes`.

mod common;

use redoubt_node::store::{KvWrites, Store};
use std::time::{Duration, Instant};

const SETS: usize = 10_000;
const VALUE_BYTES: usize = 16;
const JOBS: usize = 7;
const PER_SET_COMMITS: usize = 300;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jobs = runtime.block_on(job_figures(dir.path()));
    let store = runtime.block_on(store_figures(dir.path()));

    println!("{SETS} sets of {VALUE_BYTES} B values; medians of {JOBS} jobs; {PER_SET_COMMITS} per-set commits");
    println!("{:<58} {:>12} {:>12}", "path", "ms", "sets/s");
    let in_job = jobs.full_run.saturating_sub(jobs.empty_run);
    for (name, time, sets) in [
        ("in a job: agent run time, net of an empty job", in_job, SETS),
        ("in a job: end to end (HTTP, run, scans, commit, receipt)", jobs.end_to_end, SETS),
        ("old: one durable commit per set", store.per_set, PER_SET_COMMITS),
        ("the per-job commit alone (one transaction)", store.per_job, SETS),
    ] {
        println!("{name:<58} {:>12.1} {:>12.0}", time.as_secs_f64() * 1e3, sets as f64 / time.as_secs_f64());
    }
}

struct JobFigures {
    empty_run: Duration,
    full_run: Duration,
    end_to_end: Duration,
}

async fn job_figures(dir: &std::path::Path) -> JobFigures {
    let (running, client) = common::node_with(dir, "kv-writer").await;

    let fill = |count: usize| format!(r#"{{"steps": [{{"fill": {{"count": {count}, "bytes": {VALUE_BYTES}}}}}]}}"#);
    let (empty, full) = (fill(0), fill(SETS));
    let (mut empty_runs, mut full_runs, mut ends) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..JOBS {
        let job = client.submit("kv-writer", empty.as_bytes(), Some(Duration::from_secs(60))).await.unwrap();
        empty_runs.push(run_time(&job));
        let start = Instant::now();
        let job = client.submit("kv-writer", full.as_bytes(), Some(Duration::from_secs(60))).await.unwrap();
        ends.push(start.elapsed());
        full_runs.push(run_time(&job));
        let output = client.output(job.id).await.unwrap();
        assert_eq!(output, format!("[{SETS}]").into_bytes(), "every set went through");
    }
    running.abort();
    JobFigures { empty_run: median(empty_runs), full_run: median(full_runs), end_to_end: median(ends) }
}

fn run_time(job: &redoubt_node::job::JobRecord) -> Duration {
    assert_eq!(job.state.as_str(), "succeeded", "job {} {:?}", job.id, job.error);
    Duration::from_micros(job.usage.as_ref().expect("a job that ran has its usage").wall_time_us)
}

struct StoreFigures {
    per_set: Duration,
    per_job: Duration,
}

async fn store_figures(dir: &std::path::Path) -> StoreFigures {
    let store = Store::open(&dir.join("kv-bench.redb")).unwrap();
    let value = vec![b'v'; VALUE_BYTES];
    let start = Instant::now();
    for i in 0..PER_SET_COMMITS {
        let mut writes = KvWrites::new("bench");
        writes.set(&format!("k{i}"), value.clone()).unwrap();
        store.kv_commit(writes).await.unwrap();
    }
    let per_set = start.elapsed();
    let mut commits = Vec::new();
    for _ in 0..JOBS {
        let mut writes = KvWrites::new("bench");
        for i in 0..SETS {
            writes.set(&format!("k{i}"), value.clone()).unwrap();
        }
        let start = Instant::now();
        store.kv_commit(writes).await.unwrap();
        commits.push(start.elapsed());
    }
    StoreFigures { per_set, per_job: median(commits) }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
