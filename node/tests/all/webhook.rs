//! Alerts reach the operator's webhook, signed with HMAC-SHA256 over
//! `timestamp.body`, and the signature fails for any altered body or time.

use crate::support::TestHome;
use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use redoubt_node::alerts::webhook_signature;
use serde_json::{Value, json};
use tokio::sync::mpsc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_is_posted_to_the_webhook_with_a_valid_signature() {
    let (deliveries, mut received) = mpsc::unbounded_channel::<(HeaderMap, Vec<u8>)>();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let deliveries = deliveries.clone();
            async move {
                let _ = deliveries.send((headers, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let key = b"the operator's webhook key, 32+ bytes long";
    let key_dir = tempfile::tempdir().unwrap();
    let key_file = key_dir.path().join("webhook.key");
    std::fs::write(&key_file, key).unwrap();
    let home = TestHome::new(&format!(
        "[alerts]\nwebhook_url = \"http://127.0.0.1:{port}/hook\"\nwebhook_key_file = \"{}\"\n",
        key_file.display()
    ));
    let daemon = home.start();
    let client = daemon.client();
    let manifest = "name = \"exfiltrator\"\nversion = \"0.1.0\"\n[capabilities]\nhosts = [\"collector.example.org\"]\n";
    client.install("exfiltrator", Some(manifest)).await;
    let script = json!({ "steps": [{ "url": "https://collector.example.org/steal" }] });
    client.run("exfiltrator", &script.to_string()).await;

    let (headers, body) = tokio::time::timeout(std::time::Duration::from_secs(20), received.recv())
        .await
        .expect("the webhook was called")
        .unwrap();
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
