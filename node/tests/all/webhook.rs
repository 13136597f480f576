//! Alerts reach the operator's webhook, signed with HMAC-SHA256 over
//! `timestamp.body`, and the signature fails for any altered body or time.

use crate::support::{TestHome, WebhookReceiver};
use redoubt_node::alerts::webhook_signature;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_is_posted_to_the_webhook_with_a_valid_signature() {
    let key = b"the operator's webhook key, 32+ bytes long";
    let mut hook = WebhookReceiver::start(key).await;
    let home = TestHome::new(&hook.config());
    let daemon = home.start();
    let client = daemon.client();
    let manifest = "name = \"exfiltrator\"\nversion = \"0.1.0\"\n[capabilities]\nhosts = [\"collector.example.org\"]\n";
    client.install("exfiltrator", Some(manifest)).await;
    let script = json!({ "steps": [{ "url": "https://collector.example.org/steal" }] });
    client.run("exfiltrator", &script.to_string()).await;

    let (headers, body) = hook.next().await;
    let alert: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(alert["kind"], "egress_blocked", "{alert}");
    assert_eq!(alert["host"], "collector.example.org");
    let timestamp: u64 = headers["x-redoubt-timestamp"].to_str().unwrap().parse().unwrap();
    let signature = headers["x-redoubt-signature"].to_str().unwrap();
    assert_eq!(signature, webhook_signature(key, timestamp, &body), "the signature verifies");
    let mut altered = body.clone();
    altered[1] ^= 1;
    assert_ne!(signature, webhook_signature(key, timestamp, &altered), "an altered body does not verify");
    assert_ne!(signature, webhook_signature(key, timestamp + 1, &body), "a replayed time does not verify");
    assert_ne!(signature, webhook_signature(b"another key", timestamp, &body));
}
