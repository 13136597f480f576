//! The agents' key-value store against the real daemon, from the attacker's
//! side: a job's writes are its own until it succeeds (read-your-writes
//! inside it, visible to the next job after it), are dropped when it fails or
//! the daemon is killed mid-job, and a write carrying a vault secret, raw or
//! base64, is refused with an alert and never reaches the database.

use crate::support::{Client, TestHome};
use base64::Engine;
use serde_json::{Value, json};
use std::time::Duration;

const SECRET: &str = "kv-canary-3b9f1d7e5a2c8e4f6a0d9c7b5e3f1a8d";

/// A `set` step: key and value each handed over in two parts, so a secret
/// passes the node's input scan and is joined inside the agent.
fn set(key: &str, value: &str, base64: bool) -> Value {
    let (k1, k2) = key.split_at(key.len() / 2);
    let (v1, v2) = value.split_at(value.len() / 2);
    json!({ "set": { "key": [k1, k2], "value": [v1, v2], "base64": base64 } })
}

/// Runs a kv-writer script; returns the job.
async fn script(client: &Client, steps: Vec<Value>, then: &str) -> Value {
    client.run("kv-writer", &json!({ "steps": steps, "then": then }).to_string()).await
}

/// The answers of a succeeded kv-writer job.
async fn answers(client: &Client, job: &Value) -> Value {
    assert_eq!(job["state"], "succeeded", "{job}");
    serde_json::from_str(&client.output(job["id"].as_u64().unwrap()).await).unwrap()
}

