//! The prompt-injection heuristics measured on labelled corpora (see `tests/data/README.md`), and
//! the tag reaching the agent through the gate.
//!
//! The thresholds below are the figures measured when the heuristics were written; a change that
//! lowers detection or raises false positives fails here. bastioncorpus and jailbreak-corpus-mini
//! were read while the rules were written (in-sample figures); the held-out set was assembled and
//! measured once afterwards, and the rules were not changed after seeing its result.

use crate::support::servers::Server;
use crate::support::{Env, caller, get};
use redoubt_egress::prompt_guard::{self, TAG};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// Detection on bastioncorpus' malicious rows, at least (measured: 114 of 118).
const MIN_DETECTION: f64 = 114.0 / 118.0;
/// False positives on bastioncorpus' benign rows (false-positive traps), at most (measured: 0 of 63).
const MAX_FALSE_POSITIVES: f64 = 0.0;
/// Detection on jailbreak-corpus-mini, at least (measured: 14 of 15).
const MIN_MINI_DETECTION: f64 = 14.0 / 15.0;
/// Detection on the held-out set (agent-injection-bench + spikee), at least (measured: 42 of 89).
const MIN_HELD_OUT_DETECTION: f64 = 42.0 / 89.0;
/// False positives on the held-out set's benign rows, at most (measured: 0 of 4).
const MAX_HELD_OUT_FALSE_POSITIVES: f64 = 0.0;

struct Row {
    id: String,
    malicious: bool,
    text: String,
}

/// A JSON-lines file of `{"id", "label": "malicious" | "benign", "text"}` rows.
fn labelled(file: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(format!("{DATA}/{file}")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let row: Value = serde_json::from_str(line).unwrap();
            Row {
                id: row["id"].as_str().unwrap().to_string(),
                malicious: row["label"] == "malicious",
                text: row["text"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn mini() -> Vec<Row> {
    let text = std::fs::read_to_string(format!("{DATA}/jailbreak-corpus-mini-0.1.0.json")).unwrap();
    let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
    rows.iter()
        .map(|r| Row {
            id: r["id"].as_str().unwrap().into(),
            malicious: true,
            text: r["prompt"].as_str().unwrap().into(),
        })
        .collect()
}

/// (tagged, total, ids of the rows whose verdict was wrong)
fn measure(rows: &[Row], malicious: bool) -> (usize, usize, Vec<String>) {
    let mut tagged = 0;
    let mut wrong = Vec::new();
    let selected: Vec<&Row> = rows.iter().filter(|r| r.malicious == malicious).collect();
    for row in &selected {
        let suspected = prompt_guard::assess(&row.text).suspected();
        tagged += usize::from(suspected);
        if suspected != malicious {
            wrong.push(row.id.clone());
        }
    }
    (tagged, selected.len(), wrong)
}

#[test]
fn detection_and_false_positive_rates_on_labelled_corpora() {
    let rate = |(a, b, _): &(usize, usize, Vec<String>)| *a as f64 / *b as f64;
    let show = |name: &str, detected: &(usize, usize, Vec<String>), flagged: Option<&(usize, usize, Vec<String>)>| {
        let mut line = format!("{name}: detection {}/{} = {:.1}%", detected.0, detected.1, 100.0 * rate(detected));
        if let Some(f) = flagged {
            line += &format!(", false positives {}/{} = {:.1}%", f.0, f.1, 100.0 * rate(f));
        }
        println!("prompt-injection heuristics: {line}\n  missed: {:?}", detected.2);
        if let Some(f) = flagged {
            println!("  false positives: {:?}", f.2);
        }
    };
    let bastion = labelled("bastioncorpus-0.6.0-injections.jsonl");
    assert_eq!(bastion.len(), 181);
    let (b_detected, b_flagged) = (measure(&bastion, true), measure(&bastion, false));
    show("bastioncorpus 0.6.0 (in-sample)", &b_detected, Some(&b_flagged));
    let m_detected = measure(&mini(), true);
    show("jailbreak-corpus-mini 0.1.0 (in-sample)", &m_detected, None);
    let held = labelled("heldout-aib-0.1.0-spikee-0.9.2.jsonl");
    assert_eq!(held.len(), 93);
    let (h_detected, h_flagged) = (measure(&held, true), measure(&held, false));
    show("agent-injection-bench 0.1.0 + spikee 0.9.2 (held out)", &h_detected, Some(&h_flagged));
    assert!(rate(&b_detected) >= MIN_DETECTION, "bastioncorpus detection fell");
    assert!(rate(&b_flagged) <= MAX_FALSE_POSITIVES, "bastioncorpus false positives rose");
    assert!(rate(&m_detected) >= MIN_MINI_DETECTION, "jailbreak-corpus-mini detection fell");
    assert!(rate(&h_detected) >= MIN_HELD_OUT_DETECTION, "held-out detection fell");
    assert!(rate(&h_flagged) <= MAX_HELD_OUT_FALSE_POSITIVES, "held-out false positives rose");
}

#[tokio::test]
async fn a_page_with_an_injection_reaches_the_agent_tagged() {
    let env = Env::new();
    let server = Server::http(&[]).await;
    let gate = env.gate(|_| {});
    let response =
        gate.fetch(&caller(&["localhost"], &[]), get(&server.url("http", "localhost", "/inject"))).await.unwrap();
    assert_eq!(response.tags.first().map(String::as_str), Some(TAG), "{:?}", response.tags);
    assert!(response.tags.contains(&"prompt-injection:addresses-the-model".to_string()), "{:?}", response.tags);
    let plain = gate.fetch(&caller(&["localhost"], &[]), get(&server.url("http", "localhost", "/echo"))).await.unwrap();
    assert!(plain.tags.is_empty(), "{:?}", plain.tags);
    assert!(env.blocks().is_empty(), "tagging is not blocking");
}
