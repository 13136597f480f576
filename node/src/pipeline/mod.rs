//! The job path, in one place, top to bottom:
//!
//! 1. **intake** ([`Node::submit`]): a job arrives from the API, the CLI or
//!    an agent delegating work;
//! 2. **admission** ([`admission`]): the agent is installed and loads (its
//!    package hash checked, its manifest within the operator's caps), the
//!    input fits the agent's limit; the job is recorded, durably, as queued;
//! 3. **sandbox** ([`Node::execute`]): the job is marked running (durably,
//!    counting the attempt), then runs in wasmtime with the node's host
//!    implementations ([`crate::host`]: the egress gate for HTTP and LLM, the
//!    key-value store, logs capped and leak-scanned);
//! 4. **output leak scan** ([`scan`]): an output carrying any vault secret,
//!    in any encoding, is withheld and an alert raised;
//! 5. **receipt** ([`receipt`]): signed with the node key, stored in the same
//!    transaction that finishes the job (with a succeeded job's key-value
//!    writes, leak-checked as they were made), queued for its Merkle batch
//!    ([`batcher`]);
//! 6. **result and events**: waiters are answered, the event stream and
//!    metrics updated.
//!
//! A job that was running when the process died is queued again on start,
//! until it has used its attempts; then it fails ([`recovery`]).

pub mod admission;
pub mod batcher;
pub mod receipt;
pub mod recovery;
pub mod scan;

use crate::events::Event;
use crate::host;
use crate::job::{JobFailure, JobId, JobRecord, JobState};
use crate::node::{Node, lock};
use crate::store::{Finish, NewJob, StoreError, now_ms};
use admission::Admitted;
use redoubt_sandbox::JobError;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::{Notify, oneshot};

/// A job as a client asks for it.
#[derive(Debug, Clone)]
pub struct SubmitJob {
    /// The installed agent's name.
    pub agent: String,
    /// The input bytes.
    pub input: Vec<u8>,
    /// The job that hired this one (delegation).
    pub parent: Option<JobId>,
    /// A client reference (for example a market job id).
    pub market_ref: Option<String>,
}

