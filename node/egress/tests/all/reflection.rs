//! A granted credential reflected by its own host, in every form the agent could undo, never
//! reaches the agent: the response is refused (not redacted), the block names the host, the secret
//! and the form, and the gate keeps serving. Content codings are the gate's: decoded within caps,
//! unknown ones refused. An agent that holds a secret cannot send it out re-encoded, nor in DNS
//! labels (no lookup happens).

use crate::support::reflector::{FORMS, Reflector};
use crate::support::{AGENT, Env, bearer, blocked, caller, get};
use redoubt_egress::{BlockReason, OutboundRequest};

fn setup(env: &Env) -> String {
    env.secret("weather-key", &["localhost"], &[&format!("name:{AGENT}")], bearer())
}

#[tokio::test]
async fn every_reflected_form_is_refused_before_the_agent_sees_it() {
    let env = Env::new();
    setup(&env);
    let host = Reflector::start().await;
    let gate = env.gate(|_| {});
    let me = caller(&["localhost"], &["weather-key"]);
    let mut passed = Vec::new();
    for form in FORMS {
        match gate.fetch(&me, get(&host.url(&format!("/reflect/{form}")))).await {
            Err(redoubt_egress::GateError::Blocked(b)) => match b.reason {
                BlockReason::Reflected { secret, place, .. } => {
                    assert_eq!((secret.as_str(), place, b.host.as_str()), ("weather-key", "response", "localhost"));
                }
                other => passed.push(format!("{form}: blocked for another reason: {other}")),
            },
            Err(e) => passed.push(format!("{form}: {e}")),
            Ok(response) => {
                env.record_output(&response.body);
                passed.push(format!("{form}: reached the agent"));
            }
        }
    }
    assert!(
        passed.is_empty(),
        "{} of {} forms were not refused as reflections: {passed:#?}",
        passed.len(),
        FORMS.len()
    );
    let blocks = env.blocks();
    assert_eq!(blocks.len(), FORMS.len());
    assert!(blocks.iter().all(|b| b.secret.as_deref() == Some("weather-key")));
    // The message names the form, never the value.
    let message = blocked(gate.fetch(&me, get(&host.url("/reflect/error-message-gzip"))).await).to_string();
    assert!(message.contains("weather-key") && message.contains("response"), "{message}");
}

#[tokio::test]
async fn compressed_clean_responses_reach_the_agent_decoded() {
    let env = Env::new();
    setup(&env);
    let host = Reflector::start().await;
    let gate = env.gate(|_| {});
    let me = caller(&["localhost"], &["weather-key"]);
    for coding in ["gzip", "deflate", "br", "zstd"] {
        let response = gate.fetch(&me, get(&host.url(&format!("/clean/{coding}")))).await.unwrap();
        assert!(String::from_utf8(response.body).unwrap().contains("\"city\":\"Oslo\""), "{coding}");
        assert!(response.headers.iter().all(|(n, _)| n != "content-encoding" && n != "content-length"), "{coding}");
    }
    // The gate asked for the codings it decodes, whatever the agent asked for.
    assert!(env.blocks().is_empty());
}

#[tokio::test]
async fn bombs_and_unknown_codings_are_refused_and_the_gate_keeps_serving() {
    let env = Env::new();
    setup(&env);
    let host = Reflector::start().await;
    let gate = env.gate(|_| {});
    let me = caller(&["localhost"], &["weather-key"]);
    for coding in ["gzip", "zstd", "br"] {
        match blocked(gate.fetch(&me, get(&host.url(&format!("/bomb/{coding}")))).await) {
            BlockReason::ContentCoding { why } => assert!(why.contains("decompression bomb"), "{coding}: {why}"),
            other => panic!("{coding}: {other}"),
        }
    }
    match blocked(gate.fetch(&me, get(&host.url("/coding/compress"))).await) {
        BlockReason::ContentCoding { why } => assert!(why.contains("not supported"), "{why}"),
        other => panic!("{other}"),
    }
    assert!(gate.fetch(&me, get(&host.url("/clean/gzip"))).await.is_ok());
}

#[tokio::test]
async fn messages_encoded_deeper_than_the_check_follows_are_refused() {
    let env = Env::new();
    let value = setup(&env);
    let host = crate::support::servers::Server::http(&[]).await;
    let gate = env.gate(|_| {});
    let me = caller(&["localhost"], &["weather-key"]);
    // The agent asks an echo to return its body; the body is a secret nested in base64 twelve
    // times (as if the agent had it): the request is refused as uncheckable before it leaves.
    let mut nested = value.into_bytes();
    for _ in 0..12 {
        nested = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &nested).into_bytes();
    }
    let request = OutboundRequest {
        method: "POST".into(),
        url: host.url("http", "localhost", "/echo"),
        headers: vec![],
        body: nested,
    };
    match blocked(gate.fetch(&me, request).await) {
        BlockReason::Uncheckable { why, place } => assert!(place == "request" && why.contains("too deep"), "{why}"),
        other => panic!("{other}"),
    }
    assert!(host.seen().is_empty(), "nothing reached the host");
    // And a host that answers with the credential nested as deep.
    let reflector = Reflector::start().await;
    match blocked(gate.fetch(&me, get(&reflector.url("/reflect/base64-deep"))).await) {
        BlockReason::Uncheckable { place, .. } => assert_eq!(place, "response"),
        other => panic!("{other}"),
    }
    assert!(gate.fetch(&me, get(&reflector.url("/clean/gzip"))).await.is_ok(), "the gate keeps serving");
}

#[tokio::test]
async fn a_held_secret_cannot_leave_re_encoded_or_through_dns() {
    let env = Env::new();
    let value = setup(&env);
    env.resolver.answer("sink.redoubt.test", &["127.0.0.1"]);
    let host = crate::support::servers::Server::http(&[]).await;
    let gate = env.gate(|_| {});
    let me = caller(&["*.redoubt.test", "localhost"], &["weather-key"]);
    // Hex across two DNS labels under an allowed wildcard: refused before any lookup.
    let hex = hex::encode(&value);
    let (a, b) = hex.split_at(hex.len() / 2);
    let url = format!("http://{a}.{b}.sink.redoubt.test:{}/", host.port());
    assert!(matches!(blocked(gate.fetch(&me, get(&url)).await), BlockReason::Reflected { place: "request", .. }));
    assert!(env.resolver.queries().is_empty(), "the resolver was asked: {:?}", env.resolver.queries());
    // Reversed in a body, and a 12-byte piece of the secret's random part in a query.
    let reversed: String = value.chars().rev().collect();
    let body = OutboundRequest {
        method: "POST".into(),
        url: host.url("http", "localhost", "/upload"),
        headers: vec![],
        body: reversed.into_bytes(),
    };
    assert!(matches!(blocked(gate.fetch(&me, body).await), BlockReason::Reflected { place: "request", .. }));
    let piece = &value[value.len() - 12..];
    let url = host.url("http", "localhost", &format!("/upload?p={piece}"));
    assert!(matches!(blocked(gate.fetch(&me, get(&url)).await), BlockReason::Reflected { place: "request", .. }));
    assert!(host.seen().is_empty(), "nothing reached the host");
    // The block names the host without the labels that carried the secret.
    assert!(env.blocks().iter().all(|b| !b.host.contains(a)), "{:?}", env.blocks());
}
