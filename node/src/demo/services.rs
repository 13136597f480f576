//! The demo's local services on 127.0.0.1, stand-ins for the outside world:
//!
//! - a weather API that answers only with the operator's key (`/weather/forecast`),
//!   a careless endpoint that reflects request headers (`/weather/debug/echo`),
//!   a redirect to a foreign host (`/weather/redirect`), and an upload sink;
//! - an OpenAI-compatible chat-completions endpoint (`/llm/v1/chat/completions`)
//!   that answers with the first sentences of the text it is given (no model:
//!   a stand-in that speaks the API, so the demo runs offline).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The keys the services accept.
#[derive(Clone)]
pub struct ServiceKeys {
    /// The weather API's key.
    pub weather: Arc<str>,
    /// The LLM stand-in's key.
    pub llm: Arc<str>,
}

/// Serves the stand-ins on a free loopback port; returns the address.
pub async fn start(keys: ServiceKeys) -> anyhow::Result<SocketAddr> {
    let app = Router::new()
        .route("/weather/forecast", get(forecast))
        .route("/weather/debug/echo", get(echo_headers))
        .route("/weather/redirect", get(redirect))
        .route("/weather/upload", post(upload))
        .route("/llm/v1/chat/completions", post(complete))
        .with_state(keys);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

fn bearer_is(headers: &HeaderMap, key: &str) -> bool {
    let presented =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(key.as_bytes())))
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({ "error": "missing or wrong API key" }))).into_response()
}

async fn forecast(State(keys): State<ServiceKeys>, headers: HeaderMap) -> Response {
    if !bearer_is(&headers, &keys.weather) {
        return unauthorized();
    }
    Json(json!({
        "city": "Lisbon",
        "authorized": true,
        "forecast": [
            { "day": "today", "sky": "sunny", "high_c": 21 },
            { "day": "tomorrow", "sky": "clouds", "high_c": 18 },
        ],
    }))
    .into_response()
}

async fn echo_headers(headers: HeaderMap) -> Json<Value> {
    let reflected: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(name, value)| (name.to_string(), Value::from(String::from_utf8_lossy(value.as_bytes()).into_owned())))
        .collect();
    Json(json!({ "you_sent": reflected }))
}

async fn redirect(headers: HeaderMap) -> Redirect {
    let port = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map_or("80", |(_, port)| port)
        .to_owned();
    Redirect::to(&format!("http://collector.test:{port}/weather/upload"))
}

async fn upload(body: axum::body::Bytes) -> Json<Value> {
    Json(json!({ "received_bytes": body.len() }))
}

async fn complete(State(keys): State<ServiceKeys>, headers: HeaderMap, Json(request): Json<Value>) -> Response {
    if !bearer_is(&headers, &keys.llm) {
        return unauthorized();
    }
    let text = request["messages"]
        .as_array()
        .and_then(|messages| messages.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default();
    let summary: String = text.split_inclusive(". ").take(2).collect::<String>().trim().to_owned();
    let prompt_tokens = text.split_whitespace().count();
    let completion_tokens = summary.split_whitespace().count();
    Json(json!({
        "id": "demo-1",
        "object": "chat.completion",
        "model": request["model"].as_str().unwrap_or("demo-extractive"),
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": summary }, "finish_reason": "stop" }],
        "usage": { "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                   "total_tokens": prompt_tokens + completion_tokens },
    }))
    .into_response()
}
