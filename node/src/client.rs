//! The CLI's client for a running node's API: the base URL comes from
//! `--api`, `$REDOUBT_API_URL`, or the node's `api.listen`; the token from
//! `$REDOUBT_API_TOKEN` or the node's `api-token` file.

use crate::alerts::{Alert, AuditRecord};
use crate::api::{AddSecret, InstallAgent, NodeInfo, ReceiptBundle, RotateSecret, SecretView, SubmitJobRequest};
use crate::config::Config;
use crate::home::Home;
use crate::job::{JobId, JobRecord};
use crate::store::AgentRecord;
use anyhow::{Context, bail};
use base64::Engine;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A connection to a node's API.
#[derive(Clone)]
pub struct ApiClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

/// An error the API answered with.
#[derive(Debug, thiserror::Error)]
#[error("{status}: {message}")]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The error code.
    pub code: String,
    /// The message.
    pub message: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// A page of alerts as the API returns it.
#[derive(Debug, Deserialize)]
pub struct AlertPage {
    /// The alerts.
    pub alerts: Vec<Alert>,
    /// Where the next page starts.
    pub last: u64,
}

/// A page of audit records as the API returns it.
#[derive(Debug, Deserialize)]
pub struct AuditPage {
    /// The records.
    pub records: Vec<AuditRecord>,
    /// Where the next page starts.
    pub last: u64,
}

