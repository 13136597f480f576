//! The API from the outside: refusals of bad tokens and bad bodies, and the
//! node keeps serving after each; the OpenAPI document, metrics and events.

use crate::support::{Client, TestHome};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_missing_or_wrong_token_is_refused_everywhere_but_healthz() {
    let home = TestHome::new("");
    let daemon = home.start();
    let good = daemon.client();
    let anonymous = Client { token: None, ..good.clone() };
    let wrong = Client { token: Some("0".repeat(64)), ..good.clone() };
    let almost = Client { token: Some(format!("{}x", &good.token.clone().unwrap()[..63])), ..good.clone() };

    let healthz = anonymous.request(Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(healthz.status(), 200);
    for path in [
        "/v1/node",
        "/v1/agents",
        "/v1/jobs",
        "/v1/secrets",
        "/v1/alerts",
        "/v1/audit",
        "/metrics",
        "/openapi.json",
        "/v1/events",
    ] {
        for (who, client) in [("no token", &anonymous), ("wrong token", &wrong), ("near-miss token", &almost)] {
            let response = client.request(Method::GET, path).send().await.unwrap();
            assert_eq!(response.status(), 401, "{who} on {path}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthorized", "{body}");
        }
    }
    // A token in another scheme or in the query string is not accepted either.
    let basic = anonymous.request(Method::GET, "/v1/node").basic_auth("x", good.token.clone()).send().await.unwrap();
    assert_eq!(basic.status(), 401);
    let query = anonymous
        .request(Method::GET, &format!("/v1/node?token={}", good.token.clone().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 401);
    assert!(good.get("/v1/node").await["public_key"].as_str().unwrap().starts_with("ed25519:"));
    let metrics = good.request(Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("redoubt_api_refusals_total{kind=\"token_wrong\"}"), "{metrics}");
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_clear_4xx_and_the_node_keeps_serving() {
    // Extends the [api] table TestHome starts.
    let home = TestHome::new("max_body_bytes = 65536\n");
    let daemon = home.start();
    let client = daemon.client();
    client.install("echo", None).await;

    let raw = |body: &'static str| {
        let client = client.clone();
        async move {
            let response = client
                .request(Method::POST, "/v1/jobs")
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    for (body, why) in [
        ("{", "truncated JSON"),
        ("[]", "wrong shape"),
        ("{\"agent\": 7}", "wrong type"),
        ("{\"agent\": \"echo\", \"sneaky\": true}", "unknown field"),
        ("{\"agent\": \"echo\", \"input_base64\": \"***\"}", "bad base64"),
        ("{\"agent\": \"echo\", \"input\": \"a\", \"input_base64\": \"YQ==\"}", "both inputs"),
    ] {
        let (status, answer) = raw(body).await;
        assert!((400..500).contains(&status), "{why}: {status} {answer}");
        assert!(answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{why}: {answer}");
    }
    let no_type = client.request(Method::POST, "/v1/jobs").body("{\"agent\":\"echo\"}").send().await.unwrap();
    assert_eq!(no_type.status(), 415, "a body without content-type is refused");

    let huge = json!({ "agent": "echo", "input": "x".repeat(200_000) });
    let (status, answer) = client.post("/v1/jobs", &huge).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"]["code"], "too_large");

    let (status, answer) = client.post("/v1/jobs", &json!({ "agent": "nobody" })).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (404, Some("not_found")), "{answer}");
    let missing = client.request(Method::GET, "/v1/jobs/999999").send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let bad_id = client.request(Method::GET, "/v1/jobs/not-a-number").send().await.unwrap();
    assert_eq!(bad_id.status(), 400);

    // Still serving: a normal job works after all of that.
    let job = client.run("echo", "still here").await;
    assert_eq!(job["state"], "succeeded");
    assert_eq!(client.output(job["id"].as_u64().unwrap()).await, "still here");
}

#[tokio::test]
async fn an_agent_the_sandbox_refuses_is_not_installed() {
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    for (name, manifest, expect) in [
        ("undeclared-import", None, "does not offer"),
        ("oversize", None, "above the operator's limit"),
        ("echo", Some("name = \"echo\"\nversion = \"1.0.0\"\n[limits]\nmemory_bytes = 99999999999\n"), "cap"),
        ("kv-counter", Some("name = \"kv-counter\"\nversion = \"1.0.0\"\n"), "capabilities.kv"),
    ] {
        use base64::Engine;
        let agent = redoubt_agents::find(name).unwrap();
        let body = json!({
            "manifest": manifest.unwrap_or(agent.manifest),
            "component_base64": base64::engine::general_purpose::STANDARD.encode(agent.component),
        });
        let (status, answer) = client.post("/v1/agents", &body).await;
        assert_eq!(status, 422, "{name}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(expect), "{name}: {answer}");
    }
    assert_eq!(client.get("/v1/agents").await, json!([]));
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let home = TestHome::new("");
    let daemon = home.start();
    let document = daemon.client().get("/openapi.json").await;
    let paths = document["paths"].as_object().expect("paths");
    for path in [
        "/healthz",
        "/v1/node",
        "/v1/node/evidence",
        "/v1/agents",
        "/v1/agents/{name}",
        "/v1/jobs",
        "/v1/jobs/{id}",
        "/v1/jobs/{id}/output",
        "/v1/jobs/{id}/logs",
        "/v1/jobs/{id}/receipt",
        "/v1/jobs/{id}/cancel",
        "/v1/receipts/{hash}",
        "/v1/batches/{index}",
        "/v1/secrets",
        "/v1/secrets/{name}",
        "/v1/secrets/{name}/rotate",
        "/v1/alerts",
        "/v1/audit",
        "/v1/events",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(path), "{path} is missing from the OpenAPI document");
    }
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    assert!(document["components"]["schemas"]["JobRecord"].is_object());
}

#[tokio::test]
async fn the_event_stream_carries_a_jobs_life() {
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    client.install("echo", None).await;
    let mut stream = client.request(Method::GET, "/v1/events").send().await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let job = client.run("echo", "evented").await;
    let id = job["id"].as_u64().unwrap();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains("event: job_finished") && tokio::time::Instant::now() < deadline {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk()).await.unwrap().unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    for event in ["event: job_queued", "event: job_started", "event: job_finished"] {
        assert!(seen.contains(event), "{event} missing from:\n{seen}");
    }
    assert!(seen.contains(&format!("\"job\":{id}")), "{seen}");
}
