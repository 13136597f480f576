//! kill -9 of the daemon in the middle of a job, then restarts: the job is
//! run again once, then failed; what finished before is neither lost nor
//! run twice; receipts, audit log and vault are intact.

use crate::support::TestHome;
use redoubt_attestation::{ReceiptChecks, SignedReceipt, Verifier, VerifierPolicy};
use serde_json::json;
use std::time::Duration;

const FOREVER: &str =
    "name = \"infinite-loop\"\nversion = \"0.1.0\"\n[limits]\nfuel = 50000000000\nwall_time_ms = 120000\n";

#[tokio::test]
async fn a_job_interrupted_by_kill_9_runs_again_once_then_fails_and_nothing_else_is_lost() {
    let home = TestHome::new("[jobs]\nbatch_interval_ms = 50\n");

    // Before the crashes: a finished job with a receipt, a secret, audit records.
    let daemon = home.start();
    let client = daemon.client();
    client.install("echo", None).await;
    client.install("infinite-loop", Some(FOREVER)).await;
    let secret = json!({ "name": "crash-token", "value": "a-value-that-survives-crashes",
        "policy": { "hosts": ["api.example.com"], "agents": ["name:echo"], "inject": { "kind": "bearer" } } });
    assert_eq!(client.post("/v1/secrets", &secret).await.0, 201);
    let done = client.run("echo", "finished before the crash").await;
    let done_id = done["id"].as_u64().unwrap();
    let audit_before = client.get("/v1/audit").await["records"].as_array().unwrap().len();
    assert!(audit_before >= 3, "installs and the secret were audited");

    let (_, looping) = client.post("/v1/jobs", &json!({ "agent": "infinite-loop" })).await;
    let id = looping["id"].as_u64().unwrap();
    let running = client.until(id, Duration::from_secs(20), |j| j["state"] == "running").await;
    assert_eq!(running["attempts"], 1);
    daemon.kill_9();

    // First restart: the interrupted job is queued again and started (second attempt).
    let daemon = home.start();
    let client = daemon.client();
    let again = client.until(id, Duration::from_secs(20), |j| j["state"] == "running" && j["attempts"] == 2).await;
    assert_eq!((again["state"].as_str(), again["attempts"].as_u64()), (Some("running"), Some(2)), "{again}");
    daemon.kill_9();

    // Second restart: out of attempts, it fails with a clear reason and is not run again.
    let daemon = home.start();
    let client = daemon.client();
    let failed = client.until(id, Duration::from_secs(20), |j| j["state"] == "failed").await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(failed["error"]["kind"], "interrupted");
    assert_eq!(failed["attempts"], 2);

    // What finished before is untouched and was not run again.
    let before = client.get(&format!("/v1/jobs/{done_id}")).await;
    assert_eq!(before, done, "the finished job is exactly as it was");
    assert_eq!(client.output(done_id).await, "finished before the crash");
    let bundle = client.until_receipt_batched(done_id).await;
    let signed: SignedReceipt = serde_json::from_value(bundle["receipt"].clone()).unwrap();
    let proof = serde_json::from_value(bundle["proof"].clone()).unwrap();
    let evidence = serde_json::from_value(bundle["evidence"].clone()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let checks = ReceiptChecks { proof: Some(&proof), evidence: Some(&evidence), parent: None };
    let outcome = Verifier::new(VerifierPolicy::default()).allow_dev(true).receipt_outcome(&signed, checks, now);
    assert!(outcome.verified, "{:?}", outcome.reason);

    // The audit log kept everything and gained the failure; the vault still holds the secret.
    let audit_after = client.get("/v1/audit").await["records"].as_array().unwrap().len();
    assert!(audit_after >= audit_before, "{audit_after} < {audit_before}");
    let secrets = client.get("/v1/secrets").await;
    assert_eq!(secrets[0]["name"], "crash-token");
    assert_eq!(client.run("echo", "after the crashes").await["state"], "succeeded");
}

impl crate::support::Client {
    /// The receipt bundle of job `id` once its batch is sealed.
    pub async fn until_receipt_batched(&self, id: u64) -> serde_json::Value {
        for _ in 0..200 {
            let bundle = self.get(&format!("/v1/jobs/{id}/receipt")).await;
            if !bundle["proof"].is_null() {
                return bundle;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receipt of job {id} was never batched");
    }
}
