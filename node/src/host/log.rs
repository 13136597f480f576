//! An agent's log lines: each is scanned for vault secrets (redacted, or
//! withheld when the deep check finds one the agent may use, and alerted),
//! written to `tracing` under the `agent` target, and kept with the job. The
//! sandbox has already counted it against the job's caps.

use crate::job::JobRecord;
use crate::node::{Node, lock};
use crate::pipeline::scan;
use redoubt_sandbox::host::{CallContext, LogLevel, LogSink};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// One job's log.
pub struct JobLog {
    node: Weak<Node>,
    job: JobRecord,
    lines: Mutex<Vec<u8>>,
    /// The checks every line passes, built at the first line.
    scan: OnceLock<scan::JobScan>,
}

impl JobLog {
    /// An empty log for `job`.
    pub fn new(node: &Arc<Node>, job: &JobRecord) -> JobLog {
        JobLog { node: Arc::downgrade(node), job: job.clone(), lines: Mutex::default(), scan: OnceLock::new() }
    }

    /// Everything logged so far, leaving the log empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *lock(&self.lines))
    }
}

impl LogSink for JobLog {
    fn write(&self, ctx: &CallContext, level: LogLevel, message: &str) {
        let Some(node) = self.node.upgrade() else { return };
        let checks = self.scan.get_or_init(|| scan::JobScan::new(&node, &ctx.capabilities.secrets));
        let clean = scan::redact(&node, &self.job, checks, message.as_bytes(), "log line");
        let clean = String::from_utf8_lossy(&clean);
        let level_name = format!("{level:?}").to_lowercase();
        tracing::info!(target: "agent", agent = %ctx.agent_name, job = %ctx.job_id, level = %level_name, "{clean}");
        let mut lines = lock(&self.lines);
        lines.extend_from_slice(format!("[{level_name}] {clean}\n").as_bytes());
    }
}
