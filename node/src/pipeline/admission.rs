//! Admission: the agent is installed and loads, its package is the one
//! recorded (hash checked), its manifest is within the operator's caps, the
//! input fits the agent's limit, and the input carries no vault secret (in
//! any encoding): secrets never reach agent code, not even through a job.

use crate::node::{Node, lock};
use crate::store::{AgentRecord, StoreError};
use redoubt_sandbox::{AgentPackage, LoadError, LoadedAgent};
use std::sync::Arc;

/// An agent ready to run a job.
pub struct Admitted {
    /// What the store records about it.
    pub record: AgentRecord,
    /// The compiled, pre-linked agent.
    pub agent: Arc<LoadedAgent>,
}

/// Why a job was not admitted.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// No agent is installed under this name.
    #[error("no agent named {0:?} is installed")]
    UnknownAgent(String),
    /// The stored package no longer matches its record.
    #[error("the stored package of {name} does not match its recorded hash {expected}: refusing to run it")]
    Tampered {
        /// The agent.
        name: String,
        /// The recorded code hash.
        expected: String,
    },
    /// The sandbox refused the package.
    #[error("agent {name} cannot be loaded: {error}")]
    Load {
        /// The agent.
        name: String,
        /// Why.
        error: LoadError,
    },
    /// The input is larger than the agent's limit.
    #[error("input is {bytes} bytes, above agent {name}'s input limit of {limit} bytes")]
    InputTooLarge {
        /// The agent.
        name: String,
        /// The input's size.
        bytes: usize,
        /// The limit.
        limit: u64,
    },
    /// The input or the client reference carries a vault secret.
    #[error("{place} refused: it carries secret {secret} ({encoding}); secrets never reach agent code or receipts")]
    CarriesSecret {
        /// `input` or `market_ref`.
        place: &'static str,
        /// The secret's name.
        secret: String,
        /// How it was encoded.
        encoding: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Node {
    /// Admits a job of `agent` with an input of `input_bytes`.
    pub fn admit(&self, agent: &str, input_bytes: usize) -> Result<Admitted, Refusal> {
        let record = self.store.agent(agent)?.ok_or_else(|| Refusal::UnknownAgent(agent.to_owned()))?;
        let loaded = self.loaded_agent(&record)?;
        let limit = loaded.limits().input_bytes;
        if input_bytes as u64 > limit {
            return Err(Refusal::InputTooLarge { name: record.name, bytes: input_bytes, limit });
        }
        Ok(Admitted { record, agent: loaded })
    }

    /// The compiled agent for `record`, from memory or loaded from the store.
    pub(crate) fn loaded_agent(&self, record: &AgentRecord) -> Result<Arc<LoadedAgent>, Refusal> {
        if let Some(loaded) = lock(&self.loaded).get(&record.code_hash) {
            return Ok(loaded.clone());
        }
        let tampered = || Refusal::Tampered { name: record.name.clone(), expected: record.code_hash.clone() };
        let component = self.store.component(&record.code_hash)?.ok_or_else(tampered)?;
        let package = AgentPackage::from_parts(&record.manifest, component).map_err(|_| tampered())?;
        if package.code_hash().to_string() != record.code_hash
            || package.manifest_hash().to_string() != record.manifest_hash
        {
            return Err(tampered());
        }
        let loaded =
            Arc::new(self.sandbox.load(package).map_err(|error| Refusal::Load { name: record.name.clone(), error })?);
        lock(&self.loaded).insert(record.code_hash.clone(), loaded.clone());
        Ok(loaded)
    }
}
