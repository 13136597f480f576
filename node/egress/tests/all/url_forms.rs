//! Attacks on step 1: URLs that smuggle credentials, internal addresses in every spelling the URL
//! parser accepts, other schemes and ports.

use crate::support::servers::Server;
use crate::support::{Env, blocked, caller, get};
use redoubt_egress::{AddressClass, BlockReason, GateConfig, Ports};
use std::net::IpAddr;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[tokio::test]
async fn userinfo_in_the_url_is_refused() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|_| {});
    let url = server.url("http", "user:hunter2@localhost", "/echo");
    let reason = blocked(gate.fetch(&caller(&["localhost"], &[]), get(&url)).await);
    assert_eq!(reason, BlockReason::Userinfo);
    assert_eq!(env.only_block().reason, BlockReason::Userinfo);
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn loopback_is_refused_by_default_even_when_allowlisted() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|c| c.allow_loopback = false);
    let url = server.url("http", "127.0.0.1", "/echo");
    let reason = blocked(gate.fetch(&caller(&["127.0.0.1"], &[]), get(&url)).await);
    assert_eq!(reason, BlockReason::AddressRefused { addr: ip("127.0.0.1"), class: AddressClass::Loopback });
    assert_eq!(env.only_block().host, "127.0.0.1");
    assert!(server.seen().is_empty());
    // The same request with the test setting goes through: the refusal above was the address check.
    let open = env.gate(|_| {});
    assert_eq!(open.fetch(&caller(&["127.0.0.1"], &[]), get(&url)).await.unwrap().status, 200);
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn decimal_octal_hex_and_short_ipv4_forms_are_the_loopback_address() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|c| c.allow_loopback = false);
    let forms = ["2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7f000001", "017700000001", "127.0.1"];
    for form in forms {
        let url = server.url("http", form, "/echo");
        let reason = blocked(gate.fetch(&caller(&["127.0.0.1"], &[]), get(&url)).await);
        assert_eq!(
            reason,
            BlockReason::AddressRefused { addr: ip("127.0.0.1"), class: AddressClass::Loopback },
            "{form}"
        );
    }
    let events = env.blocks();
    assert_eq!(events.len(), forms.len());
    assert!(events.iter().all(|e| e.host == "127.0.0.1" && e.secret.is_none()));
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn ipv6_loopback_and_ipv4_mapped_forms_are_refused() {
    let env = Env::new();
    let gate = env.gate(|c| c.allow_loopback = false);
    let cases = [
        ("[::1]", "::1", AddressClass::Loopback),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1", AddressClass::Loopback),
        ("[0:0:0:0:0:ffff:7f00:1]", "::ffff:7f00:1", AddressClass::Loopback),
        ("[::ffff:10.0.0.1]", "::ffff:a00:1", AddressClass::Private),
        ("[64:ff9b::a9fe:a9fe]", "64:ff9b::a9fe:a9fe", AddressClass::CloudMetadata),
    ];
    for (host, addr, class) in cases {
        // The manifest and the operator both list the literal: only the address check stands.
        let canonical = format!("[{addr}]");
        let config_edit = |c: &mut GateConfig| {
            c.allow_loopback = false;
            c.operator_hosts.push(redoubt_vault::HostPattern::parse(&canonical).unwrap());
        };
        let gate_with_literal = env.gate(config_edit);
        let reason =
            blocked(gate_with_literal.fetch(&caller(&[&canonical], &[]), get(&format!("http://{host}:9/"))).await);
        assert_eq!(reason, BlockReason::AddressRefused { addr: ip(addr), class }, "{host}");
        // Without listing, the allowlist refuses first.
        let reason = blocked(gate.fetch(&caller(&["127.0.0.1"], &[]), get(&format!("http://{host}:9/"))).await);
        assert_eq!(reason, BlockReason::HostNotAllowed, "{host}");
    }
    assert_eq!(env.blocks().len(), 2 * cases.len());
}

#[tokio::test]
async fn metadata_endpoint_in_every_spelling_is_refused() {
    let env = Env::new();
    let gate = env.gate(|c| c.operator_hosts.push(redoubt_vault::HostPattern::parse("169.254.169.254").unwrap()));
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/latest/meta-data/",
        "http://0xa9fea9fe/latest/meta-data/",
        "http://0251.0376.0251.0376/latest/meta-data/",
        "http://169.254.43518/latest/meta-data/",
    ] {
        let reason = blocked(gate.fetch(&caller(&["169.254.169.254"], &[]), get(url)).await);
        assert_eq!(
            reason,
            BlockReason::AddressRefused { addr: ip("169.254.169.254"), class: AddressClass::CloudMetadata },
            "{url}"
        );
    }
    assert!(env.blocks().iter().all(|e| e.host == "169.254.169.254"));
}

#[tokio::test]
async fn other_schemes_and_plain_http_are_refused_in_production_settings() {
    let env = Env::new();
    let gate = env.gate(|c| c.allow_http = false);
    for (url, scheme) in [
        ("http://api.redoubt.test/", "http"),
        ("ftp://api.redoubt.test/", "ftp"),
        ("file:///etc/passwd", "file"),
        ("gopher://api.redoubt.test:6379/_FLUSHALL", "gopher"),
        ("ws://api.redoubt.test/", "ws"),
    ] {
        let reason = blocked(gate.fetch(&caller(&["api.redoubt.test"], &[]), get(url)).await);
        assert_eq!(reason, BlockReason::Scheme { scheme: scheme.into() }, "{url}");
    }
    assert_eq!(env.blocks().len(), 5);
    assert!(env.resolver.queries().is_empty(), "nothing was resolved");
}

#[tokio::test]
async fn a_non_default_port_is_refused_by_default() {
    let env = Env::new();
    let gate = env.gate(|c| c.ports = Ports::Default);
    let reason = blocked(gate.fetch(&caller(&["api.redoubt.test"], &[]), get("https://api.redoubt.test:6379/")).await);
    assert_eq!(reason, BlockReason::PortRefused { port: 6379 });
    let listed = env.gate(|c| c.ports = Ports::DefaultAnd(vec![8443]));
    let reason = blocked(listed.fetch(&caller(&["api.redoubt.test"], &[]), get("https://api.redoubt.test:22/")).await);
    assert_eq!(reason, BlockReason::PortRefused { port: 22 });
    assert_eq!(env.blocks().len(), 2);
}
