//! Start-up recovery: a job that was running when the process died is queued
//! again, once per remaining attempt; a job out of attempts fails. Queued jobs
//! are started again. A finished job (its receipt stored with it) never runs
//! twice.

use crate::job::{JobFailure, JobState};
use crate::node::Node;
use crate::store::{JobFilter, StoreError, now_ms};
use std::sync::Arc;

/// What recovery did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Interrupted jobs queued again.
    pub requeued: Vec<u64>,
    /// Interrupted jobs out of attempts, now failed.
    pub failed: Vec<u64>,
    /// Queued jobs started again.
    pub resumed: Vec<u64>,
}

/// Recovers interrupted and queued jobs and starts them.
pub async fn recover(node: &Arc<Node>) -> Result<Recovered, StoreError> {
    let mut recovered = Recovered::default();
    let max_attempts = node.config.jobs.max_attempts.max(1);
    for job in all_in(node, JobState::Running)? {
        if job.attempts < max_attempts {
            node.store.change_job(job.id, JobState::Queued, |_| {}).await?;
            recovered.requeued.push(job.id);
        } else {
            let message = format!("interrupted by a node restart {} times; not run again", job.attempts);
            let failed = node
                .store
                .change_job(job.id, JobState::Failed, move |record| {
                    record.finished_at_ms = Some(now_ms());
                    record.error = Some(JobFailure { kind: "interrupted".into(), message });
                })
                .await?;
            node.publish_end(failed);
            recovered.failed.push(job.id);
        }
    }
    for job in all_in(node, JobState::Queued)? {
        if !recovered.requeued.contains(&job.id) {
            recovered.resumed.push(job.id);
        }
        node.spawn_execution(job.id);
    }
    Ok(recovered)
}

fn all_in(node: &Node, state: JobState) -> Result<Vec<crate::job::JobRecord>, StoreError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = node.store.jobs(&JobFilter { state: Some(state), after, limit: Some(1000) })?;
        let Some(last) = page.last() else { return Ok(all) };
        after = Some(last.id);
        all.extend(page);
    }
}