/// Whether `file` holds `needle` anywhere.
fn holds(file: &std::path::Path, needle: &[u8]) -> bool {
    std::fs::read(file).unwrap().windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn writes_are_read_back_in_the_job_committed_with_it_and_dropped_when_it_fails() {
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    client.install("kv-writer", None).await;

    // Read-your-writes inside one job, before anything is committed.
    let steps = vec![
        set("colour", "blue", false),
        json!({ "get": "colour" }),
        json!({ "delete": "colour" }),
        json!({ "get": "colour" }),
        set("shape", "round", false),
        json!({ "get": "shape" }),
    ];
    let first = answers(&client, &script(&client, steps, "succeed").await).await;
    assert_eq!(first, json!([null, "blue", null, null, null, "round"]));

    // A job that writes and then fails leaves nothing; the next job sees the first's commit only.
    let failed = script(&client, vec![set("shape", "square", false), set("size", "large", false)], "fail").await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(failed["error"]["kind"], "agent");
    let steps = vec![json!({ "get": "shape" }), json!({ "get": "size" }), json!({ "get": "colour" })];
    let second = answers(&client, &script(&client, steps, "succeed").await).await;
    assert_eq!(second, json!(["round", null, null]));

    // Many sets in one job: one commit at its end, all of them visible after.
    let fill =
        answers(&client, &script(&client, vec![json!({ "fill": { "count": 5000, "bytes": 32 } })], "succeed").await)
            .await;
    assert_eq!(fill, json!([5000]));
    let read = answers(&client, &script(&client, vec![json!({ "get": "k4999" })], "succeed").await).await;
    assert_eq!(read, json!(["v".repeat(32)]));
}

#[tokio::test]
async fn a_write_carrying_a_secret_is_refused_with_an_alert_and_never_stored() {
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    client.install("kv-writer", None).await;
    let policy = json!({ "hosts": ["api.example.com"], "agents": ["name:kv-writer"], "inject": { "kind": "bearer" } });
    let (status, _) =
        client.post("/v1/secrets", &json!({ "name": "kv-token", "value": SECRET, "policy": policy })).await;
    assert_eq!(status, 201);

    let steps = vec![
        set("raw", SECRET, false),
        set("encoded", SECRET, true),
        set(&format!("key-{SECRET}"), "innocent", false),
        set("fine", "nothing to see", false),
        json!({ "get": "raw" }),
        json!({ "get": "encoded" }),
    ];
    let job = script(&client, steps, "succeed").await;
    let answers = answers(&client, &job).await;
    for refused in &answers.as_array().unwrap()[..3] {
        let message = refused.as_str().unwrap_or_else(|| panic!("a write carrying the secret went through: {answers}"));
        assert!(message.contains("kv-token") && !message.contains(SECRET), "{message}");
    }
    assert_eq!(answers[3], Value::Null, "a clean write goes through: {answers}");
    assert_eq!((&answers[4], &answers[5]), (&Value::Null, &Value::Null), "refused writes leave nothing: {answers}");

    let alerts = client.get("/v1/alerts").await;
    let kv_alerts = alerts["alerts"].as_array().unwrap().iter().filter(|a| a["kind"] == "secret_in_kv").count();
    assert_eq!(kv_alerts, 3, "{alerts}");
    drop(daemon);

    let database = home.path().join("node.redb");
    let encoded = base64::engine::general_purpose::STANDARD.encode(SECRET);
    for needle in [SECRET.as_bytes(), encoded.as_bytes(), hex::encode(SECRET).as_bytes()] {
        assert!(!holds(&database, needle), "node.redb holds the secret ({})", String::from_utf8_lossy(needle));
    }
    assert!(holds(&database, b"nothing to see"), "the clean write was committed");
}

#[tokio::test]
async fn a_kill_9_mid_job_leaves_nothing_of_its_writes() {
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    let manifest = "name = \"kv-writer\"\nversion = \"0.1.0\"\n[capabilities]\nkv = true\n[limits]\nfuel = 50000000000\nwall_time_ms = 120000\n";
    client.install("kv-writer", Some(manifest)).await;
    let marker = "written-before-the-crash-7c1e";
    let steps = vec![set("crash", marker, false), json!({ "fill": { "count": 500, "bytes": 8 } })];
    let (_, job) = client
        .post(
            "/v1/jobs",
            &json!({ "agent": "kv-writer", "input": json!({ "steps": steps, "then": "spin" }).to_string() }),
        )
        .await;
    let id = job["id"].as_u64().unwrap();
    let running = client.until(id, Duration::from_secs(20), |j| j["state"] == "running").await;
    assert_eq!(running["state"], "running", "{running}");
    // The writes are made at once; the agent then spins.
    tokio::time::sleep(Duration::from_millis(500)).await;
    daemon.kill_9();

    let daemon = home.start();
    let client = daemon.client();
    // The job is run again after the restart; cancelling it drops that attempt's writes too.
    client.until(id, Duration::from_secs(20), |j| j["state"] == "running" && j["attempts"] == 2).await;
    let (status, cancelled) = client.post(&format!("/v1/jobs/{id}/cancel"), &json!({})).await;
    assert_eq!(status, 200, "{cancelled}");
    let cancelled = client.until(id, Duration::from_secs(20), |j| j["state"] == "cancelled").await;
    assert_eq!(cancelled["state"], "cancelled", "{cancelled}");
    let steps = vec![json!({ "get": "crash" }), json!({ "get": "k0" })];
    let read = answers(&client, &script(&client, steps, "succeed").await).await;
    assert_eq!(read, json!([null, null]));
    drop(daemon);
    assert!(!holds(&home.path().join("node.redb"), marker.as_bytes()), "node.redb holds the killed job's write");
}

#[tokio::test]
async fn a_job_holds_at_most_its_cap_of_uncommitted_values_and_the_refusal_is_clear() {
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    let manifest = "name = \"kv-writer\"\nversion = \"0.1.0\"\n[capabilities]\nkv = true\n[limits]\nkv_bytes = 1048576\nmemory_bytes = 134217728\noutput_bytes = 4194304\n";
    client.install("kv-writer", Some(manifest)).await;
    // 1 MiB values: the job's 16 MiB of uncommitted values hold sixteen of them.
    let steps = vec![json!({ "fill": { "count": 20, "bytes": 1 << 20 } }), set("after", "the cap", false)];
    let written = answers(&client, &script(&client, steps, "succeed").await).await;
    assert_eq!(written[0], 16, "{written}");
    let refusal = written[1].as_str().unwrap_or_else(|| panic!("a write past the cap went through: {written}"));
    assert!(refusal.contains("at most 16777216 bytes"), "{refusal}");
    let read =
        answers(&client, &script(&client, vec![json!({ "get": "k15" }), json!({ "get": "k16" })], "succeed").await)
            .await;
    assert_eq!(read[0].as_str().map(str::len), Some(1 << 20));
    assert_eq!(read[1], Value::Null);
}
