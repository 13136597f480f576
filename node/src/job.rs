//! A job and its state machine: queued → running → succeeded | failed |
//! cancelled. A running job interrupted by a crash goes back to queued (until
//! its attempts are used up, then it fails); a queued job may be cancelled.

use redoubt_sandbox::ResourceUsage;
use serde::{Deserialize, Serialize};

/// A job's number, unique on this node.
pub type JobId = u64;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Accepted, waiting for a sandbox slot.
    Queued,
    /// In the sandbox.
    Running,
    /// Finished with an output.
    Succeeded,
    /// Finished without one.
    Failed,
    /// Stopped at the client's request.
    Cancelled,
}

impl JobState {
    /// Whether the job is over (no transition leaves this state).
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed | JobState::Cancelled)
    }

    /// Whether a job may move from `self` to `next`.
    pub fn can_become(self, next: JobState) -> bool {
        use JobState::*;
        matches!(
            (self, next),
            (Queued, Running)
                | (Queued, Cancelled)
                | (Queued, Failed)
                | (Running, Queued)
                | (Running, Succeeded)
                | (Running, Failed)
                | (Running, Cancelled)
        )
    }

    /// The state's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for JobState {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        [JobState::Queued, JobState::Running, JobState::Succeeded, JobState::Failed, JobState::Cancelled]
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("unknown job state {text:?}"))
    }
}

/// Why a job produced no output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobFailure {
    /// A stable class: `limit_exceeded`, `agent`, `trap`, `internal`,
    /// `output_withheld`, `interrupted`, `cancelled`.
    pub kind: String,
    /// What a person reads.
    pub message: String,
}

/// Everything the node records about a job (its input and output are stored beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobRecord {
    /// The job's number.
    pub id: JobId,
    /// The agent's name when the job was submitted.
    pub agent: String,
    /// SHA-256 (hex) of the agent's component.
    pub code_hash: String,
    /// SHA-256 (hex) of the agent's manifest.
    pub manifest_hash: String,
    /// Where the job is.
    pub state: JobState,
    /// How many times the job was started.
    pub attempts: u32,
    /// Submitted (Unix ms).
    pub created_at_ms: u64,
    /// Last started (Unix ms).
    pub started_at_ms: Option<u64>,
    /// Ended (Unix ms).
    pub finished_at_ms: Option<u64>,
    /// SHA-256 (hex) of the input.
    pub input_sha256: String,
    /// Size of the input.
    pub input_bytes: u64,
    /// SHA-256 (hex) of the output, once succeeded.
    pub output_sha256: Option<String>,
    /// Size of the output, once succeeded.
    pub output_bytes: Option<u64>,
    /// Why it failed, once failed or cancelled.
    pub error: Option<JobFailure>,
    /// Hash (hex) of its signed receipt, once finished in the sandbox.
    pub receipt: Option<String>,
    /// What it used in the sandbox.
    #[schema(value_type = Option<Object>)]
    pub usage: Option<ResourceUsage>,
    /// The job that hired this one, for a delegated job.
    pub parent: Option<JobId>,
    /// A reference the client attached (for example a market job id).
    pub market_ref: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobState::*;

    const ALL: [JobState; 5] = [Queued, Running, Succeeded, Failed, Cancelled];

    #[test]
    fn final_states_have_no_way_out() {
        for from in ALL.into_iter().filter(|s| s.is_final()) {
            for to in ALL {
                assert!(!from.can_become(to), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn the_life_of_a_job() {
        assert!(Queued.can_become(Running));
        assert!(Running.can_become(Succeeded) && Running.can_become(Failed) && Running.can_become(Cancelled));
        assert!(Running.can_become(Queued), "crash recovery re-queues");
        assert!(Queued.can_become(Cancelled));
        assert!(!Queued.can_become(Succeeded), "a job cannot succeed without running");
        assert!(!Running.can_become(Running));
    }

    #[test]
    fn names_round_trip() {
        for state in ALL {
            assert_eq!(state.as_str().parse::<JobState>().unwrap(), state);
        }
        assert!("done".parse::<JobState>().is_err());
    }
}
