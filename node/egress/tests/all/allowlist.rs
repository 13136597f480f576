//! Attacks on step 2: hosts the agent did not declare, hosts the operator does not allow, and
//! names built to look like allowed ones.

use crate::support::servers::Server;
use crate::support::{Env, blocked, caller, get};
use redoubt_egress::BlockReason;

#[tokio::test]
async fn an_undeclared_host_is_refused_before_dns() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    env.resolver.answer("evil.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let url = server.url("http", "evil.redoubt.test", "/collect");
    let reason = blocked(gate.fetch(&caller(&["api.redoubt.test"], &[]), get(&url)).await);
    assert_eq!(reason, BlockReason::HostNotAllowed);
    let event = env.only_block();
    assert_eq!(
        (event.host.as_str(), event.reason, event.secret),
        ("evil.redoubt.test", BlockReason::HostNotAllowed, None)
    );
    assert!(env.resolver.queries().is_empty(), "an unlisted name is not even resolved");
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn a_host_the_operator_does_not_allow_is_refused_even_if_declared() {
    let env = Env::new();
    env.resolver.answer("api.example.org", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let reason = blocked(gate.fetch(&caller(&["api.example.org"], &[]), get("http://api.example.org/")).await);
    assert_eq!(reason, BlockReason::HostNotAllowed);
    assert_eq!(env.only_block().host, "api.example.org");
}

#[tokio::test]
async fn lookalike_names_do_not_match() {
    let env = Env::new();
    let gate = env.gate(|_| {});
    let who = caller(&["api.redoubt.test", "*.cdn.redoubt.test"], &[]);
    for url in [
        "http://api.redoubt.test.evil.org/",
        "http://evilapi.redoubt.test/",
        "http://cdn.redoubt.test/",
        "http://xcdn.redoubt.test/",
        "http://api.redoubt.test%2eevil.org/",
        "http://аpi.redoubt.test/",
    ] {
        assert!(
            matches!(
                blocked(gate.fetch(&who, get(url)).await),
                BlockReason::HostNotAllowed | BlockReason::InvalidUrl { .. }
            ),
            "{url}"
        );
    }
    assert_eq!(env.blocks().len(), 6);
    assert!(env.resolver.queries().is_empty());
}

#[tokio::test]
async fn case_and_trailing_dot_variants_are_the_same_allowed_host() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    for host in ["API.Redoubt.Test", "api.redoubt.test."] {
        let response =
            gate.fetch(&caller(&["api.redoubt.test"], &[]), get(&server.url("http", host, "/echo"))).await.unwrap();
        assert_eq!(response.status, 200);
    }
    let hosts: Vec<_> = server.seen().iter().map(|s| s.header("host").unwrap().to_string()).collect();
    let expected = format!("api.redoubt.test:{}", server.port());
    assert_eq!(hosts, [expected.clone(), expected]);
    assert_eq!(env.resolver.queries(), ["api.redoubt.test", "api.redoubt.test"]);
}
