//! Audit records and alerts.
//!
//! Every security decision that blocks something writes an audit record and
//! raises an alert: a tracing event, an entry in the node's alert list, an
//! event on the stream, and (when configured) a webhook POST signed with
//! HMAC-SHA256 over `timestamp.body` (headers `X-Redoubt-Timestamp` and
//! `X-Redoubt-Signature: sha256=<hex>`). Alerts name agents, jobs, hosts and
//! secrets by name, never a secret's value.
//!
//! The writer is the one choke point: every incident passes the vault's leak
//! check (every text field redacted, any encoding) before it is stored,
//! logged, published or sent. The alert and audit views redact again as they
//! read (a secret added later, or a record written before this check).
//!
//! Records are written in order by one task; [`AlertBus::settle`] waits until
//! everything raised before it is durable (a job's alerts are settled before
//! the job is reported finished).

use crate::events::{Event, EventBus};
use crate::metrics::Metrics;
use crate::store::{Numbered, Store, now_ms};
use crate::vault_access::SharedVault;
use hmac::{Hmac, Mac};
use redoubt_vault::LeakDetector;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// How bad it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something was refused that may be benign (an undeclared host).
    Warning,
    /// A secret was about to leave the node where it must not.
    Critical,
}

/// Something an operator must look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Alert {
    /// Its number (from 1).
    pub id: u64,
    /// When (Unix ms).
    pub at_ms: u64,
    /// How bad.
    pub severity: Severity,
    /// A stable class, e.g. `egress_blocked`, `secret_exfiltration_blocked`, `output_withheld`.
    pub kind: String,
    /// The agent involved.
    pub agent: Option<String>,
    /// The job involved.
    pub job: Option<u64>,
    /// The host involved.
    pub host: Option<String>,
    /// The secret involved, by name.
    pub secret: Option<String>,
    /// What happened.
    pub message: String,
}

/// One security decision, kept in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Its number (from 1).
    pub id: u64,
    /// When (Unix ms).
    pub at_ms: u64,
    /// What was decided, e.g. `egress.blocked`, `output.withheld`, `secret.added`.
    pub action: String,
    /// The agent involved.
    pub agent: Option<String>,
    /// The job involved.
    pub job: Option<u64>,
    /// The host involved.
    pub host: Option<String>,
    /// The secret involved, by name.
    pub secret: Option<String>,
    /// Why.
    pub detail: String,
}

impl Numbered for Alert {
    fn set_id(&mut self, id: u64) {
        self.id = id;
    }
}

impl Numbered for AuditRecord {
    fn set_id(&mut self, id: u64) {
        self.id = id;
    }
}

/// What a caller knows when it raises an alert (the bus numbers and dates it).
#[derive(Debug, Clone, Default)]
pub struct Incident {
    /// The audit action, e.g. `egress.blocked`.
    pub action: String,
    /// The alert class, e.g. `egress_blocked`; none for an audit-only record.
    pub alert: Option<(Severity, String)>,
    /// The agent involved.
    pub agent: Option<String>,
    /// The job involved.
    pub job: Option<u64>,
    /// The host involved.
    pub host: Option<String>,
    /// The secret involved, by name.
    pub secret: Option<String>,
    /// What happened.
    pub message: String,
}

enum Command {
    Record(Box<Incident>),
    Settle(oneshot::Sender<()>),
}

/// Where a webhook goes and the key that signs it.
#[derive(Clone)]
pub struct Webhook {
    /// The URL.
    pub url: String,
    /// The HMAC-SHA256 key.
    pub key: Arc<[u8]>,
}

/// Records incidents in order and fans alerts out.
#[derive(Clone)]
pub struct AlertBus {
    commands: mpsc::UnboundedSender<Command>,
}

