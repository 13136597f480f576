//! Attacks on the request's framing and routing: a Host header that points elsewhere, request
//! smuggling through Content-Length and Transfer-Encoding, proxy and upgrade headers, tunnelling
//! and reflecting methods.

use crate::support::servers::Server;
use crate::support::{Env, blocked, caller, get};
use redoubt_egress::{BlockReason, OutboundRequest};

fn with_headers(url: &str, headers: &[(&str, &str)], body: &[u8]) -> OutboundRequest {
    OutboundRequest {
        method: "POST".into(),
        url: url.into(),
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.to_vec(),
    }
}

#[tokio::test]
async fn a_host_header_naming_another_host_is_refused() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let url = server.url("http", "api.redoubt.test", "/echo");
    for host in ["169.254.169.254", "internal-admin.redoubt.test", "localhost"] {
        let reason =
            blocked(gate.fetch(&caller(&["api.redoubt.test"], &[]), with_headers(&url, &[("Host", host)], b"")).await);
        assert!(matches!(reason, BlockReason::HeaderRefused { ref name, .. } if name == "host"), "{reason:?}");
    }
    assert_eq!(env.blocks().len(), 3);
    assert!(env.blocks().iter().all(|e| e.host == "api.redoubt.test"));
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn smuggling_headers_are_refused() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|_| {});
    let url = server.url("http", "localhost", "/echo");
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("Content-Length", "0")], "content-length"),
        (&[("Content-Length", "4"), ("Content-Length", "40")], "content-length"),
        (&[("Transfer-Encoding", "chunked")], "transfer-encoding"),
        (&[("Proxy-Authorization", "Basic YTpi")], "proxy-authorization"),
        (&[("Upgrade", "h2c"), ("Connection", "Upgrade")], "upgrade"),
        (&[("Expect", "100-continue")], "expect"),
        (&[("X-Inject", "a\r\nHost: 169.254.169.254")], "x-inject"),
    ];
    for (headers, refused) in cases {
        let reason = blocked(gate.fetch(&caller(&["localhost"], &[]), with_headers(&url, headers, b"body")).await);
        assert!(
            matches!(reason, BlockReason::HeaderRefused { ref name, .. } if name == refused),
            "{headers:?}: {reason:?}"
        );
    }
    assert_eq!(env.blocks().len(), 7);
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn tunnelling_and_reflecting_methods_are_refused() {
    let env = Env::new();
    let gate = env.gate(|_| {});
    for method in ["CONNECT", "TRACE", "TRACK", "DEBUG"] {
        let request = OutboundRequest { method: method.into(), ..get("http://localhost:1/") };
        let reason = blocked(gate.fetch(&caller(&["localhost"], &[]), request).await);
        assert_eq!(reason, BlockReason::MethodRefused { method: method.into() });
    }
    assert_eq!(env.blocks().len(), 4);
}

#[tokio::test]
async fn restated_framing_is_dropped_and_the_gate_frames_the_request_itself() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let url = server.url("http", "api.redoubt.test", "/echo");
    let authority = format!("api.redoubt.test:{}", server.port());
    let headers =
        [("Host", authority.as_str()), ("Content-Length", "5"), ("Connection", "close"), ("Accept-Encoding", "gzip")];
    let response =
        gate.fetch(&caller(&["api.redoubt.test"], &[]), with_headers(&url, &headers, b"hello")).await.unwrap();
    assert_eq!(response.status, 200);
    let seen = &server.seen()[0];
    assert_eq!(seen.header("host"), Some(authority.as_str()));
    assert_eq!(seen.header("content-length"), Some("5"));
    assert_eq!(seen.header("accept-encoding"), Some("gzip, deflate, br, zstd"), "the codings the gate decodes");
    assert_eq!(seen.headers.iter().filter(|(k, _)| k == "host").count(), 1);
    assert_eq!(seen.body, b"hello");
    assert!(env.blocks().is_empty());
}
