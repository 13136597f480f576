//! The example agents run and give correct results.

use crate::support::{load, output, run, sandbox};
use redoubt_sandbox::{HostServices, JobError};
use serde_json::Value;

#[tokio::test]
async fn echo_returns_its_input_and_reports_usage() {
    let sandbox = sandbox();
    let echo = load(&sandbox, "echo");
    let input = b"hello, redoubt \x00\xff bytes";
    let report = run(&sandbox, &echo, input).await;
    assert_eq!(output(&report), input);
    assert!(report.usage.fuel > 0, "fuel is accounted");
    assert!(report.usage.memory_peak_bytes > 0, "memory is accounted");
    assert_eq!(report.usage.output_bytes, input.len() as u64);
}

#[tokio::test]
async fn word_stats_counts_words_lines_and_top_words() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "word-stats");
    let report = run(&sandbox, &agent, b"the cat and the hat\nThe end").await;
    let stats: Value = serde_json::from_slice(output(&report)).unwrap();
    assert_eq!(stats["words"], 7);
    assert_eq!(stats["lines"], 2);
    assert_eq!(stats["top_words"][0]["word"], "the");
    assert_eq!(stats["top_words"][0]["count"], 3);
}

#[tokio::test]
async fn kv_counter_keeps_state_between_jobs_of_the_same_host() {
    let sandbox = sandbox();
    let agent = load(&sandbox, "kv-counter");
    let host = HostServices::local();
    for expected in ["1", "2", "3"] {
        let report = sandbox.run(&agent, "job", b"visits", host.clone()).await;
        assert_eq!(output(&report), expected.as_bytes());
    }
    assert_eq!(sandbox.run(&agent, "job", b"other", host).await.outcome.unwrap(), b"1");
}

#[tokio::test]
async fn network_capabilities_say_they_are_unavailable_in_a_local_run() {
    let sandbox = sandbox();
    for (name, input) in [
        ("http-fetcher", &b"https://api.github.com/zen"[..]),
        ("llm-summarizer", b"A long text to summarize."),
        ("delegator", br#"{"capability":"summarize","input":"x","max_price_micros":10}"#),
    ] {
        let agent = load(&sandbox, name);
        let report = run(&sandbox, &agent, input).await;
        match report.outcome {
            Err(JobError::Agent { message }) => {
                assert!(message.contains("not available in local run"), "{name}: {message}")
            }
            other => panic!("{name}: expected the agent to report the unavailable capability, got {other:?}"),
        }
    }
}
