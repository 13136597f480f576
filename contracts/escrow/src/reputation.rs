//! Per-node reputation: an integer moved by accepted jobs (+), lost disputes (-) and missed deadlines (-).

use near_sdk::near;

/// Reputation gained when a job is paid (accepted, auto-accepted after the review window, or won in
/// arbitration).
pub const ACCEPTED_JOB: i64 = 1;
/// Reputation lost by the party that loses a dispute.
pub const LOST_DISPUTE: i64 = -3;
/// Reputation lost by a worker that misses the deadline.
pub const MISSED_DEADLINE: i64 = -2;

/// Why a node's reputation moved.
#[near(serializers = [json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReputationChange {
    /// A job it worked was paid.
    JobAccepted,
    /// It lost a dispute.
    DisputeLost,
    /// It held a job past the deadline without delivering.
    DeadlineMissed,
}

impl ReputationChange {
    /// The change in points.
    pub fn delta(self) -> i64 {
        match self {
            ReputationChange::JobAccepted => ACCEPTED_JOB,
            ReputationChange::DisputeLost => LOST_DISPUTE,
            ReputationChange::DeadlineMissed => MISSED_DEADLINE,
        }
    }
}

/// A node's record in the escrow, created (and paid for) by its first bid and kept for good, so a node
/// cannot shed a bad reputation by deleting it.
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NodeStats {
    /// The reputation score (starts at 0).
    pub reputation: i64,
    /// Jobs it was paid for.
    pub jobs_accepted: u32,
    /// Disputes it lost.
    pub disputes_lost: u32,
    /// Deadlines it missed.
    pub deadlines_missed: u32,
}

impl NodeStats {
    /// Applies `change`; counters saturate instead of overflowing.
    pub fn apply(&mut self, change: ReputationChange) {
        self.reputation = self.reputation.saturating_add(change.delta());
        let counter = match change {
            ReputationChange::JobAccepted => &mut self.jobs_accepted,
            ReputationChange::DisputeLost => &mut self.disputes_lost,
            ReputationChange::DeadlineMissed => &mut self.deadlines_missed,
        };
        *counter = counter.saturating_add(1);
    }
}
