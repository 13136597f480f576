//! Attacks on step 7: redirects to internal addresses, to other hosts while a credential was
//! injected, redirects that reflect the credential into the next URL, loops and downgrades.

use crate::support::servers::Server;
use crate::support::tls::TestCa;
use crate::support::{Env, bearer, blocked, caller, get};
use redoubt_egress::{AddressClass, BlockReason, Location, TlsRoots, UrlPart};
use redoubt_vault::Injection;

fn redirect_to(server: &Server, host: &str, to: &str) -> String {
    let to: String = url::form_urlencoded::byte_serialize(to.as_bytes()).collect();
    server.url("http", host, &format!("/redirect?to={to}"))
}

#[tokio::test]
async fn a_redirect_to_an_internal_address_is_refused() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    env.resolver.answer("internal.redoubt.test", &["10.0.0.7"]);
    let gate = env.gate(|_| {});
    let who = caller(&["*.redoubt.test"], &[]);
    let reason = blocked(
        gate.fetch(&who, get(&redirect_to(&server, "api.redoubt.test", "http://internal.redoubt.test/admin"))).await,
    );
    assert_eq!(reason, BlockReason::AddressRefused { addr: "10.0.0.7".parse().unwrap(), class: AddressClass::Private });
    let event = env.only_block();
    assert_eq!((event.host.as_str(), event.hop), ("internal.redoubt.test", 1));
    // Straight to the metadata address: not even allowlisted.
    let reason = blocked(
        gate.fetch(&who, get(&redirect_to(&server, "api.redoubt.test", "http://169.254.169.254/latest/meta-data/")))
            .await,
    );
    assert_eq!(reason, BlockReason::HostNotAllowed);
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_redirect_to_another_allowed_host_does_not_carry_the_credential() {
    let env = Env::new();
    let value = env.secret("api-token", &["api.redoubt.test"], &["name:weather-bot"], bearer());
    let first = Server::http(&[]).await;
    let second = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    env.resolver.answer("cdn.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let target = second.url("http", "cdn.redoubt.test", "/echo");
    for status in ["301", "302", "303", "307", "308"] {
        let url = format!("{}&status={status}", redirect_to(&first, "api.redoubt.test", &target));
        let response = gate.fetch(&caller(&["*.redoubt.test"], &["api-token"]), get(&url)).await.unwrap();
        assert_eq!(response.status, 200);
    }
    assert!(first.seen().iter().all(|s| s.header("authorization") == Some(format!("Bearer {value}").as_str())));
    assert_eq!(second.seen().len(), 5);
    assert!(second.seen().iter().all(|s| s.header("authorization").is_none()), "{:?}", second.seen());
    assert!(env.blocks().is_empty());
}

#[tokio::test]
async fn a_redirect_to_an_undeclared_host_after_injection_is_refused() {
    let env = Env::new();
    env.secret("api-token", &["api.redoubt.test"], &["name:weather-bot"], bearer());
    let first = Server::http(&[]).await;
    let evil = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    env.resolver.answer("evil.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let url = redirect_to(&first, "api.redoubt.test", &evil.url("http", "evil.redoubt.test", "/collect"));
    let reason = blocked(gate.fetch(&caller(&["api.redoubt.test"], &["api-token"]), get(&url)).await);
    assert_eq!(reason, BlockReason::HostNotAllowed);
    let event = env.only_block();
    assert_eq!((event.host.as_str(), event.hop), ("evil.redoubt.test", 1));
    assert!(evil.seen().is_empty());
}

#[tokio::test]
async fn a_redirect_reflecting_the_credential_into_the_next_url_is_blocked() {
    let env = Env::new();
    env.secret("api-token", &["api.redoubt.test"], &["name:weather-bot"], bearer());
    let first = Server::http(&[]).await;
    let collector = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    env.resolver.answer("collect.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let to: String =
        url::form_urlencoded::byte_serialize(collector.url("http", "collect.redoubt.test", "/c").as_bytes()).collect();
    let url = first.url("http", "api.redoubt.test", &format!("/redirect-reflect?to={to}"));
    let reason = blocked(gate.fetch(&caller(&["*.redoubt.test"], &["api-token"]), get(&url)).await);
    assert!(
        matches!(reason, BlockReason::Leak { ref secret, location: Location::Url(UrlPart::Query), .. } if secret == "api-token"),
        "{reason:?}"
    );
    let event = env.only_block();
    assert_eq!((event.hop, event.secret.as_deref()), (1, Some("api-token")));
    assert!(collector.seen().is_empty());
}

#[tokio::test]
async fn a_redirect_loop_stops_at_the_limit() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|_| {});
    let reason =
        blocked(gate.fetch(&caller(&["localhost"], &[]), get(&server.url("http", "localhost", "/loop"))).await);
    assert_eq!(reason, BlockReason::TooManyRedirects { limit: 5 });
    assert_eq!(server.seen().len(), 6, "the request and five redirects");
    assert_eq!(env.only_block().hop, 5);
}

#[tokio::test]
async fn a_redirect_from_https_to_plain_http_is_refused() {
    let env = Env::new();
    let ca = TestCa::new();
    let server = Server::https(&ca, &["api.redoubt.test"]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|c| {
        c.allow_http = false;
        c.tls_roots = TlsRoots::Custom(ca.roots());
    });
    let to: String = url::form_urlencoded::byte_serialize(b"http://api.redoubt.test/insecure").collect();
    let url = server.url("https", "api.redoubt.test", &format!("/redirect?to={to}"));
    let reason = blocked(gate.fetch(&caller(&["api.redoubt.test"], &[]), get(&url)).await);
    assert_eq!(reason, BlockReason::Scheme { scheme: "http".into() });
    assert_eq!(env.only_block().hop, 1);
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_query_injected_key_is_not_carried_by_a_redirect_that_keeps_the_query() {
    let env = Env::new();
    let key =
        env.secret("maps-key", &["api.redoubt.test"], &["name:weather-bot"], Injection::Query { param: "key".into() });
    let first = Server::http(&[]).await;
    let second = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    env.resolver.answer("cdn.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let who = caller(&["*.redoubt.test"], &["maps-key"]);
    let keep_to = |target: String| {
        let to: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
        first.url("http", "api.redoubt.test", &format!("/redirect-keep?to={to}&q=1"))
    };
    // Same host: the key is taken out of the location and injected afresh.
    gate.fetch(&who, get(&keep_to(first.url("http", "api.redoubt.test", "/ok")))).await.unwrap();
    let hop = &first.seen()[1];
    assert!(hop.path_and_query.starts_with("/ok?") && hop.path_and_query.contains("q=1"), "{hop:?}");
    assert_eq!(hop.path_and_query.matches(&format!("key={key}")).count(), 1);
    // Another host: taken out, and not injected there.
    gate.fetch(&who, get(&keep_to(second.url("http", "cdn.redoubt.test", "/ok")))).await.unwrap();
    let hop = &second.seen()[0];
    assert!(hop.path_and_query.contains("q=1") && !hop.path_and_query.contains("key="), "{hop:?}");
    assert!(env.blocks().is_empty(), "{:?}", env.blocks());
}
