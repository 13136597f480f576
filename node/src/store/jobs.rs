//! Jobs: their records, inputs, outputs and logs, and every state change
//! checked against the state machine inside the transaction that makes it.

use super::kv::{self, KvWrites};
use super::receipts::{self, StoredReceipt};
use super::{Store, StoreError, decode, encode, next_id};
use crate::job::{JobFailure, JobId, JobRecord, JobState};
use redb::{ReadableTable, TableDefinition, WriteTransaction};
use redoubt_sandbox::ResourceUsage;

const JOBS: TableDefinition<u64, &[u8]> = TableDefinition::new("jobs");
const INPUTS: TableDefinition<u64, &[u8]> = TableDefinition::new("job_inputs");
const OUTPUTS: TableDefinition<u64, &[u8]> = TableDefinition::new("job_outputs");
const LOGS: TableDefinition<u64, &[u8]> = TableDefinition::new("job_logs");

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    for table in [JOBS, INPUTS, OUTPUTS, LOGS] {
        txn.open_table(table).map_err(StoreError::storage)?;
    }
    Ok(())
}

/// A job as submitted: the record without its id (the store assigns it).
pub struct NewJob {
    /// The record; `id` is overwritten.
    pub record: JobRecord,
    /// The input bytes.
    pub input: Vec<u8>,
}

/// How a job that ran ends: its final state and what it left.
pub struct Finish {
    /// Succeeded, failed or cancelled.
    pub state: JobState,
    /// The output, when succeeded.
    pub output: Option<Vec<u8>>,
    /// Why not, otherwise.
    pub error: Option<JobFailure>,
    /// What it used.
    pub usage: Option<ResourceUsage>,
    /// The agent's log (stdout/stderr and log lines), already leak-scanned.
    pub logs: Vec<u8>,
    /// Its signed receipt, stored in the same transaction.
    pub receipt: Option<StoredReceipt>,
    /// The key-value writes it made, committed in the same transaction (a
    /// succeeded job's; a failed job's are dropped).
    pub kv: Option<KvWrites>,
    /// When it ended (Unix ms).
    pub finished_at_ms: u64,
}

/// Which jobs to list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Only jobs in this state.
    pub state: Option<JobState>,
    /// Only jobs with an id above this (for paging).
    pub after: Option<JobId>,
    /// At most this many (default 100).
    pub limit: Option<usize>,
}

fn load(txn: &WriteTransaction, id: JobId) -> Result<JobRecord, StoreError> {
    let jobs = txn.open_table(JOBS).map_err(StoreError::storage)?;
    let bytes = jobs.get(id).map_err(StoreError::storage)?;
    match bytes {
        Some(bytes) => decode("jobs", bytes.value()),
        None => Err(StoreError::Rejected(format!("no job {id}"))),
    }
}

fn save(txn: &WriteTransaction, record: &JobRecord) -> Result<(), StoreError> {
    let mut jobs = txn.open_table(JOBS).map_err(StoreError::storage)?;
    jobs.insert(record.id, encode(record).as_slice()).map_err(StoreError::storage)?;
    Ok(())
}

fn check_transition(record: &JobRecord, to: JobState) -> Result<(), StoreError> {
    if record.state.can_become(to) {
        Ok(())
    } else {
        Err(StoreError::Rejected(format!("job {} is {}, it cannot become {to}", record.id, record.state)))
    }
}

impl Store {
    /// Records a new queued job with its input; returns it with its id.
    pub async fn insert_job(&self, new: NewJob) -> Result<JobRecord, StoreError> {
        self.write(move |txn| {
            let mut record = new.record;
            record.id = next_id(txn, "next_job")?;
            record.state = JobState::Queued;
            save(txn, &record)?;
            let mut inputs = txn.open_table(INPUTS).map_err(StoreError::storage)?;
            inputs.insert(record.id, new.input.as_slice()).map_err(StoreError::storage)?;
            Ok(record)
        })
        .await
    }

