//! Installed agents: their manifests and components, and the name each is installed under.

use super::{Store, StoreError, decode, encode};
use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Agent records by code hash (hex).
const AGENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("agents");
/// Components by code hash (hex).
const COMPONENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("components");
/// The code hash installed under each name.
const NAMES: TableDefinition<&str, &str> = TableDefinition::new("agent_names");

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(AGENTS).map_err(StoreError::storage)?;
    txn.open_table(COMPONENTS).map_err(StoreError::storage)?;
    txn.open_table(NAMES).map_err(StoreError::storage)?;
    Ok(())
}

/// An installed agent, as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentRecord {
    /// Name from the manifest.
    pub name: String,
    /// Version from the manifest.
    pub version: String,
    /// Description from the manifest.
    pub description: String,
    /// Capability tags the agent offers for delegation.
    pub tags: Vec<String>,
    /// SHA-256 of the component (hex): the agent's identity.
    pub code_hash: String,
    /// SHA-256 of the manifest file (hex).
    pub manifest_hash: String,
    /// The manifest as installed (TOML).
    pub manifest: String,
    /// Size of the component in bytes.
    pub component_bytes: u64,
    /// When it was installed (Unix ms).
    pub installed_at_ms: u64,
}

impl Store {
    /// Records an agent and its component, and points its name at it.
    pub async fn put_agent(&self, record: AgentRecord, component: Arc<[u8]>) -> Result<(), StoreError> {
        self.write(move |txn| {
            let mut agents = txn.open_table(AGENTS).map_err(StoreError::storage)?;
            agents.insert(record.code_hash.as_str(), encode(&record).as_slice()).map_err(StoreError::storage)?;
            let mut components = txn.open_table(COMPONENTS).map_err(StoreError::storage)?;
            components.insert(record.code_hash.as_str(), &*component).map_err(StoreError::storage)?;
            let mut names = txn.open_table(NAMES).map_err(StoreError::storage)?;
            names.insert(record.name.as_str(), record.code_hash.as_str()).map_err(StoreError::storage)?;
            Ok(())
        })
        .await
    }

    /// The agent installed under `name`.
    pub fn agent(&self, name: &str) -> Result<Option<AgentRecord>, StoreError> {
        self.read(|txn| {
            let names = txn.open_table(NAMES).map_err(StoreError::storage)?;
            let Some(hash) = names.get(name).map_err(StoreError::storage)? else { return Ok(None) };
            let agents = txn.open_table(AGENTS).map_err(StoreError::storage)?;
            let record = agents.get(hash.value()).map_err(StoreError::storage)?;
            record.map(|bytes| decode("agents", bytes.value())).transpose()
        })
    }

    /// The component of the agent with this code hash (hex).
    pub fn component(&self, code_hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|txn| {
            let components = txn.open_table(COMPONENTS).map_err(StoreError::storage)?;
            Ok(components.get(code_hash).map_err(StoreError::storage)?.map(|v| v.value().to_vec()))
        })
    }

    /// Every installed agent (one per name), by name.
    pub fn agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        self.read(|txn| {
            let names = txn.open_table(NAMES).map_err(StoreError::storage)?;
            let agents = txn.open_table(AGENTS).map_err(StoreError::storage)?;
            let mut list = Vec::new();
            for entry in names.iter().map_err(StoreError::storage)? {
                let (_, hash) = entry.map_err(StoreError::storage)?;
                if let Some(bytes) = agents.get(hash.value()).map_err(StoreError::storage)? {
                    list.push(decode("agents", bytes.value())?);
                }
            }
            Ok(list)
        })
    }

    /// Uninstalls the agent called `name`; its record and component stay for
    /// the jobs and receipts that name its code hash. False if there was none.
    pub async fn remove_agent(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.write(move |txn| {
            let mut names = txn.open_table(NAMES).map_err(StoreError::storage)?;
            Ok(names.remove(name.as_str()).map_err(StoreError::storage)?.is_some())
        })
        .await
    }
}
