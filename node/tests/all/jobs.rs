//! Jobs through the API: many at once from several clients, cancellation,
//! delegation with child receipts, receipts that verify offline.

use crate::support::TestHome;
use redoubt_attestation::{InclusionProof, ReceiptChecks, SignedReceipt, Verifier, VerifierPolicy};
use reqwest::Method;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_jobs_from_several_clients_all_finish_correctly() {
    let home = TestHome::new("");
    let daemon = home.start();
    let setup = daemon.client();
    setup.install("echo", None).await;
    setup.install("word-stats", None).await;

    let mut tasks = Vec::new();
    for client_no in 0..4 {
        // Separate HTTP clients: separate connection pools, as separate callers would have.
        let client = daemon.client();
        for i in 0..50 {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let input = format!("client {client_no} job {i} {}", "payload ".repeat(i));
                let agent = if i % 5 == 0 { "word-stats" } else { "echo" };
                let job = client.run(agent, &input).await;
                assert_eq!(job["state"], "succeeded", "{job}");
                let output = client.output(job["id"].as_u64().unwrap()).await;
                if agent == "echo" {
                    assert_eq!(output, input);
                } else {
                    let stats: serde_json::Value = serde_json::from_str(&output).unwrap();
                    assert_eq!(stats["words"], 4 + i, "{output}");
                }
                job["id"].as_u64().unwrap()
            }));
        }
    }
    let mut ids = HashSet::new();
    for task in tasks {
        assert!(ids.insert(task.await.unwrap()), "job ids are unique");
    }
    assert_eq!(ids.len(), 200);
    let succeeded = setup.get("/v1/jobs?state=succeeded&limit=1000").await;
    assert_eq!(succeeded.as_array().unwrap().len(), 200);
}

#[tokio::test]
async fn a_running_job_can_be_cancelled_and_the_node_goes_on() {
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    let forever =
        "name = \"infinite-loop\"\nversion = \"0.1.0\"\n[limits]\nfuel = 50000000000\nwall_time_ms = 120000\n";
    client.install("infinite-loop", Some(forever)).await;
    client.install("echo", None).await;
    let (status, job) = client.post("/v1/jobs", &json!({ "agent": "infinite-loop" })).await;
    assert_eq!(status, 202);
    let id = job["id"].as_u64().unwrap();
    let running = client.until(id, Duration::from_secs(20), |j| j["state"] == "running").await;
    assert_eq!(running["state"], "running");
    let cancelled = client.request(Method::POST, &format!("/v1/jobs/{id}/cancel")).send().await.unwrap();
    assert_eq!(cancelled.status(), 200);
    let job = client.until(id, Duration::from_secs(10), |j| j["state"] == "cancelled").await;
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(job["receipt"].is_null(), "a cancelled job signs nothing");
    let again = client.request(Method::POST, &format!("/v1/jobs/{id}/cancel")).send().await.unwrap();
    assert_eq!(again.status(), 409, "a finished job cannot be cancelled again");
    assert_eq!(client.run("echo", "after").await["state"], "succeeded");
}

#[tokio::test]
async fn delegation_runs_a_child_job_with_its_own_receipt_and_receipts_verify_offline() {
    let home = TestHome::new("[jobs]\nbatch_interval_ms = 50\n");
    let daemon = home.start();
    let client = daemon.client();
    client.install("delegator", None).await;
    client.install("word-stats", None).await;
    let order = json!({ "capability": "text-analysis", "input": "one two two", "max_price_micros": 10 });
    let parent = client.run("delegator", &order.to_string()).await;
    assert_eq!(parent["state"], "succeeded", "{parent}");
    let answer: serde_json::Value = serde_json::from_str(&client.output(parent["id"].as_u64().unwrap()).await).unwrap();
    assert!(answer["worker"].as_str().unwrap().starts_with("word-stats@"), "{answer}");
    let jobs = client.get("/v1/jobs").await;
    let child = jobs.as_array().unwrap().iter().find(|j| j["parent"] == parent["id"]).expect("a child job");
    assert_eq!(child["receipt"], answer["receipt_hash"], "the hirer gets the child's receipt hash");

    // Wait for the batch, then verify both receipts as an outside verifier would.
    let verifier = Verifier::new(VerifierPolicy::default()).allow_dev(true);
    let mut receipts = Vec::new();
    for id in [parent["id"].as_u64().unwrap(), child["id"].as_u64().unwrap()] {
        let mut bundle = client.get(&format!("/v1/jobs/{id}/receipt")).await;
        for _ in 0..100 {
            if !bundle["proof"].is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            bundle = client.get(&format!("/v1/jobs/{id}/receipt")).await;
        }
        let signed: SignedReceipt = serde_json::from_value(bundle["receipt"].clone()).unwrap();
        let proof: InclusionProof = serde_json::from_value(bundle["proof"].clone()).unwrap();
        let evidence = serde_json::from_value(bundle["evidence"].clone()).unwrap();
        let checks = ReceiptChecks { proof: Some(&proof), evidence: Some(&evidence), parent: None };
        let outcome = verifier.receipt_outcome(&signed, checks, now());
        assert!(outcome.verified, "job {id}: {:?}", outcome.reason);
        let strict = Verifier::new(VerifierPolicy::default()).receipt_outcome(&signed, checks, now());
        assert!(!strict.verified, "dev evidence is refused unless the verifier allows it");
        receipts.push(signed);
    }
    // The two receipts name each other: the child its hirer, the hirer the child's receipt.
    let (parent_receipt, child_receipt) = (&receipts[0], &receipts[1]);
    assert_eq!(child_receipt.receipt.delegated_by, Some(parent_receipt.receipt.job_ref()));
    assert_eq!(parent_receipt.receipt.delegated_receipts, vec![child_receipt.receipt.hash()]);
    let linked = ReceiptChecks { parent: Some(parent_receipt), ..ReceiptChecks::default() };
    let outcome = verifier.receipt_outcome(child_receipt, linked, now());
    assert!(outcome.verified, "{:?}", outcome.reason);
    // Presented the other way round, the hirer is not a job the child hired.
    let reversed = ReceiptChecks { parent: Some(child_receipt), ..ReceiptChecks::default() };
    assert_eq!(verifier.receipt_outcome(parent_receipt, reversed, now()).code, Some("delegation-not-delegated"));
    // A capability nobody offers is a clear agent-side error, not a crash.
    let order = json!({ "capability": "teleport", "input": "x", "max_price_micros": 10 });
    let job = client.run("delegator", &order.to_string()).await;
    assert_eq!(job["state"], "failed");
    assert!(job["error"]["message"].as_str().unwrap().contains("no agent on this node offers"), "{job}");
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}
