//! While hostile jobs run, other jobs on the same sandbox finish normally.

use crate::support::{limit_hit, load, output, sandbox_with};
use redoubt_sandbox::{HostServices, LimitKind, Limits};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// On a single-threaded runtime, two endless loops must yield (epoch ticks)
/// so that many echo jobs run to completion long before the loops are stopped.
#[tokio::test(flavor = "current_thread")]
async fn looping_agents_cannot_starve_the_others() {
    let sandbox = Arc::new(sandbox_with(|c| {
        c.defaults = Limits { fuel: u64::MAX / 2, wall_time_ms: 1_500, ..c.defaults.clone() };
        c.caps.fuel = u64::MAX;
    }));
    let looping = Arc::new(load(&sandbox, "infinite-loop"));
    let echo = Arc::new(load(&sandbox, "echo"));
    let started = Instant::now();

    let loops: Vec<_> = (0..2)
        .map(|i| {
            let (sandbox, agent) = (sandbox.clone(), looping.clone());
            tokio::spawn(async move { sandbox.run(&agent, &format!("loop-{i}"), b"", HostServices::local()).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;

    let mut echoes = Vec::new();
    for i in 0..20 {
        let (sandbox, agent) = (sandbox.clone(), echo.clone());
        echoes.push(tokio::spawn(async move {
            let input = format!("job {i}");
            let report = sandbox.run(&agent, &input, input.as_bytes(), HostServices::local()).await;
            assert_eq!(output(&report), input.as_bytes());
            started.elapsed()
        }));
    }
    let mut last_echo = Duration::ZERO;
    for echo in echoes {
        last_echo = last_echo.max(echo.await.unwrap());
    }
    for looping in loops {
        let report = looping.await.unwrap();
        assert_eq!(limit_hit(&report), LimitKind::WallTime);
    }
    let loops_ended = started.elapsed();
    // Without yielding, a current-thread runtime could not start an echo job
    // before both loops had been stopped by their deadline.
    assert!(last_echo < loops_ended, "echo jobs finished at {last_echo:?}, loops ended at {loops_ended:?}");
}

/// Many jobs of several agents at once, each with its own correct result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_jobs_keep_their_results_apart() {
    let sandbox = Arc::new(sandbox_with(|_| {}));
    let echo = Arc::new(load(&sandbox, "echo"));
    let bomb = Arc::new(load(&sandbox, "memory-bomb"));
    let mut jobs = Vec::new();
    for i in 0..100 {
        let (sandbox, echo, bomb) = (sandbox.clone(), echo.clone(), bomb.clone());
        jobs.push(tokio::spawn(async move {
            if i % 10 == 0 {
                let report = sandbox.run(&bomb, "bomb", b"", HostServices::local()).await;
                assert_eq!(limit_hit(&report), LimitKind::Memory);
            } else {
                let input = format!("payload {i} {}", "z".repeat(i * 100));
                let report = sandbox.run(&echo, "echo", input.as_bytes(), HostServices::local()).await;
                assert_eq!(output(&report), input.as_bytes());
            }
        }));
    }
    for job in jobs {
        job.await.unwrap();
    }
}
