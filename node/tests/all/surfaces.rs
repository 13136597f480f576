//! The node's own API surfaces from the attacker's side: a secret pasted into
//! a request path or Host reaches no log, table, stream or webhook, and the
//! alert views keep answering; connections that send nothing are closed and
//! never keep the operator out; a foreign Host gets 421; logs written to a
//! pipe carry no colour codes, and JSON logs carry the event fields as keys.

use crate::support::{Client, TestHome, WebhookReceiver, canary_scan, carries, redoubt};
use reqwest::Method;
use reqwest::header::HOST;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const VALUE: &str = "pk-canary-4b1d9e7c2a6f8e3d5c1b9a7f";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_pasted_into_a_path_reaches_no_log_table_stream_or_webhook() {
    let mut hook = WebhookReceiver::start(b"the canary test's webhook key, 32 bytes or more").await;
    let home = TestHome::new(&hook.config());
    let daemon = home.start_logged(&[], "info");
    let client = daemon.client();
    let policy = json!({ "hosts": ["api.example.com"], "agents": ["name:echo"], "inject": { "kind": "bearer" } });
    let (status, _) = client.post("/v1/secrets", &json!({ "name": "canary", "value": VALUE, "policy": policy })).await;
    assert_eq!(status, 201);
    let mut events = client.request(Method::GET, "/v1/events").send().await.unwrap();

    // `redoubt secret rm VALUE`: the answer would echo the value, so it is withheld.
    let pasted = client.request(Method::DELETE, &format!("/v1/secrets/{VALUE}")).send().await.unwrap();
    assert_eq!(pasted.status(), 500);
    let body = pasted.text().await.unwrap();
    assert!(body.contains("response_withheld") && !carries(body.as_bytes(), VALUE), "{body}");
    // The same path without the token, and the value as the Host.
    let anonymous = Client { token: None, ..client.clone() };
    let refused = anonymous.request(Method::DELETE, &format!("/v1/secrets/{VALUE}")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let foreign = client.request(Method::GET, "/v1/node").header(HOST, VALUE).send().await.unwrap();
    assert_eq!(foreign.status(), 421);

    // The alert is delivered, stored and streamed, naming the route, never the value.
    let (_, delivered) = hook.next().await;
    let alert: Value = serde_json::from_slice(&delivered).unwrap();
    assert_eq!(alert["kind"], "api_response_withheld", "{alert}");
    assert!(alert["message"].as_str().unwrap().contains("/v1/secrets/{name}"), "{alert}");
    assert!(!carries(&delivered, VALUE), "the webhook body carries the value: {alert}");
    for view in ["/v1/alerts", "/v1/audit"] {
        let response = client.request(Method::GET, view).send().await.unwrap();
        assert_eq!(response.status(), 200, "{view} is still readable");
        let text = response.text().await.unwrap();
        assert!(text.contains("/v1/secrets/{name}") && !carries(text.as_bytes(), VALUE), "{view}: {text}");
    }
    let mut streamed = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&streamed).contains("api_response_withheld") {
        let chunk = tokio::time::timeout_at(deadline, events.chunk()).await.expect("the alert is streamed");
        streamed.extend_from_slice(&chunk.unwrap().expect("the stream stays open"));
    }
    assert!(!carries(&streamed, VALUE), "the event stream carries the value");

    let log = daemon.stderr();
    let text = String::from_utf8_lossy(&log);
    assert!(text.contains("response to /v1/secrets/{name} withheld"), "{text}");
    assert!(text.contains("refused: bad bearer token") && text.contains("refused: not a host"), "{text}");
    assert!(!carries(&log, VALUE), "the daemon's log carries the value:\n{text}");
    drop(daemon);
    canary_scan(home.path(), VALUE);
}

