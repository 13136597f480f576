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
    #[schema(title = "JobQueuedEvent")]
    JobQueued {
        /// The job.
        job: JobId,
        /// Its agent.
        agent: String,
    },
    /// A job entered the sandbox.
    #[schema(title = "JobStartedEvent")]
    JobStarted {
        /// The job.
        job: JobId,
        /// Its agent.
        agent: String,
        /// Which attempt (from 1).
        attempt: u32,
    },
    /// A job ended.
    #[schema(title = "JobFinishedEvent")]
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
    #[schema(title = "BatchSealedEvent")]
    BatchSealed {
        /// The batch.
        index: u64,
        /// Its root (hex).
        root: String,
        /// How many receipts.
        count: usize,
    },
    /// An alert was raised (its fields beside `type`; inline, so generators read the union).
    #[schema(title = "AlertEvent")]
    Alert(#[schema(inline)] Alert),
    /// An agent was installed.
    #[schema(title = "AgentInstalledEvent")]
    AgentInstalled {
        /// Its name.
        name: String,
        /// Its code hash.
        code_hash: String,
    },
    /// An agent was removed.
    #[schema(title = "AgentRemovedEvent")]
    AgentRemoved {
        /// Its name.
        name: String,
    },
    /// A secret was added, rotated or removed (never its value).
    #[schema(title = "SecretChangedEvent")]
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
