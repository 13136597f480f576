//! The key-value store agents see, scoped by agent name (an agent never sees
//! another's keys), one per job. A job's writes stay in its own overlay:
//! `get` reads there first, then the database (read-your-writes); each key
//! and value passes the leak check as it is set ([`scan::kv_write`]), and a
//! refused write leaves nothing; the overlay is bounded in keys and bytes.
//! The pipeline commits it with the job's end, in the transaction that
//! finishes a succeeded job, and drops it otherwise (failure, trap,
//! cancellation, a node that dies first): a set costs a map insert, not a
//! durable commit.

use crate::job::JobRecord;
use crate::node::{Node, lock};
use crate::pipeline::scan;
use crate::store::{KvWrites, MAX_KEYS_PER_AGENT, StoreError};
use async_trait::async_trait;
use redoubt_sandbox::host::{CallContext, HostError, KvHost};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Most keys one job may write.
pub const MAX_JOB_KEYS: usize = 10_000;
/// Most value bytes one job may have written and not yet committed.
pub const MAX_JOB_VALUE_BYTES: usize = 16 << 20;

/// One job's view of its agent's keys, and the writes it made.
pub struct JobKv {
    node: Weak<Node>,
    job: JobRecord,
    overlay: Mutex<Overlay>,
    /// The checks every write passes, built at the first write.
    scan: OnceLock<scan::JobScan>,
}

/// The writes of one job, with what the key quota needs.
struct Overlay {
    writes: KvWrites,
    /// Keys set here that the database does not hold.
    new_keys: HashSet<String>,
    /// How many keys the agent held when the job first added one.
    held: Option<usize>,
}

impl JobKv {
    /// The store as `job` sees it: its agent's keys, no writes yet.
    pub fn new(node: &Arc<Node>, job: &JobRecord) -> JobKv {
        let overlay = Overlay { writes: KvWrites::new(&job.agent), new_keys: HashSet::new(), held: None };
        JobKv { node: Arc::downgrade(node), job: job.clone(), overlay: Mutex::new(overlay), scan: OnceLock::new() }
    }

    /// The writes made so far, if any, leaving none (to commit with the job's end).
    pub fn take(&self) -> Option<KvWrites> {
        let mut overlay = lock(&self.overlay);
        overlay.new_keys.clear();
        let writes = std::mem::replace(&mut overlay.writes, KvWrites::new(&self.job.agent));
        (!writes.is_empty()).then_some(writes)
    }

    fn node(&self) -> Result<Arc<Node>, HostError> {
        self.node.upgrade().ok_or_else(|| HostError::Unavailable("the node is shutting down".into()))
    }
}

impl Overlay {
    /// Refuses a write of `bytes` to `key` that would pass the job's caps.
    fn check_caps(&self, key: &str, bytes: usize) -> Result<(), HostError> {
        let previous = self.writes.get(key);
        if previous.is_none() && self.writes.len() >= MAX_JOB_KEYS {
            return Err(HostError::LimitExceeded(format!("a job writes at most {MAX_JOB_KEYS} keys")));
        }
        let replaced = previous.flatten().map_or(0, <[u8]>::len);
        if self.writes.value_bytes() - replaced + bytes > MAX_JOB_VALUE_BYTES {
            return Err(HostError::LimitExceeded(format!(
                "a job's key-value writes hold at most {MAX_JOB_VALUE_BYTES} bytes of values until it ends"
            )));
        }
        Ok(())
    }

    /// Counts `key` against the agent's key quota if the database does not
    /// hold it; says whether it was counted now.
    fn count_key(&mut self, node: &Node, agent: &str, key: &str) -> Result<bool, HostError> {
        if self.new_keys.contains(key) || matches!(self.writes.get(key), Some(Some(_))) {
            return Ok(false);
        }
        if node.store.kv_contains(agent, key).map_err(host_error)? {
            return Ok(false);
        }
        let held = match self.held {
            Some(held) => held,
            None => *self.held.insert(node.store.kv_held(agent).map_err(host_error)?),
        };
        if held + self.new_keys.len() >= MAX_KEYS_PER_AGENT {
            return Err(HostError::LimitExceeded(format!("an agent holds at most {MAX_KEYS_PER_AGENT} keys")));
        }
        self.new_keys.insert(key.to_owned());
        Ok(true)
    }
}

fn host_error(error: StoreError) -> HostError {
    match error {
        StoreError::Rejected(why) => HostError::Denied(why),
        other => HostError::Failed(other.to_string()),
    }
}

#[async_trait]
impl KvHost for JobKv {
    async fn get(&self, _ctx: &CallContext, key: String) -> Result<Option<Vec<u8>>, HostError> {
        if let Some(written) = lock(&self.overlay).writes.get(&key) {
            return Ok(written.map(<[u8]>::to_vec));
        }
        self.node()?.store.kv_get(&self.job.agent, &key).map_err(host_error)
    }

    async fn set(&self, ctx: &CallContext, key: String, value: Vec<u8>) -> Result<(), HostError> {
        let node = self.node()?;
        let checks = self.scan.get_or_init(|| scan::JobScan::new(&node, &ctx.capabilities.secrets));
        scan::kv_write(&node, &self.job, checks, &key, &value).map_err(HostError::Denied)?;
        let mut overlay = lock(&self.overlay);
        overlay.check_caps(&key, value.len())?;
        let counted = overlay.count_key(&node, &self.job.agent, &key)?;
        let written = overlay.writes.set(&key, value);
        if written.is_err() && counted {
            overlay.new_keys.remove(&key);
        }
        written.map_err(host_error)
    }

    async fn delete(&self, _ctx: &CallContext, key: String) -> Result<(), HostError> {
        let mut overlay = lock(&self.overlay);
        overlay.check_caps(&key, 0)?;
        overlay.writes.delete(&key).map_err(host_error)?;
        overlay.new_keys.remove(&key);
        Ok(())
    }
}