#[tokio::test]
async fn only_the_hosts_the_node_answers_as_are_served() {
    let home = TestHome::new("allowed_hosts = [\"node.internal\"]\n");
    let daemon = home.start();
    let client = daemon.client();
    let anonymous = Client { token: None, ..client.clone() };
    let port = daemon.addr().port();
    let foreign = ["evil.example".to_owned(), format!("evil.example:{port}"), "localhost".to_owned()];
    let wrong_port = format!("127.0.0.1:{}", port.wrapping_add(1));
    for host in foreign.iter().chain([&wrong_port]) {
        for (path, who) in [("/v1/node", &client), ("/v1/node", &anonymous), ("/healthz", &anonymous)] {
            let response = who.request(Method::GET, path).header(HOST, host).send().await.unwrap();
            assert_eq!(response.status(), 421, "Host {host} on {path}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "misdirected", "{body}");
        }
    }
    for host in ["localhost", "127.0.0.1", "[::1]", "node.internal", "NODE.Internal"] {
        let host = format!("{host}:{port}");
        let response = client.request(Method::GET, "/v1/node").header(HOST, &host).send().await.unwrap();
        assert_eq!(response.status(), 200, "Host {host}");
    }
    // The CLI's own client is answered.
    redoubt(&["secret", "list", "--home", home.arg(), "--api", &daemon.base, "--json"]).exits(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_and_never_keep_the_operator_out() {
    let home = TestHome::new("header_timeout_ms = 1000\nmax_connections = 4\n");
    let daemon = home.start();
    let client = daemon.client();
    let addr = daemon.addr();
    // Three times the cap of connections that send nothing, and one that sends half a request head.
    let mut flood = Vec::new();
    for _ in 0..12 {
        flood.push(TcpStream::connect(addr).await.unwrap());
    }
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /v1/node HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    flood.push(slow);

    let started = Instant::now();
    let served = tokio::time::timeout(Duration::from_secs(15), client.get("/v1/node")).await;
    let waited = started.elapsed();
    assert!(served.expect("the operator is served while the flood is open")["public_key"].is_string());
    // The flood is let in four at a time, each closed after a second: four rounds at most.
    assert!(waited < Duration::from_secs(6), "the operator waited {waited:?}");
    println!("the operator was served after {waited:?} with 13 idle connections open at a cap of 4");

    for (index, stream) in flood.iter_mut().enumerate() {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "idle connection {index} is still open");
    }
    // A new client: the first one's kept-alive connection sat idle past the header timeout, and
    // the node closes such connections (a reused one can race that close).
    let started = Instant::now();
    daemon.client().get("/v1/node").await;
    assert!(started.elapsed() < Duration::from_secs(1), "served at once when the flood is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_on_a_pipe_have_no_colour_and_json_logs_carry_fields_as_keys() {
    for (config, args, json) in [
        ("", &[][..], false),
        ("[log]\nformat = \"json\"\n", &[][..], true),
        ("[log]\nformat = \"text\"\n", &["--log-format", "json"][..], true),
    ] {
        let home = TestHome::new(config);
        let daemon = home.start_logged(args, "info");
        let client = daemon.client();
        let manifest =
            "name = \"exfiltrator\"\nversion = \"0.1.0\"\n[capabilities]\nhosts = [\"collector.example.org\"]\n";
        client.install("exfiltrator", Some(manifest)).await;
        let script = json!({ "steps": [{ "url": "https://collector.example.org/steal" }] });
        let job = client.run("exfiltrator", &script.to_string()).await["id"].as_u64().unwrap();
        let alerts = client.get("/v1/alerts").await;
        assert_eq!(alerts["alerts"][0]["kind"], "egress_blocked", "{alerts}");

        let log = String::from_utf8(daemon.stderr()).unwrap();
        assert!(!log.contains('\u{1b}'), "colour codes in a piped log ({config} {args:?}):\n{log}");
        if !json {
            assert!(log.contains("egress_blocked"), "{log}");
            continue;
        }
        let lines: Vec<Value> = log
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: not a JSON line: {line}")))
            .collect();
        let alert = lines.iter().find(|line| line["kind"] == "egress_blocked").expect("the alert's line");
        assert_eq!(alert["job"], job, "{alert}");
        assert_eq!(alert["agent"], "exfiltrator", "{alert}");
        assert_eq!(alert["alert"], alerts["alerts"][0]["id"], "{alert}");
        assert_eq!(alert["level"], "WARN", "{alert}");
    }
}
