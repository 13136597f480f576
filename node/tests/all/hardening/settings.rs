//! Settings that would disarm or brick the node are refused at start, the
//! daemon exiting non-zero with a message naming the key; a failing alert
//! webhook is logged by its host only (its path, query and userinfo often
//! carry a credential).

use crate::support::{TestHome, redoubt_within};
use serde_json::json;
use std::time::{Duration, Instant};

/// Longer than any refusal takes; a daemon that starts anyway is killed here.
const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn disarming_settings_stop_the_daemon_with_the_key_named() {
    let keys = tempfile::tempdir().unwrap();
    let empty = keys.path().join("empty.key");
    std::fs::write(&empty, b"").unwrap();
    let short = keys.path().join("short.key");
    std::fs::write(&short, b"0123456789abcdef\n").unwrap();
    let webhook = |key: &std::path::Path| {
        format!("[alerts]\nwebhook_url = \"http://127.0.0.1:9/hook\"\nwebhook_key_file = \"{}\"\n", key.display())
    };
    let cases = [
        (webhook(&empty), "alerts.webhook_key_file"),
        (webhook(&short), "alerts.webhook_key_file"),
        // Appended to the test home's `[api]` table.
        ("max_body_bytes = 0\n".to_owned(), "api.max_body_bytes = 0"),
        ("[egress]\ntimeout_ms = 0\n".to_owned(), "egress.timeout_ms = 0"),
        ("[sandbox]\nmax_component_bytes = 0\n".to_owned(), "sandbox.max_component_bytes = 0"),
    ];
    for (config, key) in cases {
        let home = TestHome::new(&config);
        let run = redoubt_within(&["node", "--home", home.arg()], LIMIT);
        assert_eq!(
            run.code,
            Some(1),
            "{key}: the daemon did not refuse\n--- stdout\n{}--- stderr\n{}",
            run.stdout,
            run.stderr
        );
        assert!(run.stderr.contains(key), "{key}: {}", run.stderr);
        assert!(!run.stdout.contains("listening"), "{key}: the daemon served");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_webhook_is_logged_by_host_only() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("webhook.key");
    std::fs::write(&key_file, b"the operator's webhook key, 32+ bytes long").unwrap();
    let url = format!("http://hookuser:hookpass@127.0.0.1:{port}/hooks/s3cr3tpath?token=q5ecr3tvalue");
    let home =
        TestHome::new(&format!("[alerts]\nwebhook_url = \"{url}\"\nwebhook_key_file = \"{}\"\n", key_file.display()));
    let log = tempfile::NamedTempFile::new().unwrap();
    let daemon = home.start_logged_to(log.path());
    let client = daemon.client();
    let manifest = "name = \"exfiltrator\"\nversion = \"0.1.0\"\n[capabilities]\nhosts = [\"collector.example.org\"]\n";
    client.install("exfiltrator", Some(manifest)).await;
    let script = json!({ "steps": [{ "url": "https://collector.example.org/steal" }] });
    client.run("exfiltrator", &script.to_string()).await;

    let started = Instant::now();
    let line = loop {
        let text = std::fs::read_to_string(log.path()).unwrap();
        if let Some(line) = text.lines().find(|line| line.contains("alert webhook failed")) {
            break line.to_owned();
        }
        assert!(started.elapsed() < LIMIT, "no webhook failure was logged:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(line.contains("host=\"127.0.0.1\""), "{line}");
    let text = std::fs::read_to_string(log.path()).unwrap();
    for secret in ["s3cr3tpath", "q5ecr3tvalue", "hookpass", "hookuser", "/hooks"] {
        assert!(!text.contains(secret), "the log carries {secret:?}:\n{text}");
    }
}
