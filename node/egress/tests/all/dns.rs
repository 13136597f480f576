//! Attacks on step 3: allowed names whose DNS answers point inside, answers that change between
//! the check and the connection (rebinding), and secrets smuggled out through a DNS query.

use crate::support::servers::Server;
use crate::support::{Env, blocked, caller, get};
use redoubt_egress::{AddressClass, BlockReason, Location, UrlPart};
use std::net::IpAddr;

#[tokio::test]
async fn an_allowed_name_answering_an_internal_address_is_refused() {
    let env = Env::new();
    let gate = env.gate(|c| c.allow_loopback = false);
    let cases = [
        ("127.0.0.1", AddressClass::Loopback),
        ("::1", AddressClass::Loopback),
        ("10.0.0.5", AddressClass::Private),
        ("172.20.1.1", AddressClass::Private),
        ("192.168.1.1", AddressClass::Private),
        ("fd12::1", AddressClass::Private),
        ("169.254.169.254", AddressClass::CloudMetadata),
        ("fd00:ec2::254", AddressClass::CloudMetadata),
        ("100.100.100.200", AddressClass::CloudMetadata),
        ("169.254.10.10", AddressClass::LinkLocal),
        ("fe80::1", AddressClass::LinkLocal),
        ("100.64.3.4", AddressClass::SharedCgnat),
        ("::ffff:10.0.0.1", AddressClass::Private),
        ("64:ff9b::a9fe:a9fe", AddressClass::CloudMetadata),
        ("0.0.0.0", AddressClass::Unspecified),
        ("224.0.0.1", AddressClass::Multicast),
    ];
    for (i, (addr, class)) in cases.iter().enumerate() {
        let name = format!("n{i}.redoubt.test");
        env.resolver.answer(&name, &[addr]);
        let reason = blocked(gate.fetch(&caller(&["*.redoubt.test"], &[]), get(&format!("https://{name}/"))).await);
        let addr: IpAddr = addr.parse().unwrap();
        assert_eq!(reason, BlockReason::AddressRefused { addr, class: *class }, "{name} -> {addr}");
    }
    let events = env.blocks();
    assert_eq!(events.len(), cases.len());
    assert!(events.iter().enumerate().all(|(i, e)| e.host == format!("n{i}.redoubt.test")));
}

#[tokio::test]
async fn one_internal_answer_among_public_ones_refuses_the_name() {
    let env = Env::new();
    env.resolver.answer("mixed.redoubt.test", &["8.8.8.8", "10.1.2.3", "1.1.1.1"]);
    let gate = env.gate(|_| {});
    let reason = blocked(gate.fetch(&caller(&["mixed.redoubt.test"], &[]), get("https://mixed.redoubt.test/")).await);
    assert_eq!(reason, BlockReason::AddressRefused { addr: "10.1.2.3".parse().unwrap(), class: AddressClass::Private });
    assert_eq!(env.only_block().host, "mixed.redoubt.test");
}

/// DNS rebinding: the name answers a harmless address when checked, and the metadata address
/// right after. The gate resolves once per request and connects to the address it checked.
#[tokio::test]
async fn an_answer_that_changes_after_the_check_is_never_used() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    env.resolver.script("rebind.redoubt.test", &[&["127.0.0.1"], &["169.254.169.254"]]);
    let gate = env.gate(|_| {});
    let who = caller(&["rebind.redoubt.test"], &[]);
    let url = server.url("http", "rebind.redoubt.test", "/echo");
    let response = gate.fetch(&who, get(&url)).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.seen().len(), 1, "the request went to the checked address");
    assert_eq!(env.resolver.queries(), ["rebind.redoubt.test"], "resolved exactly once");
    assert!(env.blocks().is_empty());
    // The resolver now answers the metadata address: a new request sees and refuses it.
    let reason = blocked(gate.fetch(&who, get(&url)).await);
    assert_eq!(
        reason,
        BlockReason::AddressRefused { addr: "169.254.169.254".parse().unwrap(), class: AddressClass::CloudMetadata }
    );
    assert_eq!(env.resolver.queries().len(), 2);
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_a_dns_failure() {
    let env = Env::new();
    let gate = env.gate(|_| {});
    let reason = blocked(gate.fetch(&caller(&["nx.redoubt.test"], &[]), get("https://nx.redoubt.test/")).await);
    assert!(matches!(reason, BlockReason::DnsFailure { ref why } if why.contains("no such host")), "{reason:?}");
    env.resolver.answer("empty.redoubt.test", &[]);
    let reason = blocked(gate.fetch(&caller(&["empty.redoubt.test"], &[]), get("https://empty.redoubt.test/")).await);
    assert_eq!(reason, BlockReason::DnsFailure { why: "no addresses".into() });
    assert_eq!(env.blocks().len(), 2);
}

/// A secret as a subdomain label under an allowed wildcard would leave through the resolver
/// (DNS exfiltration) if names were resolved before the leak scan.
#[tokio::test]
async fn a_secret_in_a_host_name_never_reaches_the_resolver() {
    let env = Env::new();
    let value = env.secret("gh-token", &["api.redoubt.test"], &["name:weather-bot"], redoubt_vault::Injection::Bearer);
    let gate = env.gate(|_| {});
    let label = hex::encode(value.as_bytes());
    let url = format!("https://{label}.x.redoubt.test/");
    let reason = blocked(gate.fetch(&caller(&["*.redoubt.test"], &["gh-token"]), get(&url)).await);
    assert!(
        matches!(reason, BlockReason::Leak { ref secret, location: Location::Url(UrlPart::Host), .. } if secret == "gh-token"),
        "{reason:?}"
    );
    let event = env.only_block();
    assert_eq!(event.secret.as_deref(), Some("gh-token"));
    assert_eq!(event.host, "[withheld]", "the event does not carry the secret");
    assert!(env.resolver.queries().is_empty(), "the name was never resolved");
}