impl AlertBus {
    /// Starts the bus's writer task; `vault` supplies the leak check every incident passes.
    pub fn start(
        store: Store,
        events: EventBus,
        metrics: Arc<Metrics>,
        webhook: Option<Webhook>,
        vault: SharedVault,
    ) -> AlertBus {
        let (commands, mut queue) = mpsc::unbounded_channel();
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().ok();
        tokio::spawn(async move {
            while let Some(command) = queue.recv().await {
                match command {
                    Command::Record(incident) => {
                        let delivery = Delivery { store: &store, events: &events, metrics: &metrics };
                        let incident = incident.redacted(&vault.leak_detector());
                        if let Some(alert) = delivery.record(incident).await
                            && let (Some(hook), Some(http)) = (&webhook, &http)
                        {
                            tokio::spawn(send_webhook(http.clone(), hook.clone(), alert));
                        }
                    }
                    Command::Settle(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        AlertBus { commands }
    }

    /// Records an incident (audit record, and alert if it has one).
    pub fn raise(&self, incident: Incident) {
        let _ = self.commands.send(Command::Record(Box::new(incident)));
    }

    /// Waits until everything raised so far is recorded.
    pub async fn settle(&self) {
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::Settle(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

impl Incident {
    /// The incident with every vault secret in any of its text replaced by `[REDACTED:<name>]`.
    fn redacted(self, detector: &LeakDetector) -> Incident {
        let alert = self.alert.map(|(severity, kind)| (severity, scrub(detector, kind)));
        Incident {
            action: scrub(detector, self.action),
            alert,
            agent: scrub_some(detector, self.agent),
            job: self.job,
            host: scrub_some(detector, self.host),
            secret: scrub_some(detector, self.secret),
            message: scrub(detector, self.message),
        }
    }
}

impl Alert {
    /// The alert with every vault secret in any of its text redacted (for the alert view).
    pub fn redacted(self, detector: &LeakDetector) -> Alert {
        Alert {
            kind: scrub(detector, self.kind),
            agent: scrub_some(detector, self.agent),
            host: scrub_some(detector, self.host),
            secret: scrub_some(detector, self.secret),
            message: scrub(detector, self.message),
            ..self
        }
    }
}

impl AuditRecord {
    /// The record with every vault secret in any of its text redacted (for the audit view).
    pub fn redacted(self, detector: &LeakDetector) -> AuditRecord {
        AuditRecord {
            action: scrub(detector, self.action),
            agent: scrub_some(detector, self.agent),
            host: scrub_some(detector, self.host),
            secret: scrub_some(detector, self.secret),
            detail: scrub(detector, self.detail),
            ..self
        }
    }
}

/// `text` with every vault secret, in any encoding, replaced by `[REDACTED:<name>]`.
fn scrub(detector: &LeakDetector, text: String) -> String {
    match detector.redact(text.as_bytes()) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => String::from_utf8_lossy(&clean).into_owned(),
    }
}

fn scrub_some(detector: &LeakDetector, text: Option<String>) -> Option<String> {
    text.map(|text| scrub(detector, text))
}

struct Delivery<'a> {
    store: &'a Store,
    events: &'a EventBus,
    metrics: &'a Metrics,
}

impl Delivery<'_> {
    async fn record(&self, incident: Incident) -> Option<Alert> {
        let at_ms = now_ms();
        let audit = AuditRecord {
            id: 0,
            at_ms,
            action: incident.action.clone(),
            agent: incident.agent.clone(),
            job: incident.job,
            host: incident.host.clone(),
            secret: incident.secret.clone(),
            detail: incident.message.clone(),
        };
        if let Err(error) = self.store.append_audit(audit).await {
            tracing::error!(%error, action = %incident.action, "could not write an audit record");
        }
        let (severity, kind) = incident.alert?;
        self.metrics.alert(&kind);
        let draft = Alert {
            id: 0,
            at_ms,
            severity,
            kind,
            agent: incident.agent,
            job: incident.job,
            host: incident.host,
            secret: incident.secret,
            message: incident.message,
        };
        match self.store.append_alert(draft.clone()).await {
            Ok(alert) => {
                log(&alert);
                self.events.publish(Event::Alert(alert.clone()));
                Some(alert)
            }
            Err(error) => {
                log(&draft);
                tracing::error!(%error, "could not store an alert");
                None
            }
        }
    }
}

/// The alert's log line (its fields as keys in JSON logs).
fn log(alert: &Alert) {
    tracing::warn!(
        target: "alert",
        alert = alert.id,
        kind = %alert.kind,
        agent = alert.agent.as_deref().unwrap_or("-"),
        job = alert.job.unwrap_or(0),
        host = alert.host.as_deref().unwrap_or("-"),
        secret = alert.secret.as_deref().unwrap_or("-"),
        "{}",
        alert.message
    );
}

/// The signature header value for `body` sent at `timestamp`.
pub fn webhook_signature(key: &[u8], timestamp: u64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn send_webhook(http: reqwest::Client, hook: Webhook, alert: Alert) {
    let body = serde_json::to_vec(&alert).expect("alerts serialize");
    let timestamp = now_ms() / 1000;
    let signature = webhook_signature(&hook.key, timestamp, &body);
    let sent = http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-redoubt-timestamp", timestamp.to_string())
        .header("x-redoubt-signature", signature)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => {}
        // By host only: the URL's path, query or userinfo often carry a credential.
        Ok(response) => {
            let host = response.url().host_str().unwrap_or("-");
            tracing::warn!(status = %response.status(), host, alert = alert.id, "alert webhook refused");
        }
        Err(error) => {
            let host = error.url().and_then(|url| url.host_str()).unwrap_or("-").to_owned();
            let error = error.without_url();
            tracing::warn!(%error, host, alert = alert.id, "alert webhook failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_time_and_body() {
        let key = b"webhook key";
        let sig = webhook_signature(key, 1_700_000_000, b"{}");
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
        assert_ne!(sig, webhook_signature(key, 1_700_000_001, b"{}"));
        assert_ne!(sig, webhook_signature(key, 1_700_000_000, b"{ }"));
        assert_ne!(sig, webhook_signature(b"other key", 1_700_000_000, b"{}"));
    }

    #[test]
    fn a_stored_alert_carrying_a_value_is_read_redacted() {
        let value = "pk-canary-4b1d9e7c2a6f8e3d5c1b9a7f";
        let detector = LeakDetector::new([("canary", value.as_bytes())]).unwrap();
        let stored = Alert {
            id: 1,
            at_ms: 0,
            severity: Severity::Critical,
            kind: "api_response_withheld".into(),
            agent: None,
            job: None,
            host: Some(value.into()),
            secret: Some("canary".into()),
            message: format!("response to /v1/secrets/{value} withheld"),
        };
        let read = stored.redacted(&detector);
        assert_eq!(read.message, "response to /v1/secrets/[REDACTED:canary] withheld");
        assert_eq!(read.host.as_deref(), Some("[REDACTED:canary]"));
        assert!(detector.scan(serde_json::to_string(&read).unwrap().as_bytes()).is_none());
    }
}
