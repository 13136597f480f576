//! Installing and removing agents. A package is admitted only if the
//! sandbox loads it: its size, its manifest's limits against the operator's
//! caps, and its imports against its capabilities are all checked before
//! anything is stored. A package that carries a vault secret (a credential
//! baked into its manifest or its code) is refused: the agent would hold it.

use crate::alerts::{Incident, Severity};
use crate::events::Event;
use crate::node::{Node, lock};
use crate::store::{AgentRecord, StoreError, now_ms};
use redoubt_sandbox::package::PackageError;
use redoubt_sandbox::{AgentPackage, LoadError};
use std::sync::Arc;

/// Why a package was not installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The manifest is invalid.
    #[error(transparent)]
    Package(#[from] PackageError),
    /// The sandbox refused the component.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The manifest or the component carries a vault secret.
    #[error("the package's {place} carries secret {secret} ({encoding}); an agent must never hold a vault secret")]
    CarriesSecret {
        /// `manifest` or `component`.
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
    /// Installs a package under its manifest's name (replacing any agent of that name).
    pub async fn install(&self, manifest: &str, component: Vec<u8>) -> Result<AgentRecord, InstallError> {
        let package = AgentPackage::from_parts(manifest, component)?;
        self.refuse_secrets_in(package.manifest().name.as_str(), manifest.as_bytes(), package.component()).await?;
        let loaded = Arc::new(self.sandbox.load(package)?);
        let package = loaded.package();
        let meta = package.manifest();
        let record = AgentRecord {
            name: meta.name.clone(),
            version: meta.version.clone(),
            description: meta.description.clone(),
            tags: meta.tags.clone(),
            code_hash: package.code_hash().to_string(),
            manifest_hash: package.manifest_hash().to_string(),
            manifest: manifest.to_owned(),
            component_bytes: package.component().len() as u64,
            installed_at_ms: now_ms(),
        };
        self.store.put_agent(record.clone(), package.component().clone()).await?;
        lock(&self.loaded).insert(record.code_hash.clone(), loaded.clone());
        self.alerts.raise(Incident {
            action: "agent.installed".into(),
            agent: Some(record.name.clone()),
            message: format!("installed {} {} ({})", record.name, record.version, record.code_hash),
            ..Incident::default()
        });
        self.events.publish(Event::AgentInstalled { name: record.name.clone(), code_hash: record.code_hash.clone() });
        Ok(record)
    }

    /// Refuses a package whose manifest or component carries a vault secret, with an alert.
    async fn refuse_secrets_in(&self, name: &str, manifest: &[u8], component: &[u8]) -> Result<(), InstallError> {
        let detector = self.vault.leak_detector();
        let found = [("manifest", manifest), ("component", component)]
            .into_iter()
            .find_map(|(place, bytes)| detector.scan(bytes).map(|leak| (place, leak)));
        let Some((place, leak)) = found else { return Ok(()) };
        let refusal =
            InstallError::CarriesSecret { place, secret: leak.secret.clone(), encoding: leak.encoding.to_string() };
        self.alerts.raise(Incident {
            action: "agent.refused".into(),
            alert: Some((Severity::Critical, "secret_in_package".into())),
            agent: Some(name.to_owned()),
            secret: Some(leak.secret),
            message: refusal.to_string(),
            ..Incident::default()
        });
        self.alerts.settle().await;
        Err(refusal)
    }

    /// Uninstalls the agent called `name`. False if there was none.
    pub async fn uninstall(&self, name: &str) -> Result<bool, StoreError> {
        let removed = self.store.remove_agent(name).await?;
        if removed {
            self.alerts.raise(Incident {
                action: "agent.removed".into(),
                agent: Some(name.to_owned()),
                message: format!("removed {name}"),
                ..Incident::default()
            });
            self.events.publish(Event::AgentRemoved { name: name.to_owned() });
        }
        Ok(removed)
    }
}
