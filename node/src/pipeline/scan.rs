//! What leaves a job is scanned for vault secrets before it is stored or
//! shown: the output, the console, error messages, log lines and
//! key-value writes. Two checks, the
//! same ones the egress gate runs on requests and responses: every vault
//! secret in the encodings leaks are written in (redacted where it can be),
//! and the deep check for the secrets the job's agent may use, in every form
//! an agent could undo (withheld whole: a form that cannot be located cannot
//! be redacted). A hit raises an alert.

use super::admission::Refusal;
use crate::alerts::{Incident, Severity};
use crate::job::{JobFailure, JobRecord};
use crate::node::Node;
use redoubt_vault::{DeepScanner, LeakDetector};
use std::sync::Arc;

/// The checks for one job's outputs.
pub struct JobScan {
    /// Every vault secret (fast scan and redaction).
    pub detector: Arc<LeakDetector>,
    /// The secrets the job's agent may use (the deep check), or why it could not be built: then
    /// every output is withheld as unchecked, never passed unchecked.
    deep: Result<Arc<DeepScanner>, String>,
}

impl JobScan {
    /// The checks for a job whose agent declares `secrets`.
    pub fn new(node: &Node, secrets: &[String]) -> JobScan {
        let detector = node.vault.leak_detector();
        let deep = node.vault.with(|v| v.deep_scanner(secrets)).map_err(|e| e.to_string());
        if let Err(e) = &deep {
            tracing::error!("building the deep check: {e}");
        }
        JobScan { detector, deep }
    }

    /// What the deep check found in `bytes`, in words: the secret and its form, or why the bytes
    /// could not be checked (also a refusal).
    fn deep_finding(&self, bytes: &[u8]) -> Option<(Option<String>, String)> {
        let deep = match &self.deep {
            Ok(deep) => deep,
            Err(e) => return Some((None, format!("it could not be checked for secrets: {e}"))),
        };
        match deep.check(bytes) {
            Ok(None) => None,
            Ok(Some(found)) => Some((Some(found.secret.clone()), format!("it carries {found}"))),
            Err(e) => Some((None, format!("it could not be checked for secrets: {e}"))),
        }
    }
}

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
pub fn output(node: &Node, job: &JobRecord, scan: &JobScan, output: Vec<u8>) -> Result<Vec<u8>, JobFailure> {
    let found = match scan.detector.scan(&output) {
        Some(leak) => {
            Some((Some(leak.secret.clone()), format!("it carries secret {} ({})", leak.secret, leak.encoding)))
        }
        None => scan.deep_finding(&output),
    };
    let Some((secret, why)) = found else { return Ok(output) };
    let message = format!("output withheld: {why}");
    node.alerts.raise(incident(job, "output.withheld", "output_withheld", secret, &message));
    Err(JobFailure { kind: "output_withheld".into(), message })
}

/// The console (stdout and stderr), redacted if it carries a secret.
pub fn console(node: &Node, job: &JobRecord, scan: &JobScan, console: &[u8]) -> Vec<u8> {
    redact(node, job, scan, console, "console")
}

/// A failure message (it may quote the agent's stderr), redacted if it carries a secret.
pub fn failure(node: &Node, job: &JobRecord, scan: &JobScan, failure: JobFailure) -> JobFailure {
    let message = redact(node, job, scan, failure.message.as_bytes(), "error message");
    JobFailure { kind: failure.kind, message: String::from_utf8_lossy(&message).into_owned() }
}

/// Refuses a key-value write whose key or value carries a vault secret (any
/// encoding the leak scan knows, or any form the deep check undoes for the
/// agent's secrets) and raises an alert: the refusal's message is the error.
/// Nothing of a refused write is kept.
pub fn kv_write(node: &Node, job: &JobRecord, scan: &JobScan, key: &str, value: &[u8]) -> Result<(), String> {
    let parts = [("key", key.as_bytes()), ("value", value)];
    let found = parts.into_iter().find_map(|(place, bytes)| {
        let found = match scan.detector.scan(bytes) {
            Some(leak) => {
                Some((Some(leak.secret.clone()), format!("carries secret {} ({})", leak.secret, leak.encoding)))
            }
            None => scan.deep_finding(bytes),
        };
        found.map(|(secret, why)| (place, secret, why))
    });
    let Some((place, secret, why)) = found else { return Ok(()) };
    let why = why.strip_prefix("it ").unwrap_or(&why);
    let message = format!("key-value write refused: its {place} {why}");
    node.alerts.raise(incident(job, "kv.refused", "secret_in_kv", secret, &message));
    Err(message)
}

/// `text` with every secret redacted, or withheld whole when the deep check finds one of the
/// agent's secrets in it; an alert names what was found where.
pub fn redact(node: &Node, job: &JobRecord, scan: &JobScan, text: &[u8], place: &str) -> Vec<u8> {
    let redacted = match scan.detector.scan(text) {
        None => text.to_vec(),
        Some(leak) => {
            let message = format!("{place} redacted: it carried secret {} ({})", leak.secret, leak.encoding);
            node.alerts.raise(incident(job, "log.redacted", "secret_in_log", Some(leak.secret), &message));
            scan.detector.redact(text).into_owned()
        }
    };
    let Some((secret, why)) = scan.deep_finding(&redacted) else { return redacted };
    let message = format!("{place} withheld: {why}");
    node.alerts.raise(incident(job, "log.withheld", "secret_in_log", secret, &message));
    format!("[{place} withheld: it carried a secret]").into_bytes()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deep_check_that_could_not_be_built_withholds_everything() {
        let scan = JobScan { detector: Arc::new(LeakDetector::empty()), deep: Err("too large".into()) };
        let (secret, why) = scan.deep_finding(b"an ordinary output").expect("withheld, not passed unchecked");
        assert_eq!(secret, None);
        assert!(why.contains("could not be checked") && why.contains("too large"), "{why}");
    }
}
