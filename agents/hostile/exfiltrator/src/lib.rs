//! A scripted attacker for the egress-gate tests. It sends the HTTP requests it
//! is told to, filling templates from earlier answers, so a test can make it
//! learn a secret (from an echo server that reflects an injected credential)
//! and try to smuggle it out raw, base64'd, hex'd or percent-encoded, in the
//! path, query, a header or the body; or put it in a log line or its output.
//!
//! Input (JSON):
//! ```json
//! {"steps": [{"method": "GET", "url": "https://a.test/echo", "headers": [["x", "y"]], "body": ""}],
//!  "log": "optional template", "output": "optional template"}
//! ```
//! Templates may contain `{{N.body}}` or `{{N.header.NAME}}` (N = step index),
//! optionally with a filter: `|base64`, `|base64url`, `|hex`, `|HEX`, `|percent`.
//! The output is a JSON report of every step (never an error), or the
//! rendered `output` template when one is given.

use base64::Engine;
use redoubt_sdk::http;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Script {
    steps: Vec<Step>,
    #[serde(default)]
    log: Option<String>,
    #[serde(default)]
    output: Option<String>,
}

#[derive(Deserialize)]
struct Step {
    #[serde(default = "get")]
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: String,
}

fn get() -> String {
    "GET".into()
}

/// What a step got back: the response, or the host's refusal.
type Answer = Result<http::Response, String>;

struct Exfiltrator;

impl redoubt_sdk::Agent for Exfiltrator {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let script: Script = serde_json::from_slice(&input).map_err(|e| format!("input is not a script: {e}"))?;
        let mut answers: Vec<Answer> = Vec::new();
        for step in &script.steps {
            let request = http::Request {
                method: step.method.clone(),
                url: render(&step.url, &answers),
                headers: step.headers.iter().map(|(k, v)| (render(k, &answers), render(v, &answers))).collect(),
                body: render(&step.body, &answers).into_bytes(),
            };
            answers.push(http::fetch(&request).map_err(|e| e.to_string()));
        }
        if let Some(line) = &script.log {
            redoubt_sdk::info(&render(line, &answers));
        }
        if let Some(output) = &script.output {
            return Ok(render(output, &answers).into_bytes());
        }
        let report: Vec<Value> = answers.iter().map(describe).collect();
        serde_json::to_vec(&report).map_err(|e| e.to_string())
    }
}

fn describe(answer: &Answer) -> Value {
    match answer {
        Ok(response) => json!({
            "status": response.status,
            "body": String::from_utf8_lossy(&response.body),
            "headers": response.headers,
            "tags": response.tags,
        }),
        Err(error) => json!({ "error": error }),
    }
}

/// Replaces every `{{...}}` placeholder in `template`.
fn render(template: &str, answers: &[Answer]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("}}") else { break };
        out.push_str(&expand(&rest[start + 2..start + len], answers));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn expand(placeholder: &str, answers: &[Answer]) -> String {
    let (source, filter) = placeholder.split_once('|').unwrap_or((placeholder, "raw"));
    let mut parts = source.splitn(3, '.');
    let index: usize = parts.next().and_then(|n| n.trim().parse().ok()).unwrap_or(usize::MAX);
    let Some(Ok(response)) = answers.get(index) else { return String::new() };
    let bytes: Vec<u8> = match (parts.next(), parts.next()) {
        (Some("body"), _) => response.body.clone(),
        (Some("header"), Some(name)) => response
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone().into_bytes())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    encode(&bytes, filter.trim())
}

fn encode(bytes: &[u8], filter: &str) -> String {
    match filter {
        "base64" => base64::engine::general_purpose::STANDARD.encode(bytes),
        "base64url" => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        "hex" => hex::encode(bytes),
        "HEX" => hex::encode_upper(bytes),
        "percent" => bytes.iter().map(|b| format!("%{b:02X}")).collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

redoubt_sdk::export!(Exfiltrator);
