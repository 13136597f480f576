//! Secrets through the CLI and the node, from the attacker's side: the value
//! goes in on stdin and never comes out (not in listings, outputs, logs, the
//! database, or any file of the node's home); a colluding server that hands a
//! hostile agent the key in two halves has its response refused (counted as a
//! reflection of the secret); one that hands it out in pieces too short to
//! recognise gets the agent's output withheld and its log line redacted, with
//! alerts.

use crate::support::{Client, Daemon, TestHome, canary_scan, redoubt, redoubt_with_stdin};
use axum::Router;
use axum::routing::get;
use base64::Engine;
use serde_json::{Value, json};

const SECRET: &str = "sk-live-7f3a9c1e5b2d8f4a6c0e9b7d5f3a1c8e";

/// The number of 6-byte pieces `/piece/{i}` hands out.
const PIECES: usize = SECRET.len().div_ceil(6);

/// A colluding server: it hands out the secret in two halves (body and header) at `/halves`, and
/// in pieces of 6 bytes, one per request, at `/piece/{i}`.
async fn colluding_server() -> u16 {
    let (first, second) = SECRET.split_at(SECRET.len() / 2);
    let piece = |axum::extract::Path(i): axum::extract::Path<usize>| async move {
        SECRET[6 * i..(6 * i + 6).min(SECRET.len())].to_string()
    };
    let app = Router::new()
        .route("/halves", get(move || async move { ([("x-rest", second)], first) }))
        .route("/piece/{i}", get(piece));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

/// A node whose egress reaches the local servers, with `exfiltrator` installed and declaring
/// `api-key` (which the tests add).
async fn exfiltrator_node() -> (TestHome, Daemon, Client) {
    let home =
        TestHome::new("[egress]\nhosts = [\"localhost\"]\nallow_http = true\nallow_loopback = true\nany_port = true\n");
    let daemon = home.start();
    let client = daemon.client();
    let manifest = "name = \"exfiltrator\"\nversion = \"0.1.0\"\n[capabilities]\nhosts = [\"localhost\"]\nsecrets = [\"api-key\"]\n";
    client.install("exfiltrator", Some(manifest)).await;
    (home, daemon, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_goes_in_on_stdin_and_never_comes_out() {
    let (home, daemon, client) = exfiltrator_node().await;

    // The value comes from stdin, never argv.
    let args = ["secret", "add", "api-key", "--host", "localhost", "--agent", "exfiltrator", "--inject", "bearer"];
    let args: Vec<&str> = args.iter().copied().chain(["--home", home.arg(), "--api", &daemon.base, "--json"]).collect();
    let added = redoubt_with_stdin(&args, Some(format!("{SECRET}\n").as_bytes())).exits(0);
    assert!(!added.stdout.contains(SECRET) && !added.stderr.contains(SECRET));
    let listed = redoubt(&["secret", "list", "--home", home.arg(), "--api", &daemon.base, "--json"]).exits(0);
    assert!(listed.stdout.contains("api-key") && !listed.stdout.contains(SECRET), "{}", listed.stdout);
    let empty = redoubt_with_stdin(&args, Some(b"")).exits(2);
    assert!(empty.stderr.contains("empty"), "{}", empty.stderr);

    // A colluding server splits the key in halves (body and header): the response is refused, the
    // agent gets neither half, and the refusal counts against the secret.
    let port = colluding_server().await;
    let script = json!({
        "steps": [{ "url": format!("http://localhost:{port}/halves") }],
        "output": "{{0.body}}{{0.header.x-rest}}",
    });
    let job = client.run("exfiltrator", &script.to_string()).await;
    assert_eq!((job["state"].as_str(), job["output_bytes"].as_u64()), (Some("succeeded"), Some(0)), "{job}");
    let alerts = client.get("/v1/alerts").await.to_string();
    assert!(alerts.contains("secret_reflected") && alerts.contains("api-key") && !alerts.contains(SECRET), "{alerts}");
    // The count is written by the alert path, just after the job ends: wait for it, boundedly.
    let mut reflections = Value::Null;
    for _ in 0..50 {
        let secrets = client.get("/v1/secrets").await;
        reflections = secrets[0]["reflections"].clone();
        if reflections == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(reflections, 1, "the refusal is counted against the secret");

    // Pieces of 6 bytes, one per response, pass the gate (no scanner stops a secret leaked a few
    // bytes at a time); the agent joins them: its output is withheld and its log line redacted.
    let steps: Vec<_> = (0..PIECES).map(|i| json!({ "url": format!("http://localhost:{port}/piece/{i}") })).collect();
    let joined: String = (0..PIECES).map(|i| format!("{{{{{i}.body}}}}")).collect();
    let script = json!({ "steps": steps, "log": format!("joined: {joined}"), "output": joined });
    let job = client.run("exfiltrator", &script.to_string()).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["error"]["kind"], "output_withheld", "{job}");
    assert!(job["error"]["message"].as_str().unwrap().contains("api-key"));
    let id = job["id"].as_u64().unwrap();
    let output = client.request(reqwest::Method::GET, &format!("/v1/jobs/{id}/output")).send().await.unwrap();
    assert_eq!(output.status(), 409, "no output is served");
    let logs = client
        .request(reqwest::Method::GET, &format!("/v1/jobs/{id}/logs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(logs.contains("joined: [REDACTED:api-key]") && !logs.contains(SECRET), "{logs}");

    // An input carrying the key, in any encoding, never reaches an agent.
    for input in
        [SECRET.to_owned(), base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(SECRET), hex::encode_upper(SECRET)]
    {
        let (status, answer) = client.post("/v1/jobs", &json!({ "agent": "exfiltrator", "input": input })).await;
        assert_eq!(status, 422, "{answer}");
    }

    let alerts = client.get("/v1/alerts").await;
    let kinds: Vec<&str> = alerts["alerts"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    for kind in ["output_withheld", "secret_in_log", "secret_in_input"] {
        assert!(kinds.contains(&kind), "no {kind} alert in {kinds:?}");
    }
    for alert in alerts["alerts"].as_array().unwrap() {
        assert!(!alert.to_string().contains(SECRET), "an alert carries the value: {alert}");
    }
    drop(daemon);
    canary_scan(home.path(), SECRET);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packages_references_and_responses_carrying_a_secret_are_refused_or_withheld() {
    use base64::Engine as _;
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    client.install("echo", None).await;

    // A value stored in job data before it became a vault secret is never served afterwards:
    // the API's last scan withholds the response.
    let job = client.run("echo", SECRET).await;
    let id = job["id"].as_u64().unwrap();
    assert_eq!(client.output(id).await, SECRET, "not a secret yet");
    let policy = json!({ "hosts": ["api.example.com"], "agents": ["name:echo"], "inject": { "kind": "bearer" } });
    let (status, _) =
        client.post("/v1/secrets", &json!({ "name": "api-key", "value": SECRET, "policy": policy })).await;
    assert_eq!(status, 201);
    let output = client.request(reqwest::Method::GET, &format!("/v1/jobs/{id}/output")).send().await.unwrap();
    assert_eq!(output.status(), 500);
    let body = output.text().await.unwrap();
    assert!(body.contains("response_withheld") && body.contains("api-key") && !body.contains(SECRET), "{body}");

    // A package with the key baked into its manifest, or into its code, is not installed.
    let echo = redoubt_agents::find("echo").unwrap();
    let leaky_manifest = format!("name = \"leaky\"\nversion = \"0.1.0\"\ndescription = \"uses {SECRET}\"\n");
    let mut leaky_component = echo.component.to_vec();
    leaky_component.extend_from_slice(hex::encode(SECRET).as_bytes());
    let plain_manifest = "name = \"leaky\"\nversion = \"0.1.0\"\n";
    for (manifest, component, place) in
        [(leaky_manifest.as_str(), echo.component.to_vec(), "manifest"), (plain_manifest, leaky_component, "component")]
    {
        let body = json!({ "manifest": manifest,
            "component_base64": base64::engine::general_purpose::STANDARD.encode(&component) });
        let (status, answer) = client.post("/v1/agents", &body).await;
        assert_eq!(status, 422, "{place}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(place) && message.contains("api-key") && !message.contains(SECRET), "{message}");
    }
    let agents = client.get("/v1/agents").await;
    assert_eq!(agents.as_array().unwrap().len(), 1, "only echo is installed: {agents}");

    // A client reference is signed into the receipt: one carrying the key is refused.
    let reference = base64::engine::general_purpose::STANDARD.encode(SECRET);
    let (status, answer) =
        client.post("/v1/jobs", &json!({ "agent": "echo", "input": "hi", "market_ref": reference })).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("market_ref"), "{answer}");

    let alerts = client.get("/v1/alerts").await;
    let kinds: Vec<&str> = alerts["alerts"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    for kind in ["api_response_withheld", "secret_in_package", "secret_in_input"] {
        assert!(kinds.contains(&kind), "no {kind} alert in {kinds:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reflection_revokes_the_agents_grant_when_the_policy_says_so() {
    let (home, daemon, client) = exfiltrator_node().await;
    let args = ["secret", "add", "api-key", "--host", "localhost", "--agent", "exfiltrator", "--agent", "word-stats"];
    let args: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--inject", "bearer", "--revoke-on-reflection", "--home", home.arg(), "--api", &daemon.base])
        .collect();
    redoubt_with_stdin(&args, Some(format!("{SECRET}\n").as_bytes())).exits(0);
    let port = colluding_server().await;
    let script = json!({ "steps": [{ "url": format!("http://localhost:{port}/halves") }], "output": "done" });
    client.run("exfiltrator", &script.to_string()).await;
    // The revocation runs on the alert path just after the refusal: wait for it, boundedly.
    let (mut agents, mut alerts) = (Value::Null, String::new());
    for _ in 0..50 {
        agents = client.get("/v1/secrets").await[0]["policy"]["agents"].clone();
        alerts = client.get("/v1/alerts").await.to_string();
        if agents == json!(["name:word-stats"]) && alerts.contains("grant_revoked") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(agents, json!(["name:word-stats"]), "only the reflecting agent lost its grant");
    assert!(alerts.contains("grant_revoked") && !alerts.contains(SECRET), "{alerts}");
    // Its next request to the secret's own host carries no credential.
    let echo = json!({ "steps": [{ "url": format!("http://localhost:{port}/piece/0") }], "output": "{{0.body}}" });
    let job = client.run("exfiltrator", &echo.to_string()).await;
    assert_eq!(job["state"], "succeeded", "{job}");
}
