//! The running node: everything the daemon, the API and the job pipeline share.

use crate::alerts::{AlertBus, Webhook};
use crate::config::Config;
use crate::events::EventBus;
use crate::home::Home;
use crate::host::Egress;
use crate::identity::Identity;
use crate::job::{JobId, JobRecord};
use crate::metrics::Metrics;
use crate::store::Store;
use crate::vault_access::SharedVault;
use anyhow::Context;
use redoubt_sandbox::{LoadedAgent, Sandbox, SandboxConfig};
use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, oneshot};

/// The node's shared state.
pub struct Node {
    /// Where its files are.
    pub home: Home,
    /// Its settings.
    pub config: Config,
    /// Its keys and evidence.
    pub identity: Identity,
    /// Its database.
    pub store: Store,
    /// The wasmtime sandbox.
    pub sandbox: Sandbox,
    /// The credential vault.
    pub vault: SharedVault,
    /// The event stream.
    pub events: EventBus,
    /// Audit records and alerts.
    pub alerts: AlertBus,
    /// The egress gate (and the LLM client on it): the one way out for agents.
    pub egress: Egress,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Agents compiled and ready, by code hash (hex).
    pub(crate) loaded: Mutex<HashMap<String, Arc<LoadedAgent>>>,
    /// Callers waiting for jobs to end.
    pub(crate) waiters: Mutex<HashMap<JobId, Vec<oneshot::Sender<JobRecord>>>>,
    /// Cancellation signals of running jobs.
    pub(crate) cancels: Mutex<HashMap<JobId, Arc<Notify>>>,
    /// Receipts made since the batcher last sealed (a hint: the queue in the database is the truth).
    pub(crate) receipts_waiting: AtomicUsize,
    /// Wakes the receipt batcher when a batch's worth is waiting.
    pub(crate) batch_due: Notify,
}

impl Node {
    /// Opens everything under `home` with `config`: keys and evidence, the
    /// database, the vault, the sandbox (with its disk cache), the alert bus.
    /// Must run inside a tokio runtime.
    pub fn open(home: Home, config: Config) -> anyhow::Result<Arc<Node>> {
        let identity = Identity::load(&home)?;
        let store = Store::open(&home.database())
            .with_context(|| format!("opening the database {}", home.database().display()))?;
        let vault = SharedVault::open(&home)?;
        let sandbox = Sandbox::new(SandboxConfig {
            max_concurrent_jobs: config.sandbox.max_concurrent_jobs,
            max_component_bytes: config.sandbox.max_component_bytes,
            cache_dir: Some(home.component_cache()),
            ..SandboxConfig::default()
        })
        .context("starting the sandbox")?;
        let events = EventBus::default();
        let metrics = Arc::new(Metrics::default());
        let webhook = webhook(&config)?;
        let alerts = AlertBus::start(store.clone(), events.clone(), metrics.clone(), webhook, vault.clone());
        let egress =
            Egress::new(&config, vault.handle(), alerts.clone(), store.clone()).context("starting the egress gate")?;
        Ok(Arc::new(Node {
            home,
            config,
            identity,
            store,
            sandbox,
            vault,
            events,
            alerts,
            egress,
            metrics,
            loaded: Mutex::default(),
            waiters: Mutex::default(),
            cancels: Mutex::default(),
            receipts_waiting: AtomicUsize::new(0),
            batch_due: Notify::new(),
        }))
    }
}

/// The alert webhook, when configured.
fn webhook(config: &Config) -> anyhow::Result<Option<Webhook>> {
    let (Some(url), Some(key)) = (&config.alerts.webhook_url, config.alerts.webhook_key()?) else { return Ok(None) };
    Ok(Some(Webhook { url: url.clone(), key: key.into() }))
}

/// Locks a mutex, recovering the data if a holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
