//! HTTP and LLM calls go through the egress gate ([`redoubt_egress`]); its
//! blocks become audit records and alerts. This module builds the gate from
//! the node's configuration and adapts the sandbox's host traits to it.

use crate::alerts::{AlertBus, Incident, Severity};
use crate::config::Config;
use crate::store::Store;
use async_trait::async_trait;
use redoubt_egress::{
    BlockEvent, BlockReason, BlockSink, Caller, ChatMessage, ChatRequest, Gate, GateConfig, GateError, LlmClient,
    LlmConfig, LlmError, OutboundRequest, Ports, Role, SystemResolver,
};
use redoubt_sandbox::host::{
    CallContext, Completion, CompletionRequest, HostError, HttpHost, HttpRequest, HttpResponse, LlmHost, LlmRole,
};
use redoubt_vault::{HostPattern, Vault};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The gate, and the LLM client on top of it when the provider is usable.
pub struct Egress {
    /// The gate.
    pub gate: Arc<Gate>,
    /// The LLM client, or why there is none.
    pub llm: Result<Arc<LlmClient>, String>,
}

impl Egress {
    /// The gate for `config`, reporting blocks to `alerts` (a refused reflection is also counted
    /// in `store`, and revokes the agent's grant when the secret's policy says so).
    pub fn new(config: &Config, vault: Arc<Mutex<Vault>>, alerts: AlertBus, store: Store) -> anyhow::Result<Egress> {
        let egress = &config.egress;
        let operator_hosts = egress.hosts.iter().map(|h| HostPattern::parse(h)).collect::<Result<Vec<_>, _>>()?;
        let gate_config = GateConfig {
            allow_http: egress.allow_http,
            allow_loopback: egress.allow_loopback,
            operator_hosts,
            ports: if egress.any_port { Ports::Any } else { Ports::Default },
            total_timeout: Duration::from_millis(egress.timeout_ms),
            max_response_bytes: egress.max_response_bytes,
            ..GateConfig::default()
        };
        let sink = Arc::new(AlertSink { alerts, store, vault: Arc::clone(&vault) });
        let gate = Arc::new(Gate::new(gate_config, vault, Arc::new(SystemResolver), sink)?);
        let llm_config = LlmConfig {
            base_url: config.llm.base_url.clone(),
            api_key_secret: config.llm.api_key_secret.clone(),
            default_model: config.llm.model.clone(),
            ..LlmConfig::near_ai(&config.llm.api_key_secret, &config.llm.model)
        };
        let llm = LlmClient::new(gate.clone(), llm_config).map(Arc::new).map_err(|e| e.to_string());
        if let Err(why) = &llm {
            tracing::info!(%why, "LLM calls are unavailable");
        }
        Ok(Egress { gate, llm })
    }
}

/// Turns gate blocks into incidents; counts refused reflections and applies the secret's
/// revocation option.
struct AlertSink {
    alerts: AlertBus,
    store: Store,
    vault: Arc<Mutex<Vault>>,
}

impl BlockSink for AlertSink {
    fn blocked(&self, event: &BlockEvent) {
        let (severity, kind) = match event.reason {
            BlockReason::Leak { .. } => (Severity::Critical, "secret_exfiltration_blocked"),
            BlockReason::Reflected { .. } => (Severity::Critical, "secret_reflected"),
            _ => (Severity::Warning, "egress_blocked"),
        };
        self.alerts.raise(Incident {
            action: "egress.blocked".into(),
            alert: Some((severity, kind.into())),
            agent: Some(event.agent.clone()),
            job: event.job_id.parse().ok(),
            host: Some(event.host.clone()).filter(|h| !h.is_empty()),
            secret: event.secret.clone(),
            message: format!("request to {} blocked (hop {}): {}", event.host, event.hop, event.reason),
        });
        if let (BlockReason::Reflected { secret, .. }, Ok(runtime)) =
            (&event.reason, tokio::runtime::Handle::try_current())
        {
            let (store, vault, alerts) = (self.store.clone(), Arc::clone(&self.vault), self.alerts.clone());
            let (secret, event) = (secret.clone(), event.clone());
            runtime.spawn(async move {
                if let Err(e) = store.count_reflection(&secret).await {
                    tracing::warn!(secret, "counting a reflection: {e}");
                }
                let revoked = tokio::task::spawn_blocking(move || revoke(&vault, &secret, &event)).await;
                if let Ok(Some(incident)) = revoked {
                    alerts.raise(incident);
                }
            });
        }
    }
}

