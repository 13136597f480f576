//! What the demo shows: each check with its outcome, the jobs, the alerts,
//! the receipts, and the node's security posture, labelled honestly.

use crate::alerts::Alert;
use crate::init::Initialized;
use crate::job::JobRecord;
use crate::node::Node;
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;

/// One expectation and whether it held.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was expected.
    pub expectation: String,
    /// Whether it held.
    pub ok: bool,
    /// What was seen.
    pub detail: String,
}

/// A job the demo ran.
#[derive(Debug, Clone, Serialize)]
pub struct JobLine {
    /// Why it ran.
    pub purpose: String,
    /// The job as it ended.
    pub job: JobRecord,
}

/// The whole demo.
#[derive(Debug, Serialize)]
pub struct DemoReport {
    /// Where the node's files are (removed at exit unless kept).
    pub home: PathBuf,
    /// The node's account and key.
    pub account_id: String,
    /// The node's signing key.
    pub public_key: String,
    /// `sev-snp` or `dev-insecure`.
    pub evidence_kind: String,
    /// How the vault key is kept.
    pub vault_key_mode: String,
    /// The expectations.
    pub checks: Vec<Check>,
    /// The jobs.
    pub jobs: Vec<JobLine>,
    /// The alerts raised.
    pub alerts: Vec<Alert>,
    /// Receipts verified, of receipts made.
    pub receipts: (usize, usize),
}

impl DemoReport {
    /// An empty report for the node `init` made.
    pub fn new(made: &Initialized, node: &Node, home: PathBuf) -> DemoReport {
        DemoReport {
            home,
            account_id: made.account_id.clone(),
            public_key: made.public_key.clone(),
            evidence_kind: node.identity.evidence.kind().to_owned(),
            vault_key_mode: made.vault_key_mode.clone(),
            checks: Vec::new(),
            jobs: Vec::new(),
            alerts: Vec::new(),
            receipts: (0, 0),
        }
    }

    /// Records an expectation.
    pub fn check(&mut self, expectation: &str, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check { expectation: expectation.to_owned(), ok, detail: detail.into() });
    }

    /// Records a job.
    pub fn job(&mut self, job: &JobRecord, purpose: &str) {
        self.jobs.push(JobLine { purpose: purpose.to_owned(), job: job.clone() });
    }

    /// Whether every expectation held.
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    /// The human summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "\nRedoubt demo: node {} ({})", short(&self.account_id), self.public_key);
        let _ = writeln!(out, "  evidence  {}   vault key  {}", self.evidence_kind, self.vault_key_mode);
        if self.evidence_kind != "sev-snp" {
            let _ =
                writeln!(out, "  INSECURE: no SEV-SNP hardware here, so the node's keys are not bound to an enclave;");
            let _ = writeln!(
                out,
                "            the demo also enables dev egress settings (plain HTTP, loopback, any port)."
            );
        }
        let _ = writeln!(out, "\njobs");
        let mut jobs: Vec<&JobLine> = self.jobs.iter().collect();
        jobs.sort_by_key(|line| line.job.id);
        for line in jobs {
            let job = &line.job;
            let receipt = job.receipt.as_deref().map_or("-".to_owned(), short);
            let _ = writeln!(
                out,
                "  #{:<3} {:<14} {:<10} receipt {:<17} {}",
                job.id, job.agent, job.state, receipt, line.purpose
            );
        }
        let _ = writeln!(out, "\nalerts");
        for alert in self.alerts.iter().filter(|a| a.kind != "secret_changed") {
            let _ = writeln!(out, "  {:<8?} {:<28} {}", alert.severity, alert.kind, alert.message);
        }
        let _ = writeln!(out, "\nchecks");
        for check in &self.checks {
            let mark = if check.ok { "ok  " } else { "FAIL" };
            let _ = writeln!(out, "  {mark} {}", check.expectation);
            if !check.ok || !check.detail.is_empty() {
                let _ = writeln!(out, "       {}", check.detail);
            }
        }
        let (verified, total) = self.receipts;
        let verdict = if self.ok() { "every check passed" } else { "SOME CHECKS FAILED" };
        let _ = writeln!(out, "\n{verdict}; {verified}/{total} receipts verified");
        out
    }
}

fn short(text: &str) -> String {
    if text.len() > 16 { format!("{}…", &text[..16]) } else { text.to_owned() }
}
