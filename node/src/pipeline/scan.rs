//! What leaves a job is scanned for vault secrets (any encoding) before it
//! is stored or shown: the output, the console, error messages, log lines,
//! key-value writes.
//! A hit withholds the output (or redacts the text) and raises an alert.

use super::admission::Refusal;
use crate::alerts::{Incident, Severity};
use crate::job::{JobFailure, JobRecord};
use crate::node::Node;
use redoubt_vault::LeakDetector;

/// Refuses a job whose input or client reference carries a vault secret (the
/// reference is signed into the job's receipt, which is meant to be published).
pub fn intake(node: &Node, agent: &str, input: &[u8], market_ref: Option<&str>) -> Result<(), Refusal> {
    let detector = node.vault.leak_detector();
    let found = [("input", input), ("market_ref", market_ref.unwrap_or_default().as_bytes())]
        .into_iter()
        .find_map(|(place, bytes)| detector.scan(bytes).map(|leak| (place, leak)));
    let Some((place, leak)) = found else { return Ok(()) };
    let refusal = Refusal::CarriesSecret { place, secret: leak.secret.clone(), encoding: leak.encoding.to_string() };
    node.alerts.raise(Incident {
        action: "input.refused".into(),
        alert: Some((Severity::Critical, "secret_in_input".into())),
        agent: Some(agent.to_owned()),
        secret: Some(leak.secret),
        message: refusal.to_string(),
        ..Incident::default()
    });
    Err(refusal)
}

/// The output, or the failure that replaces it when it carries a secret.
pub fn output(node: &Node, job: &JobRecord, detector: &LeakDetector, output: Vec<u8>) -> Result<Vec<u8>, JobFailure> {
    let Some(leak) = detector.scan(&output) else { return Ok(output) };
    let message = format!("output withheld: it carries secret {} ({})", leak.secret, leak.encoding);
    node.alerts.raise(incident(job, "output.withheld", "output_withheld", Some(leak.secret.clone()), &message));
    Err(JobFailure { kind: "output_withheld".into(), message })
}

/// The console (stdout and stderr), redacted if it carries a secret.
pub fn console(node: &Node, job: &JobRecord, detector: &LeakDetector, console: &[u8]) -> Vec<u8> {
    redact(node, job, detector, console, "console")
}

/// A failure message (it may quote the agent's stderr), redacted if it carries a secret.
pub fn failure(node: &Node, job: &JobRecord, detector: &LeakDetector, failure: JobFailure) -> JobFailure {
    let message = redact(node, job, detector, failure.message.as_bytes(), "error message");
    JobFailure { kind: failure.kind, message: String::from_utf8_lossy(&message).into_owned() }
}

/// Refuses a key-value write whose key or value carries a vault secret, in
/// any encoding the output scan detects, and raises an alert: the refusal's
/// message is the error. Nothing of a refused write is kept.
pub fn kv_write(node: &Node, job: &JobRecord, detector: &LeakDetector, key: &str, value: &[u8]) -> Result<(), String> {
    let found = [("key", key.as_bytes()), ("value", value)]
        .into_iter()
        .find_map(|(place, bytes)| detector.scan(bytes).map(|leak| (place, leak)));
    let Some((place, leak)) = found else { return Ok(()) };
    let message = format!("key-value write refused: its {place} carries secret {} ({})", leak.secret, leak.encoding);
    node.alerts.raise(incident(job, "kv.refused", "secret_in_kv", Some(leak.secret), &message));
    Err(message)
}

/// `text` with every secret redacted; an alert names what was found where.
pub fn redact(node: &Node, job: &JobRecord, detector: &LeakDetector, text: &[u8], place: &str) -> Vec<u8> {
    let Some(leak) = detector.scan(text) else { return text.to_vec() };
    let message = format!("{place} redacted: it carried secret {} ({})", leak.secret, leak.encoding);
    node.alerts.raise(incident(job, "log.redacted", "secret_in_log", Some(leak.secret), &message));
    detector.redact(text).into_owned()
}

fn incident(job: &JobRecord, action: &str, kind: &str, secret: Option<String>, message: &str) -> Incident {
    Incident {
        action: action.into(),
        alert: Some((Severity::Critical, kind.into())),
        agent: Some(job.agent.clone()),
        job: Some(job.id),
        host: None,
        secret,
        message: message.into(),
    }
}
