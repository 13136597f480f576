//! Huge host-call arguments against the real daemon: an agent with a 512 MiB
//! memory limit hands the host a 300 MiB request body, then a 100 MiB log
//! line. Each job ends as `limit_exceeded` naming the limit, and the daemon's
//! peak memory grows by the agent's own linear memory (which it may use) and
//! not by a host copy of the argument.

use crate::support::TestHome;

/// Resets the daemon's peak resident memory to what it holds now.
fn reset_peak_rss(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("resetting the daemon's VmHWM");
}

/// The daemon's peak resident memory since the last reset, in bytes (`VmHWM`).
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the daemon's /proc status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("a VmHWM line");
    let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmHWM in kB");
    kib << 10
}

#[tokio::test]
async fn a_huge_request_body_or_log_line_is_refused_without_a_host_copy() {
    const MIB: u64 = 1 << 20;
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    client.install("huge-args", None).await;
    // Warm up: the agent compiled and a job run, so the baseline holds what every job costs.
    assert_eq!(client.run("huge-args", "kv 0").await["state"], "succeeded");

    for (input, limit) in [("request 300", "request_bytes"), ("log 100", "log_bytes"), ("alloc 600", "memory_bytes")] {
        reset_peak_rss(daemon.pid());
        let before = peak_rss(daemon.pid());
        let job = client.run("huge-args", input).await;
        let grown = peak_rss(daemon.pid()).saturating_sub(before);
        assert_eq!(job["state"], "failed", "{input}: {job}");
        assert_eq!(job["error"]["kind"], "limit_exceeded", "{input}: {job}");
        let message = job["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("limit exceeded: {limit} ")), "{input}: {message}");
        // The agent's own memory is its to use; anything beyond it is the host's.
        let guest = job["usage"]["memory_peak_bytes"].as_u64().unwrap();
        eprintln!("{input}: peak RSS grew {} MiB; agent memory {} MiB", grown / MIB, guest / MIB);
        assert!(
            grown < guest + 64 * MIB,
            "{input}: peak RSS grew {} MiB for {} MiB of agent memory",
            grown / MIB,
            guest / MIB
        );
    }
    assert_eq!(client.run("huge-args", "kv 0").await["state"], "succeeded", "the node keeps serving");
}