impl ApiClient {
    /// A client for `base` (e.g. `http://127.0.0.1:7171`) with `token`.
    pub fn new(base: impl Into<String>, token: impl Into<String>) -> ApiClient {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(600)).build().expect("an HTTP client");
        ApiClient { base: base.into().trim_end_matches('/').to_owned(), token: token.into(), http }
    }

    /// The client for the node under `home`, or the one `api` names.
    pub fn for_home(home: &Home, api: Option<String>) -> anyhow::Result<ApiClient> {
        let base = match api.or_else(|| std::env::var("REDOUBT_API_URL").ok()) {
            Some(url) => url,
            None => format!("http://{}", Config::load(&home.config_file())?.api.listen),
        };
        let token = match std::env::var("REDOUBT_API_TOKEN") {
            Ok(token) => token,
            Err(_) => std::fs::read_to_string(home.api_token()).with_context(|| {
                format!("reading the API token {} (run `redoubt init`)", home.api_token().display())
            })?,
        };
        Ok(ApiClient::new(base, token.trim()))
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token)
    }

    async fn send(&self, request: RequestBuilder) -> anyhow::Result<Response> {
        let response = request.send().await.with_context(|| format!("reaching the node at {}", self.base))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let failure = match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => ApiFailure { status, code: body.error.code, message: body.error.message },
            Err(_) => ApiFailure { status, code: "http".into(), message: text },
        };
        Err(failure.into())
    }

    async fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> anyhow::Result<T> {
        Ok(self.send(request).await?.json().await?)
    }

    /// `GET /healthz`
    pub async fn healthy(&self) -> bool {
        matches!(self.http.get(format!("{}/healthz", self.base)).send().await, Ok(r) if r.status().is_success())
    }

    /// `GET /v1/node`
    pub async fn node(&self) -> anyhow::Result<NodeInfo> {
        self.json(self.request(Method::GET, "/v1/node")).await
    }

    /// `GET /v1/node/evidence`
    pub async fn evidence(&self, nonce: Option<&[u8]>) -> anyhow::Result<redoubt_attestation::Evidence> {
        let mut request = self.request(Method::GET, "/v1/node/evidence");
        if let Some(nonce) = nonce {
            request = request.query(&[("nonce", hex::encode(nonce))]);
        }
        self.json(request).await
    }

    /// `POST /v1/agents`
    pub async fn install(&self, manifest: &str, component: &[u8]) -> anyhow::Result<AgentRecord> {
        let body = InstallAgent {
            manifest: manifest.to_owned(),
            component_base64: base64::engine::general_purpose::STANDARD.encode(component),
        };
        self.json(self.request(Method::POST, "/v1/agents").json(&body)).await
    }

    /// `GET /v1/agents`
    pub async fn agents(&self) -> anyhow::Result<Vec<AgentRecord>> {
        self.json(self.request(Method::GET, "/v1/agents")).await
    }

    /// `DELETE /v1/agents/{name}`
    pub async fn remove_agent(&self, name: &str) -> anyhow::Result<()> {
        self.send(self.request(Method::DELETE, &format!("/v1/agents/{name}"))).await.map(drop)
    }

    /// `POST /v1/jobs`, optionally waiting up to `wait` for the job to end.
    pub async fn submit(&self, agent: &str, input: &[u8], wait: Option<Duration>) -> anyhow::Result<JobRecord> {
        let body = SubmitJobRequest {
            agent: agent.to_owned(),
            input: None,
            input_base64: Some(base64::engine::general_purpose::STANDARD.encode(input)),
            market_ref: None,
        };
        let mut request = self.request(Method::POST, "/v1/jobs").json(&body);
        if let Some(wait) = wait {
            request = request.query(&[("wait", "true".to_owned()), ("timeout_ms", wait.as_millis().to_string())]);
        }
        self.json(request).await
    }

    /// `GET /v1/jobs`
    pub async fn jobs(&self, state: Option<&str>, limit: usize) -> anyhow::Result<Vec<JobRecord>> {
        let mut request = self.request(Method::GET, "/v1/jobs").query(&[("limit", limit.to_string())]);
        if let Some(state) = state {
            request = request.query(&[("state", state)]);
        }
        self.json(request).await
    }

    /// `GET /v1/jobs/{id}`
    pub async fn job(&self, id: JobId) -> anyhow::Result<JobRecord> {
        self.json(self.request(Method::GET, &format!("/v1/jobs/{id}"))).await
    }

    /// `GET /v1/jobs/{id}/output`
    pub async fn output(&self, id: JobId) -> anyhow::Result<Vec<u8>> {
        Ok(self.send(self.request(Method::GET, &format!("/v1/jobs/{id}/output"))).await?.bytes().await?.to_vec())
    }

    /// `GET /v1/jobs/{id}/logs`
    pub async fn logs(&self, id: JobId) -> anyhow::Result<String> {
        Ok(self.send(self.request(Method::GET, &format!("/v1/jobs/{id}/logs"))).await?.text().await?)
    }

    /// `GET /v1/jobs/{id}/receipt`
    pub async fn receipt(&self, id: JobId) -> anyhow::Result<ReceiptBundle> {
        self.json(self.request(Method::GET, &format!("/v1/jobs/{id}/receipt"))).await
    }

    /// `POST /v1/jobs/{id}/cancel`
    pub async fn cancel(&self, id: JobId) -> anyhow::Result<JobRecord> {
        self.json(self.request(Method::POST, &format!("/v1/jobs/{id}/cancel"))).await
    }

    /// `POST /v1/secrets`
    pub async fn add_secret(&self, secret: &AddSecret) -> anyhow::Result<SecretView> {
        self.json(self.request(Method::POST, "/v1/secrets").json(secret)).await
    }

    /// `GET /v1/secrets`
    pub async fn secrets(&self) -> anyhow::Result<Vec<SecretView>> {
        self.json(self.request(Method::GET, "/v1/secrets")).await
    }

    /// `DELETE /v1/secrets/{name}`
    pub async fn remove_secret(&self, name: &str) -> anyhow::Result<()> {
        self.send(self.request(Method::DELETE, &format!("/v1/secrets/{name}"))).await.map(drop)
    }

    /// `POST /v1/secrets/{name}/rotate`
    pub async fn rotate_secret(&self, name: &str, value: String) -> anyhow::Result<SecretView> {
        let body = RotateSecret { value };
        self.json(self.request(Method::POST, &format!("/v1/secrets/{name}/rotate")).json(&body)).await
    }

    /// `GET /v1/alerts`
    pub async fn alerts(&self, after: u64) -> anyhow::Result<AlertPage> {
        self.json(self.request(Method::GET, "/v1/alerts").query(&[("after", after)])).await
    }

    /// `GET /v1/audit`
    pub async fn audit(&self, after: u64) -> anyhow::Result<AuditPage> {
        self.json(self.request(Method::GET, "/v1/audit").query(&[("after", after)])).await
    }

    /// `GET /v1/events`: the raw server-sent event stream.
    pub async fn events(&self) -> anyhow::Result<Response> {
        let response = self.send(self.request(Method::GET, "/v1/events")).await?;
        if !response.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream")) {
            bail!("the node did not answer with an event stream");
        }
        Ok(response)
    }
}
