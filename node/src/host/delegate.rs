//! Delegation on this node: hire an installed agent whose manifest offers the
//! capability tag, run it as a child job (with its own receipt, which names
//! the hiring job), and hand its output back; the hiring job's receipt lists
//! the receipts of the jobs it hired. Local work is free; the market issue adds
//! paid hiring across nodes. Delegation chains are bounded so agents cannot
//! recurse forever.

use crate::job::{JobRecord, JobState};
use crate::node::Node;
use crate::pipeline::SubmitJob;
use async_trait::async_trait;
use redoubt_sandbox::host::{CallContext, DelegateHost, Delegation, DelegationResult, HostError};
use std::sync::{Arc, Mutex, Weak};

/// The longest chain of jobs hiring jobs.
const MAX_DEPTH: usize = 4;

/// The receipt hashes of the jobs one job hired, in the order they ended, for its own receipt.
#[derive(Debug, Default)]
pub struct HiredReceipts(Mutex<Vec<[u8; 32]>>);

impl HiredReceipts {
    fn record(&self, receipt_hash: [u8; 32]) {
        crate::node::lock(&self.0).push(receipt_hash);
    }

    /// The hashes recorded so far, leaving none.
    pub fn take(&self) -> Vec<[u8; 32]> {
        std::mem::take(&mut *crate::node::lock(&self.0))
    }
}

/// Delegation to agents installed on this node.
pub struct LocalDelegate {
    node: Weak<Node>,
    job: JobRecord,
    hired: Arc<HiredReceipts>,
}

impl LocalDelegate {
    /// Delegation for `job`, recording the receipts of the jobs it hires in `hired`.
    pub fn new(node: &Arc<Node>, job: &JobRecord, hired: Arc<HiredReceipts>) -> LocalDelegate {
        LocalDelegate { node: Arc::downgrade(node), job: job.clone(), hired }
    }
}

/// How many jobs above `job` hired it.
fn depth(node: &Node, job: &JobRecord) -> usize {
    let mut depth = 0;
    let mut parent = job.parent;
    while let Some(id) = parent {
        depth += 1;
        parent = node.store.job(id).ok().flatten().and_then(|record| record.parent);
    }
    depth
}

#[async_trait]
impl DelegateHost for LocalDelegate {
    async fn hire(&self, _ctx: &CallContext, request: Delegation) -> Result<DelegationResult, HostError> {
        let node = self.node.upgrade().ok_or_else(|| HostError::Unavailable("the node is shutting down".into()))?;
        if depth(&node, &self.job) + 1 >= MAX_DEPTH {
            return Err(HostError::Denied(format!("delegation chains are limited to {MAX_DEPTH} jobs")));
        }
        let agents = node.store.agents().map_err(|e| HostError::Failed(e.to_string()))?;
        let Some(worker) = agents
            .into_iter()
            .find(|agent| agent.name != self.job.agent && agent.tags.iter().any(|tag| tag == &request.capability))
        else {
            return Err(HostError::Unavailable(format!(
                "no agent on this node offers {:?} (and no market is configured)",
                request.capability
            )));
        };
        let submitted = node
            .submit(SubmitJob {
                agent: worker.name.clone(),
                input: request.input,
                parent: Some(self.job.id),
                market_ref: None,
            })
            .await
            .map_err(|e| HostError::Failed(format!("hiring {}: {e}", worker.name)))?;
        let done = node
            .wait(submitted.id)
            .await
            .map_err(|e| HostError::Failed(e.to_string()))?
            .ok_or_else(|| HostError::Failed("the hired job vanished".into()))?;
        // A hired job that ran has a receipt whether it succeeded or not: the hirer's receipt lists it.
        let receipt_hash = done.receipt.as_deref().and_then(|hash| <[u8; 32]>::try_from(hex::decode(hash).ok()?).ok());
        if let Some(hash) = receipt_hash {
            self.hired.record(hash);
        }
        if done.state != JobState::Succeeded {
            let why = done.error.map_or_else(|| done.state.to_string(), |e| e.message);
            return Err(HostError::Failed(format!("{} (job {}) failed: {why}", worker.name, done.id)));
        }
        let output = node.store.job_output(done.id).map_err(|e| HostError::Failed(e.to_string()))?.unwrap_or_default();
        Ok(DelegationResult {
            output,
            worker: format!("{}@{}", worker.name, node.identity.keys.account_id()),
            price_micros: 0,
            receipt_hash: done.receipt.unwrap_or_default(),
        })
    }
}
