//! The node's implementations of the sandbox's host traits, one set per job:
//! HTTP and LLM through the egress gate, the key-value store in the
//! database (a job's writes committed with its end), logs capped and leak-scanned, delegation to installed agents.

mod delegate;
mod egress;
mod kv;
mod log;

pub use delegate::HiredReceipts;
pub use egress::Egress;
pub use kv::JobKv;
pub use log::JobLog;

use crate::job::JobRecord;
use crate::node::Node;
use redoubt_sandbox::HostServices;
use std::sync::Arc;

/// The host services of one job, its log and the receipts of the jobs it hired.
pub struct JobServices {
    /// What the sandbox calls.
    pub services: HostServices,
    /// The job's log lines, as they pass the leak scan.
    pub log: Arc<JobLog>,
    /// The receipts of the jobs it hired.
    pub hired: Arc<HiredReceipts>,
    /// Its key-value writes, to commit with its end.
    pub kv: Arc<JobKv>,
}

/// The host services for `job`.
pub fn services_for(node: &Arc<Node>, job: &JobRecord) -> JobServices {
    let log = Arc::new(JobLog::new(node, job));
    let hired = Arc::new(HiredReceipts::default());
    let kv = Arc::new(JobKv::new(node, job));
    let services = HostServices {
        http: Arc::new(egress::GateHttp(node.egress.gate.clone())),
        llm: Arc::new(egress::GateLlm(node.egress.llm.clone())),
        kv: kv.clone(),
        delegate: Arc::new(delegate::LocalDelegate::new(node, job, hired.clone())),
        log: log.clone(),
    };
    JobServices { services, log, hired, kv }
}
