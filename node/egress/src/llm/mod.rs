//! The LLM client: OpenAI-compatible chat completions (`POST {base}/chat/completions`; NEAR AI
//! Cloud by default) sent through the egress gate, like any agent request.
//!
//! Who the call is for: the agent. The gate sees the agent's job, name and code hash, so the
//! vault's policy on the API key decides which agents may use the node's LLM (by name or code
//! hash), every use is counted against the key, and a block names the agent. What the call may do
//! is the operator's: the provider host and the key's secret name come from [`LlmConfig`], and
//! replace the manifest's hosts and secrets for this call. The agent's manifest only switches the
//! capability on (`llm = true`, checked by the sandbox); it cannot point the client at another host
//! or make it carry another secret. The provider host must also be in the operator's egress policy
//! (checked when the client is made), so one list says where the node may connect.
//!
//! The agent's messages are in the request body and so pass the leak scan: an agent cannot send a
//! secret to the provider inside a prompt. The answer is redacted by the gate (a provider that
//! reflects the key gives the agent `[REDACTED:<name>]`) and the completion text is tagged by the
//! prompt-injection heuristics.

mod error;
mod wire;

pub use error::LlmError;
pub use wire::{ChatMessage, Role};

use crate::allowlist;
use crate::gate::Gate;
use crate::prompt_guard;
use crate::request::{Caller, OutboundRequest};
use crate::target::Target;
use std::sync::Arc;
use wire::{ErrorBody, RequestBody, ResponseBody};

/// NEAR AI Cloud's OpenAI-compatible API.
pub const NEAR_AI_CLOUD: &str = "https://cloud-api.near.ai/v1";

/// The most characters of a provider's error message kept in [`LlmError::Provider`].
const MAX_MESSAGE_CHARS: usize = 300;

/// The operator's LLM settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LlmConfig {
    /// Base URL of an OpenAI-compatible API, e.g. [`NEAR_AI_CLOUD`].
    pub base_url: String,
    /// The vault secret holding the API key. Its policy must allow the provider host, the agents
    /// that may use the LLM, and should inject it as a bearer token.
    pub api_key_secret: String,
    /// The model used when a request names none.
    pub default_model: String,
    /// The most completion tokens a request may ask for (and the value when it asks for none).
    pub max_tokens: u32,
}

impl LlmConfig {
    /// NEAR AI Cloud with the key in `api_key_secret`.
    pub fn near_ai(api_key_secret: &str, default_model: &str) -> LlmConfig {
        LlmConfig {
            base_url: NEAR_AI_CLOUD.to_string(),
            api_key_secret: api_key_secret.to_string(),
            default_model: default_model.to_string(),
            max_tokens: 4096,
        }
    }
}

/// A completion request from an agent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChatRequest {
    /// The model; the configured default when `None`.
    pub model: Option<String>,
    /// The conversation.
    pub messages: Vec<ChatMessage>,
    /// At most this many completion tokens (clamped to the configured maximum).
    pub max_tokens: Option<u32>,
}

/// The provider's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatCompletion {
    /// The first choice's message text (redacted).
    pub content: String,
    /// The model that answered (as the provider says; else the one asked for).
    pub model: String,
    /// Prompt tokens counted by the provider (0 when it does not say).
    pub prompt_tokens: u32,
    /// Completion tokens counted by the provider (0 when it does not say).
    pub completion_tokens: u32,
    /// Tags from the gate and from the prompt-injection heuristics run on `content`.
    pub tags: Vec<String>,
}

/// Sends chat completions through the gate.
pub struct LlmClient {
    gate: Arc<Gate>,
    config: LlmConfig,
    endpoint: String,
    host: String,
}

impl LlmClient {
    /// A client for `config`. Refuses a base URL the gate would refuse (scheme, port, userinfo)
    /// and a provider host the operator's egress policy does not list.
    pub fn new(gate: Arc<Gate>, config: LlmConfig) -> Result<LlmClient, LlmError> {
        let endpoint = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        let target = Target::parse(&endpoint, gate.config())
            .map_err(|e| LlmError::Config(format!("base URL {:?}: {e}", config.base_url)))?;
        let host = target.host_str();
        if !allowlist::allowed(&host, std::slice::from_ref(&host), &gate.config().operator_hosts) {
            return Err(LlmError::Config(format!(
                "the operator's egress policy does not allow the provider host {host}"
            )));
        }
        Ok(LlmClient { gate, config, endpoint, host })
    }

    /// Asks the provider for a completion on behalf of `caller` (its job, name and code hash; its
    /// manifest hosts and secrets are not used, see the module documentation).
    pub async fn complete(&self, caller: &Caller, request: ChatRequest) -> Result<ChatCompletion, LlmError> {
        let model = request.model.unwrap_or_else(|| self.config.default_model.clone());
        let max_tokens = request.max_tokens.unwrap_or(self.config.max_tokens).min(self.config.max_tokens);
        let body = RequestBody { model: &model, messages: &request.messages, max_tokens, stream: false };
        let body = serde_json::to_vec(&body).map_err(|e| LlmError::Config(e.to_string()))?;
        let llm_caller = Caller {
            hosts: vec![self.host.clone()],
            secrets: vec![self.config.api_key_secret.clone()],
            ..caller.clone()
        };
        let outbound = OutboundRequest {
            method: "POST".to_string(),
            url: self.endpoint.clone(),
            headers: vec![
                ("content-type".to_string(), "application/json".to_string()),
                ("accept".to_string(), "application/json".to_string()),
            ],
            body,
        };
        let response = self.gate.fetch(&llm_caller, outbound).await?;
        if !(200..300).contains(&response.status) {
            return Err(LlmError::Provider { status: response.status, message: error_message(&response.body) });
        }
        let parsed: ResponseBody = serde_json::from_slice(&response.body)
            .map_err(|e| LlmError::Malformed(format!("not a chat completion: {e}")))?;
        let content = parsed
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| LlmError::Malformed("no choices".to_string()))?
            .message
            .and_then(|m| m.content)
            .ok_or_else(|| LlmError::Malformed("the first choice has no message content".to_string()))?;
        let mut tags = response.tags;
        for tag in prompt_guard::tags(&content) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let usage = parsed.usage.unwrap_or(wire::Usage { prompt_tokens: 0, completion_tokens: 0 });
        Ok(ChatCompletion {
            content,
            model: parsed.model.unwrap_or(model),
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            tags,
        })
    }
}

/// The provider's error message, or the start of the body, shortened.
fn error_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) => parsed.error.message,
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    text.chars().take(MAX_MESSAGE_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_are_extracted_and_shortened() {
        assert_eq!(error_message(br#"{"error":{"message":"invalid key"}}"#), "invalid key");
        assert_eq!(error_message(b"<html>502 Bad Gateway</html>"), "<html>502 Bad Gateway</html>");
        assert_eq!(error_message("x".repeat(1000).as_bytes()).len(), MAX_MESSAGE_CHARS);
    }

    #[test]
    fn near_ai_defaults() {
        let c = LlmConfig::near_ai("near-ai-key", "some-model");
        assert_eq!(c.base_url, "https://cloud-api.near.ai/v1");
        assert_eq!((c.api_key_secret.as_str(), c.default_model.as_str()), ("near-ai-key", "some-model"));
    }
}
