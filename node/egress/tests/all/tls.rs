//! Real TLS to 127.0.0.1: the connection goes to the checked address while SNI and the
//! certificate check use the allowed name; a certificate for another name, or from a CA the gate
//! does not trust, ends the request.

use crate::support::servers::Server;
use crate::support::tls::TestCa;
use crate::support::{Env, bearer, caller, get};
use redoubt_egress::{GateError, TlsRoots};

#[tokio::test]
async fn https_to_loopback_carries_the_allowed_name_as_sni_and_the_credential() {
    let env = Env::new();
    let value = env.secret("api-token", &["api.redoubt.test"], &["name:weather-bot"], bearer());
    let ca = TestCa::new();
    let server = Server::https(&ca, &["api.redoubt.test"]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|c| {
        c.allow_http = false;
        c.tls_roots = TlsRoots::Custom(ca.roots());
    });
    let response = gate
        .fetch(&caller(&["api.redoubt.test"], &["api-token"]), get(&server.url("https", "api.redoubt.test", "/ok")))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.snis(), [Some("api.redoubt.test".to_string())]);
    assert_eq!(server.seen()[0].header("authorization"), Some(format!("Bearer {value}").as_str()));
}

#[tokio::test]
async fn a_certificate_for_another_name_ends_the_request_before_any_byte_of_it_is_sent() {
    let env = Env::new();
    env.secret("api-token", &["api.redoubt.test"], &["name:weather-bot"], bearer());
    let ca = TestCa::new();
    let impostor = Server::https(&ca, &["evil.redoubt.test"]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|c| c.tls_roots = TlsRoots::Custom(ca.roots()));
    let result = gate
        .fetch(&caller(&["api.redoubt.test"], &["api-token"]), get(&impostor.url("https", "api.redoubt.test", "/echo")))
        .await;
    let Err(GateError::Upstream { host, why }) = result else { panic!("{result:?}") };
    assert_eq!(host, "api.redoubt.test");
    assert!(why.contains("TLS") && why.contains("certificate"), "{why}");
    assert!(impostor.seen().is_empty(), "the request, and the credential in it, never left");
}

#[tokio::test]
async fn the_default_roots_do_not_trust_a_private_ca() {
    let env = Env::new();
    let ca = TestCa::new();
    let server = Server::https(&ca, &["api.redoubt.test"]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|_| {});
    let result =
        gate.fetch(&caller(&["api.redoubt.test"], &[]), get(&server.url("https", "api.redoubt.test", "/"))).await;
    assert!(matches!(result, Err(GateError::Upstream { ref why, .. }) if why.contains("UnknownIssuer")), "{result:?}");
    assert!(server.seen().is_empty());
}
