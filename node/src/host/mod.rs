//! The node's implementations of the sandbox's host traits, one set per job:
//! HTTP and LLM through the egress gate, the key-value store in the
//! database, logs capped and leak-scanned, delegation to installed agents.

mod delegate;
mod egress;
mod kv;
mod log;

pub use egress::Egress;
pub use log::JobLog;

use crate::job::JobRecord;
use crate::node::Node;
use redoubt_sandbox::HostServices;
use std::sync::Arc;

/// The host services of one job, and its log.
pub struct JobServices {
    /// What the sandbox calls.
    pub services: HostServices,
    /// The job's log lines, as they pass the leak scan.
    pub log: Arc<JobLog>,
}

/// The host services for `job`.
pub fn services_for(node: &Arc<Node>, job: &JobRecord) -> JobServices {
    let log = Arc::new(JobLog::new(node, job));
    let services = HostServices {
        http: Arc::new(egress::GateHttp(node.egress.gate.clone())),
        llm: Arc::new(egress::GateLlm(node.egress.llm.clone())),
        kv: Arc::new(kv::StoreKv::new(node)),
        delegate: Arc::new(delegate::LocalDelegate::new(node, job)),
        log: log.clone(),
    };
    JobServices { services, log }
}
