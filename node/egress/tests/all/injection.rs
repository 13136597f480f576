//! Credentials: injected only where their policy allows, never seen by the agent even when a
//! server reflects them (the response is refused), never granted to an agent or a request the
//! policy does not name.

use crate::support::servers::Server;
use crate::support::{AGENT, Env, bearer, blocked, caller, get};
use redoubt_egress::{BlockReason, Location, OutboundRequest};
use redoubt_vault::{Encoding, Form, Injection};

#[tokio::test]
async fn a_credential_goes_to_its_own_host_only_and_its_echo_is_refused() {
    let env = Env::new();
    let value = env.secret("api-token", &["api.redoubt.test"], &["name:weather-bot"], bearer());
    let server = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    env.resolver.answer("other.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let who = caller(&["*.redoubt.test"], &["api-token"]);

    let refused = blocked(gate.fetch(&who, get(&server.url("http", "api.redoubt.test", "/echo"))).await);
    assert!(matches!(refused, BlockReason::Reflected { ref secret, .. } if secret == "api-token"), "{refused}");
    assert_eq!(server.seen()[0].header("authorization"), Some(format!("Bearer {value}").as_str()));

    let echo = gate.fetch(&who, get(&server.url("http", "other.redoubt.test", "/echo"))).await.unwrap();
    assert!(!String::from_utf8(echo.body).unwrap().contains(&value));
    assert_eq!(server.seen()[1].header("authorization"), None, "not sent to another host, same address and port");
    assert_eq!(env.blocks().len(), 1);
}

#[tokio::test]
async fn the_agent_cannot_replace_or_pre_fill_the_credential() {
    let env = Env::new();
    let value = env.secret("api-token", &["api.redoubt.test"], &["name:weather-bot"], bearer());
    let server = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let request = OutboundRequest {
        headers: vec![("Authorization".into(), "Bearer agent-chosen".into())],
        ..get(&server.url("http", "api.redoubt.test", "/ok"))
    };
    gate.fetch(&caller(&["api.redoubt.test"], &["api-token"]), request).await.unwrap();
    let seen = &server.seen()[0];
    let auth: Vec<_> = seen.headers.iter().filter(|(k, _)| k == "authorization").map(|(_, v)| v.as_str()).collect();
    assert_eq!(auth, [format!("Bearer {value}")]);
}

#[tokio::test]
async fn no_credential_for_an_agent_or_a_manifest_the_policy_does_not_name() {
    let env = Env::new();
    env.secret("api-token", &["api.redoubt.test"], &["name:other-agent"], bearer());
    let declared =
        env.secret("declared", &["api.redoubt.test"], &["name:weather-bot"], Injection::Query { param: "key".into() });
    let server = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let url = server.url("http", "api.redoubt.test", "/ok");
    // The manifest declares api-token, but its policy names another agent.
    gate.fetch(&caller(&["api.redoubt.test"], &["api-token"]), get(&url)).await.unwrap();
    assert_eq!(server.seen()[0].header("authorization"), None);
    // The policy names this agent, but the manifest does not declare the secret.
    gate.fetch(&caller(&["api.redoubt.test"], &[]), get(&url)).await.unwrap();
    assert_eq!(server.seen()[1].path_and_query, "/ok");
    // Declared and allowed: injected as the policy says (a query parameter here).
    gate.fetch(&caller(&["api.redoubt.test"], &["declared"]), get(&url)).await.unwrap();
    assert_eq!(server.seen()[2].path_and_query, format!("/ok?key={declared}"));
    assert!(env.blocks().is_empty());
}

#[tokio::test]
async fn another_vault_secret_returned_by_a_server_is_redacted_too() {
    let env = Env::new();
    let db_password = env.secret("db-password", &["db.redoubt.test"], &["name:ops"], bearer());
    let server = Server::http(&[&db_password]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let response = gate
        .fetch(&caller(&["api.redoubt.test"], &[]), get(&server.url("http", "api.redoubt.test", "/leak?i=0")))
        .await
        .unwrap();
    assert_eq!(String::from_utf8(response.body).unwrap(), "config dump: db_password=[REDACTED:db-password]");
}

/// The agent learned a secret somehow (a user pasted it into the job input) and tries to send it.
#[tokio::test]
async fn a_secret_in_the_agents_request_is_blocked_even_to_its_own_host() {
    let env = Env::new();
    let value = env.secret("api-token", &["api.redoubt.test"], &[&format!("name:{AGENT}")], bearer());
    let server = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let request = OutboundRequest {
        method: "POST".into(),
        url: server.url("http", "api.redoubt.test", "/echo"),
        headers: vec![("content-type".into(), "application/json".into())],
        body: format!("{{\"note\":\"{}\"}}", value.replace('-', "\\u002d")).into_bytes(),
    };
    let reason = blocked(gate.fetch(&caller(&["api.redoubt.test"], &["api-token"]), request).await);
    let BlockReason::Leak { secret, encoding, location } = reason else { panic!("{reason:?}") };
    assert_eq!((secret.as_str(), location), ("api-token", Location::Body));
    assert_eq!(encoding, Encoding { form: Form::Raw, layer: Some(redoubt_vault::Layer::JsonEscaped) });
    let event = env.only_block();
    assert_eq!(event.secret.as_deref(), Some("api-token"));
    assert!(server.seen().is_empty(), "nothing was sent");
    assert!(env.resolver.queries().is_empty(), "nothing was resolved");
}
