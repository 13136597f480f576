//! The host capabilities an agent can call, as traits the node implements.
//!
//! The sandbox knows nothing of the vault, the market or the chain: it checks
//! the manifest and the job's limits, then hands each call to these traits.

use crate::bindings::redoubt::agent::{delegate, http, llm, log, types};
use crate::package::Sha256Hash;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use delegate::{Delegation, DelegationResult};
pub use http::{Request as HttpRequest, Response as HttpResponse};
pub use llm::{Completion, CompletionRequest, Message as LlmMessage, Role as LlmRole};
pub use log::Level as LogLevel;
pub use types::HostError;

/// Who is calling: passed to every host call so the node can check policy and attribute it.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// The job's id.
    pub job_id: String,
    /// The agent's name from its manifest.
    pub agent_name: String,
    /// SHA-256 of the agent's component.
    pub code_hash: Sha256Hash,
    /// The capabilities the agent was installed with.
    pub capabilities: Arc<crate::manifest::Capabilities>,
}

/// Outbound HTTP on an agent's behalf (the node's egress gate).
#[async_trait]
pub trait HttpHost: Send + Sync {
    /// Sends one request, or says why not.
    async fn fetch(&self, ctx: &CallContext, request: HttpRequest) -> Result<HttpResponse, HostError>;
}

/// LLM chat completion.
#[async_trait]
pub trait LlmHost: Send + Sync {
    /// Asks the provider for a completion.
    async fn complete(&self, ctx: &CallContext, request: CompletionRequest) -> Result<Completion, HostError>;
}

/// The agent-scoped key-value store. Keys are scoped by the node (per agent name).
#[async_trait]
pub trait KvHost: Send + Sync {
    /// Reads a value.
    async fn get(&self, ctx: &CallContext, key: String) -> Result<Option<Vec<u8>>, HostError>;
    /// Writes a value.
    async fn set(&self, ctx: &CallContext, key: String, value: Vec<u8>) -> Result<(), HostError>;
    /// Removes a value.
    async fn delete(&self, ctx: &CallContext, key: String) -> Result<(), HostError>;
}

/// Hiring another agent by capability.
#[async_trait]
pub trait DelegateHost: Send + Sync {
    /// Hires an agent and waits for its result.
    async fn hire(&self, ctx: &CallContext, request: Delegation) -> Result<DelegationResult, HostError>;
}

/// Where log lines go once they have passed the job's caps.
pub trait LogSink: Send + Sync {
    /// Receives one line (already counted against the job's limits).
    fn write(&self, ctx: &CallContext, level: LogLevel, message: &str);
}

/// The set of host implementations a job runs against.
#[derive(Clone)]
pub struct HostServices {
    /// `http.fetch`
    pub http: Arc<dyn HttpHost>,
    /// `llm.complete`
    pub llm: Arc<dyn LlmHost>,
    /// `kv.*`
    pub kv: Arc<dyn KvHost>,
    /// `delegate.hire`
    pub delegate: Arc<dyn DelegateHost>,
    /// `log.write` (after the caps)
    pub log: Arc<dyn LogSink>,
}

impl HostServices {
    /// Host services for a local run with no node behind it: HTTP, LLM and
    /// delegation answer "not available in local run"; the key-value store lives
    /// in memory for the run; logs go to `tracing`.
    pub fn local() -> Self {
        HostServices {
            http: Arc::new(Unavailable),
            llm: Arc::new(Unavailable),
            kv: Arc::new(MemoryKv::default()),
            delegate: Arc::new(Unavailable),
            log: Arc::new(TracingLog),
        }
    }
}

/// A capability with nothing behind it: every call fails with `unavailable`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unavailable;

impl Unavailable {
    fn error(what: &str) -> HostError {
        HostError::Unavailable(format!("{what} is not available in local run (no node behind this agent)"))
    }
}

#[async_trait]
impl HttpHost for Unavailable {
    async fn fetch(&self, _: &CallContext, _: HttpRequest) -> Result<HttpResponse, HostError> {
        Err(Self::error("http"))
    }
}

#[async_trait]
impl LlmHost for Unavailable {
    async fn complete(&self, _: &CallContext, _: CompletionRequest) -> Result<Completion, HostError> {
        Err(Self::error("llm"))
    }
}

#[async_trait]
impl DelegateHost for Unavailable {
    async fn hire(&self, _: &CallContext, _: Delegation) -> Result<DelegationResult, HostError> {
        Err(Self::error("delegate"))
    }
}

/// An in-memory key-value store, scoped by agent name.
#[derive(Debug, Default)]
pub struct MemoryKv {
    entries: Mutex<HashMap<(String, String), Vec<u8>>>,
}

impl MemoryKv {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Vec<u8>>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl KvHost for MemoryKv {
    async fn get(&self, ctx: &CallContext, key: String) -> Result<Option<Vec<u8>>, HostError> {
        Ok(self.entries().get(&(ctx.agent_name.clone(), key)).cloned())
    }
    async fn set(&self, ctx: &CallContext, key: String, value: Vec<u8>) -> Result<(), HostError> {
        self.entries().insert((ctx.agent_name.clone(), key), value);
        Ok(())
    }
    async fn delete(&self, ctx: &CallContext, key: String) -> Result<(), HostError> {
        self.entries().remove(&(ctx.agent_name.clone(), key));
        Ok(())
    }
}

/// Writes agent log lines as `tracing` events under the `agent` target.
#[derive(Debug, Clone, Copy, Default)]
pub struct TracingLog;

impl LogSink for TracingLog {
    fn write(&self, ctx: &CallContext, level: LogLevel, message: &str) {
        let (agent, job) = (&ctx.agent_name, &ctx.job_id);
        match level {
            LogLevel::Trace => tracing::trace!(target: "agent", agent, job, "{message}"),
            LogLevel::Debug => tracing::debug!(target: "agent", agent, job, "{message}"),
            LogLevel::Info => tracing::info!(target: "agent", agent, job, "{message}"),
            LogLevel::Warn => tracing::warn!(target: "agent", agent, job, "{message}"),
            LogLevel::Error => tracing::error!(target: "agent", agent, job, "{message}"),
        }
    }
}
