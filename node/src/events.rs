//! The node's event stream: what the API's server-sent events carry.

use crate::alerts::Alert;
use crate::job::{JobId, JobState};
use serde::Serialize;
use tokio::sync::broadcast;

/// Events kept for a slow subscriber before it starts missing some.
const BACKLOG: usize = 1024;

/// Something that happened on the node.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A job was accepted.
    JobQueued {
        /// The job.
        job: JobId,
        /// Its agent.
        agent: String,
    },
    /// A job entered the sandbox.
    JobStarted {
        /// The job.
        job: JobId,
        /// Its agent.
        agent: String,
        /// Which attempt (from 1).
        attempt: u32,
    },
    /// A job ended.
    JobFinished {
        /// The job.
        job: JobId,
        /// Its agent.
        agent: String,
        /// How it ended.
        state: JobState,
        /// Its receipt's hash, if it has one.
        receipt: Option<String>,
    },
    /// Receipts were sealed under a Merkle root.
    BatchSealed {
        /// The batch.
        index: u64,
        /// Its root (hex).
        root: String,
        /// How many receipts.
        count: usize,
    },
    /// An alert was raised.
    Alert(Alert),
    /// An agent was installed.
    AgentInstalled {
        /// Its name.
        name: String,
        /// Its code hash.
        code_hash: String,
    },
    /// An agent was removed.
    AgentRemoved {
        /// Its name.
        name: String,
    },
    /// A secret was added, rotated or removed (never its value).
    SecretChanged {
        /// Its name.
        name: String,
        /// `added`, `rotated` or `removed`.
        action: String,
    },
}

/// Fans events out to every subscriber.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus { sender: broadcast::channel(BACKLOG).0 }
    }
}

impl EventBus {
    /// Sends an event to current subscribers (none is fine).
    pub fn publish(&self, event: Event) {
        let _ = self.sender.send(event);
    }

    /// A new subscription, from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
