//! The LLM client against a local server speaking the chat-completions API, honest and hostile.

use crate::support::servers::Server;
use crate::support::{Env, bearer, caller};
use redoubt_egress::{
    BlockReason, ChatMessage, ChatRequest, GateError, LlmClient, LlmConfig, LlmError, Location, Role, TimeoutStage,
};
use std::sync::Arc;

struct Setup {
    env: Env,
    server: Server,
    client: LlmClient,
    key: String,
}

async fn setup() -> Setup {
    let env = Env::new();
    let key = env.secret("llm-key", &["llm.redoubt.test"], &["name:weather-bot"], bearer());
    let server = Server::http(&[]).await;
    env.resolver.answer("llm.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let config = LlmConfig {
        base_url: server.url("http", "llm.redoubt.test", "/v1/"),
        api_key_secret: "llm-key".into(),
        default_model: "echo".into(),
        max_tokens: 256,
    };
    let client = LlmClient::new(gate, config).unwrap();
    Setup { env, server, client, key }
}

fn ask(model: Option<&str>, text: &str) -> ChatRequest {
    ChatRequest {
        model: model.map(str::to_string),
        messages: vec![
            ChatMessage { role: Role::System, content: "You are terse.".into() },
            ChatMessage { role: Role::User, content: text.into() },
        ],
        max_tokens: Some(10_000),
    }
}

/// The agent's manifest declares nothing: the provider host and the key come from the LLM config.
fn agent() -> redoubt_egress::Caller {
    caller(&[], &[])
}

#[tokio::test]
async fn a_completion_goes_through_the_gate_with_the_key_injected() {
    let s = setup().await;
    let completion = s.client.complete(&agent(), ask(None, "hello")).await.unwrap();
    assert_eq!(completion.content, "you said: hello");
    assert_eq!(
        (completion.model.as_str(), completion.prompt_tokens, completion.completion_tokens),
        ("echo-2025", 11, 7)
    );
    assert!(completion.tags.is_empty());
    let seen = &s.server.seen()[0];
    assert_eq!((seen.method.as_str(), seen.path_and_query.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(seen.header("authorization"), Some(format!("Bearer {}", s.key).as_str()));
    let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(body["max_tokens"], 256, "clamped to the operator's maximum");
    assert_eq!(body["messages"][0]["role"], "system");
}

#[tokio::test]
async fn a_provider_reflecting_the_key_is_refused() {
    let s = setup().await;
    let err = s.client.complete(&agent(), ask(Some("reflect"), "hi")).await.unwrap_err();
    let LlmError::Gate(GateError::Blocked(blocked)) = err else { panic!("{err:?}") };
    assert!(matches!(blocked.reason, BlockReason::Reflected { ref secret, .. } if secret == "llm-key"), "{blocked}");
}

#[tokio::test]
async fn a_secret_in_the_prompt_is_blocked() {
    let s = setup().await;
    let err = s.client.complete(&agent(), ask(None, &format!("remember this: {}", s.key))).await.unwrap_err();
    let LlmError::Gate(GateError::Blocked(blocked)) = err else { panic!("{err:?}") };
    assert!(
        matches!(blocked.reason, BlockReason::Leak { ref secret, location: Location::Body, .. } if secret == "llm-key")
    );
    let event = s.env.only_block();
    assert_eq!((event.host.as_str(), event.secret.as_deref()), ("llm.redoubt.test", Some("llm-key")));
    assert!(s.server.seen().is_empty());
}

#[tokio::test]
async fn hostile_providers_give_typed_errors() {
    let s = setup().await;
    let huge = s.client.complete(&agent(), ask(Some("huge"), "x")).await.unwrap_err();
    assert!(
        matches!(huge, LlmError::Gate(GateError::Blocked(ref b)) if b.reason == BlockReason::ResponseTooLarge { limit: 8 << 20 }),
        "{huge:?}"
    );
    let malformed = s.client.complete(&agent(), ask(Some("malformed"), "x")).await.unwrap_err();
    assert!(matches!(malformed, LlmError::Malformed(_)), "{malformed:?}");
    let empty = s.client.complete(&agent(), ask(Some("empty"), "x")).await.unwrap_err();
    assert!(matches!(empty, LlmError::Malformed(ref m) if m == "no choices"), "{empty:?}");
    let status = s.client.complete(&agent(), ask(Some("error"), "x")).await.unwrap_err();
    assert!(
        matches!(status, LlmError::Provider { status: 401, ref message } if message == "invalid api key"),
        "{status:?}"
    );
    let slow = s.client.complete(&agent(), ask(Some("slow"), "x")).await.unwrap_err();
    assert!(
        matches!(slow, LlmError::Gate(GateError::Blocked(ref b)) if b.reason == BlockReason::Timeout { stage: TimeoutStage::Response }),
        "{slow:?}"
    );
    let reasons: Vec<_> = s.env.blocks().into_iter().map(|e| e.reason).collect();
    assert_eq!(
        reasons,
        [BlockReason::ResponseTooLarge { limit: 8 << 20 }, BlockReason::Timeout { stage: TimeoutStage::Response }]
    );
}

#[tokio::test]
async fn an_injection_in_the_completion_is_tagged() {
    let s = setup().await;
    let completion = s.client.complete(&agent(), ask(Some("inject"), "x")).await.unwrap();
    assert!(completion.tags.contains(&"prompt-injection-suspected".to_string()), "{:?}", completion.tags);
    assert!(completion.tags.contains(&"prompt-injection:instruction-override".to_string()));
}

#[tokio::test]
async fn an_agent_the_keys_policy_does_not_name_gets_no_key() {
    let s = setup().await;
    let stranger = redoubt_egress::Caller { agent_name: "stranger".into(), ..agent() };
    let completion = s.client.complete(&stranger, ask(Some("reflect"), "hi")).await.unwrap();
    assert_eq!(completion.content, "debug: I was called with ");
    assert_eq!(s.server.seen()[0].header("authorization"), None);
}

#[tokio::test]
async fn the_provider_host_must_be_in_the_operators_policy() {
    let env = Env::new();
    let gate = env.gate(|_| {});
    let bad = |base: &str| LlmConfig { base_url: base.into(), ..LlmConfig::near_ai("llm-key", "m") };
    let refused = LlmClient::new(Arc::clone(&gate), bad("https://cloud-api.near.ai/v1")).err().unwrap();
    assert!(matches!(refused, LlmError::Config(ref m) if m.contains("cloud-api.near.ai")), "{refused:?}");
    let refused = LlmClient::new(Arc::clone(&gate), bad("https://user:pw@llm.redoubt.test/v1")).err().unwrap();
    assert!(matches!(refused, LlmError::Config(_)));
    assert!(LlmClient::new(gate, bad("https://llm.redoubt.test/v1")).is_ok());
    assert!(env.blocks().is_empty(), "configuration errors are not blocks");
}