/// Removes the agent from `secret`'s policy when the policy revokes on reflection; the incident
/// to raise, if it did (or failed to).
fn revoke(vault: &Mutex<Vault>, secret: &str, event: &BlockEvent) -> Option<Incident> {
    let mut vault = vault.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let policy = vault.list().into_iter().find(|s| s.name == secret)?.policy;
    if !policy.revoke_on_reflection {
        return None;
    }
    let message = match vault.set_policy(secret, policy.without_agent(&event.agent, &event.code_hash)) {
        Ok(()) => format!("agent {}'s grant of secret {secret} revoked after a refused reflection", event.agent),
        Err(e) => format!("revoking agent {}'s grant of secret {secret} failed: {e}", event.agent),
    };
    Some(Incident {
        action: "secret.grant_revoked".into(),
        alert: Some((Severity::Critical, "grant_revoked".into())),
        agent: Some(event.agent.clone()),
        job: event.job_id.parse().ok(),
        host: None,
        secret: Some(secret.to_string()),
        message,
    })
}

fn caller(ctx: &CallContext) -> Caller {
    Caller {
        job_id: ctx.job_id.clone(),
        agent_name: ctx.agent_name.clone(),
        code_hash: ctx.code_hash.0,
        hosts: ctx.capabilities.hosts.clone(),
        secrets: ctx.capabilities.secrets.clone(),
    }
}

fn host_error(error: GateError) -> HostError {
    match error {
        GateError::Blocked(blocked) => HostError::Denied(blocked.to_string()),
        other => HostError::Failed(other.to_string()),
    }
}

/// `http.fetch` through the gate.
pub struct GateHttp(pub Arc<Gate>);

#[async_trait]
impl HttpHost for GateHttp {
    async fn fetch(&self, ctx: &CallContext, request: HttpRequest) -> Result<HttpResponse, HostError> {
        let outbound =
            OutboundRequest { method: request.method, url: request.url, headers: request.headers, body: request.body };
        let response = self.0.fetch(&caller(ctx), outbound).await.map_err(host_error)?;
        Ok(HttpResponse {
            status: response.status,
            headers: response.headers,
            body: response.body,
            tags: response.tags,
        })
    }
}

/// `llm.complete` through the gate, or why it is unavailable.
pub struct GateLlm(pub Result<Arc<LlmClient>, String>);

#[async_trait]
impl LlmHost for GateLlm {
    async fn complete(&self, ctx: &CallContext, request: CompletionRequest) -> Result<Completion, HostError> {
        let client = self.0.as_ref().map_err(|why| HostError::Unavailable(format!("no LLM provider: {why}")))?;
        let messages = request
            .messages
            .into_iter()
            .map(|m| ChatMessage {
                role: match m.role {
                    LlmRole::System => Role::System,
                    LlmRole::User => Role::User,
                    LlmRole::Assistant => Role::Assistant,
                },
                content: m.content,
            })
            .collect();
        let chat = ChatRequest { model: request.model, messages, max_tokens: request.max_tokens };
        let answer = client.complete(&caller(ctx), chat).await.map_err(|error| match error {
            LlmError::Gate(gate) => host_error(gate),
            other => HostError::Failed(other.to_string()),
        })?;
        Ok(Completion {
            content: answer.content,
            model: answer.model,
            prompt_tokens: answer.prompt_tokens,
            completion_tokens: answer.completion_tokens,
            tags: answer.tags,
        })
    }
}