/// Why a job was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Admission refused it (unknown agent, input too large...).
    #[error(transparent)]
    Refused(#[from] admission::Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Node {
    /// Intake and admission: records the job as queued and starts it. Returns
    /// once the job is durably recorded, not when it ends (see [`Node::wait`]).
    pub async fn submit(self: &Arc<Self>, request: SubmitJob) -> Result<JobRecord, SubmitError> {
        let admitted = self.admit(&request.agent, request.input.len())?;
        if let Err(refusal) = scan::intake(self, &admitted.record.name, &request.input, request.market_ref.as_deref()) {
            // The refusal is answered only once its alert is recorded.
            self.alerts.settle().await;
            return Err(refusal.into());
        }
        let record = JobRecord {
            id: 0,
            agent: admitted.record.name.clone(),
            code_hash: admitted.record.code_hash.clone(),
            manifest_hash: admitted.record.manifest_hash.clone(),
            state: JobState::Queued,
            attempts: 0,
            created_at_ms: now_ms(),
            started_at_ms: None,
            finished_at_ms: None,
            input_sha256: hex::encode(Sha256::digest(&request.input)),
            input_bytes: request.input.len() as u64,
            output_sha256: None,
            output_bytes: None,
            error: None,
            receipt: None,
            usage: None,
            parent: request.parent,
            market_ref: request.market_ref,
        };
        let record = self.store.insert_job(NewJob { record, input: request.input }).await?;
        self.events.publish(Event::JobQueued { job: record.id, agent: record.agent.clone() });
        self.spawn_execution(record.id);
        Ok(record)
    }

    /// Runs a queued job in the background.
    pub(crate) fn spawn_execution(self: &Arc<Self>, id: JobId) {
        let node = self.clone();
        tokio::spawn(async move {
            if let Err(error) = node.execute(id).await {
                tracing::error!(job = id, %error, "job could not be run");
            }
        });
    }

    /// Sandbox, scans, receipt, finish: one queued job to its end.
    pub(crate) async fn execute(self: &Arc<Self>, id: JobId) -> Result<(), StoreError> {
        let Some(queued) = self.store.job(id)? else { return Ok(()) };
        let input = self.store.job_input(id)?.unwrap_or_default();
        let admitted = match self.admit(&queued.agent, input.len()) {
            Ok(admitted) if admitted.record.code_hash == queued.code_hash => admitted,
            Ok(_) => return self.fail_queued(id, "the agent was replaced by another version after submission").await,
            Err(refusal) => return self.fail_queued(id, &refusal.to_string()).await,
        };
        let cancel = Arc::new(Notify::new());
        lock(&self.cancels).insert(id, cancel.clone());
        let started_at_ms = now_ms();
        let running = match self.store.start_job(id, started_at_ms).await {
            Ok(running) => running,
            // Cancelled while queued: nothing to run.
            Err(StoreError::Rejected(_)) => {
                lock(&self.cancels).remove(&id);
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        self.events.publish(Event::JobStarted { job: id, agent: running.agent.clone(), attempt: running.attempts });

        let services = host::services_for(self, &running);
        let job_label = id.to_string();
        let run = self.sandbox.run(&admitted.agent, &job_label, &input, services.services.clone());
        let report = tokio::select! {
            report = run => Some(report),
            () = cancel.notified() => None,
        };
        lock(&self.cancels).remove(&id);
        let finished_at_ms = now_ms();
        let logs = services.log.take();
        let hired = services.hired.take();
        let mut finish = match report {
            None => Finish {
                state: JobState::Cancelled,
                output: None,
                error: Some(JobFailure { kind: "cancelled".into(), message: "cancelled while running".into() }),
                usage: None,
                logs,
                receipt: None,
                kv: None,
                finished_at_ms,
            },
            Some(report) => {
                let ran = receipt::Ran { input: &input, usage: &report.usage, started_at_ms, finished_at_ms, hired };
                self.conclude(&running, &admitted, ran, report.outcome, &report.console, logs)
            }
        };
        // A succeeded job's key-value writes are committed with its end; any other's are dropped.
        if finish.state == JobState::Succeeded {
            finish.kv = services.kv.take();
        }
        self.alerts.settle().await;
        let finished = self.store.finish_job(id, finish).await?;
        self.publish_end(finished);
        Ok(())
    }

    /// Scans what a job produced and signs its receipt.
    fn conclude(
        &self,
        job: &JobRecord,
        admitted: &Admitted,
        ran: receipt::Ran<'_>,
        outcome: Result<Vec<u8>, JobError>,
        console: &[u8],
        mut logs: Vec<u8>,
    ) -> Finish {
        let scan = scan::JobScan::new(self, &admitted.agent.package().manifest().capabilities.secrets);
        logs.extend(scan::console(self, job, &scan, console));
        let outcome = match outcome {
            Ok(output) => scan::output(self, job, &scan, output),
            Err(error) => Err(scan::failure(self, job, &scan, failure_of(&error))),
        };
        let (usage, finished_at_ms) = (ran.usage.clone(), ran.finished_at_ms);
        let signed = receipt::sign(self, job, admitted, &outcome, ran);
        let (state, output, error) = match outcome {
            Ok(output) => (JobState::Succeeded, Some(output), None),
            Err(failure) => (JobState::Failed, None, Some(failure)),
        };
        Finish { state, output, error, usage: Some(usage), logs, receipt: Some(signed), kv: None, finished_at_ms }
    }

    /// Fails a job that never reached the sandbox.
    async fn fail_queued(&self, id: JobId, why: &str) -> Result<(), StoreError> {
        let message = why.to_owned();
        let failed = self
            .store
            .change_job(id, JobState::Failed, move |record| {
                record.finished_at_ms = Some(now_ms());
                record.error = Some(JobFailure { kind: "admission".into(), message });
            })
            .await;
        match failed {
            Ok(record) => {
                self.publish_end(record);
                Ok(())
            }
            Err(StoreError::Rejected(_)) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Tells waiters, the event stream, the metrics and the batcher that a job ended.
    pub(crate) fn publish_end(&self, record: JobRecord) {
        let seconds = match (record.started_at_ms, record.finished_at_ms) {
            (Some(start), Some(end)) => end.saturating_sub(start) as f64 / 1000.0,
            _ => 0.0,
        };
        self.metrics.job_finished(record.state.as_str(), seconds);
        self.events.publish(Event::JobFinished {
            job: record.id,
            agent: record.agent.clone(),
            state: record.state,
            receipt: record.receipt.clone(),
        });
        if record.receipt.is_some() {
            let waiting = self.receipts_waiting.fetch_add(1, Ordering::Relaxed) + 1;
            if waiting >= self.config.jobs.batch_size.max(1) {
                self.batch_due.notify_one();
            }
        }
        for waiter in lock(&self.waiters).remove(&record.id).unwrap_or_default() {
            let _ = waiter.send(record.clone());
        }
    }

    /// Waits until job `id` ends and returns it (at once if it already has).
    pub async fn wait(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        let (tell, told) = oneshot::channel();
        lock(&self.waiters).entry(id).or_default().push(tell);
        match self.store.job(id)? {
            None => {
                lock(&self.waiters).remove(&id);
                Ok(None)
            }
            Some(record) if record.state.is_final() => Ok(Some(record)),
            Some(_) => Ok(told.await.ok()),
        }
    }

    /// Cancels a queued or running job. Returns the job as it now stands.
    pub async fn cancel(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        let Some(record) = self.store.job(id)? else { return Ok(None) };
        if record.state == JobState::Queued {
            let cancelled = self
                .store
                .change_job(id, JobState::Cancelled, |record| {
                    record.finished_at_ms = Some(now_ms());
                    record.error =
                        Some(JobFailure { kind: "cancelled".into(), message: "cancelled while queued".into() });
                })
                .await;
            if let Ok(cancelled) = cancelled {
                self.publish_end(cancelled.clone());
                return Ok(Some(cancelled));
            }
        }
        if let Some(signal) = lock(&self.cancels).get(&id) {
            signal.notify_one();
        }
        self.wait(id).await
    }
}

/// The stored form of a sandbox failure.
fn failure_of(error: &JobError) -> JobFailure {
    let kind = match error {
        JobError::LimitExceeded(_) => "limit_exceeded",
        JobError::Agent { .. } => "agent",
        JobError::Trap { .. } => "trap",
        JobError::Internal { .. } => "internal",
    };
    JobFailure { kind: kind.into(), message: error.to_string() }
}