    /// Moves a queued job to running and counts the attempt.
    pub async fn start_job(&self, id: JobId, at_ms: u64) -> Result<JobRecord, StoreError> {
        self.change_job(id, JobState::Running, move |record| {
            record.attempts += 1;
            record.started_at_ms = Some(at_ms);
        })
        .await
    }

    /// Moves a job to `to` (checked), applying `edit` to its record.
    pub async fn change_job(
        &self,
        id: JobId,
        to: JobState,
        edit: impl FnOnce(&mut JobRecord) + Send + 'static,
    ) -> Result<JobRecord, StoreError> {
        self.write(move |txn| {
            let mut record = load(txn, id)?;
            check_transition(&record, to)?;
            record.state = to;
            edit(&mut record);
            save(txn, &record)?;
            Ok(record)
        })
        .await
    }

    /// Ends a job that ran: its state, output, logs, receipt and key-value
    /// writes, all in one transaction, so a job is never finished without its
    /// receipt, nor its writes kept without it.
    pub async fn finish_job(&self, id: JobId, finish: Finish) -> Result<JobRecord, StoreError> {
        self.write(move |txn| {
            let mut record = load(txn, id)?;
            check_transition(&record, finish.state)?;
            record.state = finish.state;
            record.finished_at_ms = Some(finish.finished_at_ms);
            record.error = finish.error;
            record.usage = finish.usage;
            if let Some(output) = &finish.output {
                record.output_sha256 = Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(output)));
                record.output_bytes = Some(output.len() as u64);
            }
            record.receipt = finish.receipt.as_ref().map(|r| r.hash.clone());
            save(txn, &record)?;
            if let Some(output) = &finish.output {
                let mut outputs = txn.open_table(OUTPUTS).map_err(StoreError::storage)?;
                outputs.insert(id, output.as_slice()).map_err(StoreError::storage)?;
            }
            let mut logs = txn.open_table(LOGS).map_err(StoreError::storage)?;
            logs.insert(id, finish.logs.as_slice()).map_err(StoreError::storage)?;
            if let Some(receipt) = &finish.receipt {
                receipts::insert(txn, receipt)?;
            }
            if let Some(writes) = &finish.kv {
                kv::apply(txn, writes)?;
            }
            Ok(record)
        })
        .await
    }

    /// One job.
    pub fn job(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        self.read(|txn| {
            let jobs = txn.open_table(JOBS).map_err(StoreError::storage)?;
            jobs.get(id).map_err(StoreError::storage)?.map(|v| decode("jobs", v.value())).transpose()
        })
    }

    /// Jobs by id, filtered.
    pub fn jobs(&self, filter: &JobFilter) -> Result<Vec<JobRecord>, StoreError> {
        let limit = filter.limit.unwrap_or(100);
        self.read(|txn| {
            let jobs = txn.open_table(JOBS).map_err(StoreError::storage)?;
            let start = filter.after.map_or(0, |after| after.saturating_add(1));
            let mut list = Vec::new();
            for entry in jobs.range(start..).map_err(StoreError::storage)? {
                let (_, bytes) = entry.map_err(StoreError::storage)?;
                let record: JobRecord = decode("jobs", bytes.value())?;
                if filter.state.is_none_or(|state| record.state == state) {
                    list.push(record);
                    if list.len() >= limit {
                        break;
                    }
                }
            }
            Ok(list)
        })
    }

    /// A job's input.
    pub fn job_input(&self, id: JobId) -> Result<Option<Vec<u8>>, StoreError> {
        self.blob(INPUTS, id)
    }

    /// A succeeded job's output.
    pub fn job_output(&self, id: JobId) -> Result<Option<Vec<u8>>, StoreError> {
        self.blob(OUTPUTS, id)
    }

    /// A finished job's log.
    pub fn job_logs(&self, id: JobId) -> Result<Option<Vec<u8>>, StoreError> {
        self.blob(LOGS, id)
    }

    fn blob(&self, table: TableDefinition<u64, &[u8]>, id: JobId) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|txn| {
            let blobs = txn.open_table(table).map_err(StoreError::storage)?;
            Ok(blobs.get(id).map_err(StoreError::storage)?.map(|v| v.value().to_vec()))
        })
    }
}
