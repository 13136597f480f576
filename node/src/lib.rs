//! The Redoubt node: the `redoubt` binary's library.
//!
//! - [`cli`]: the command line, one module per command group.
//! - [`home`]: where a node keeps its files; [`file_modes`]: owner-only modes for them.
//! - [`config`]: `config.toml` and overrides.
//! - [`init`]: `redoubt init` (keys, vault, token, config).
//! - [`daemon`]: `redoubt node`: open, recover, serve.
//! - [`node`]: the running node's shared state; [`identity`]: its keys and evidence.
//! - [`pipeline`]: the job path, top to bottom (intake to receipt).
//! - [`job`]: jobs and their state machine.
//! - [`agents`]: installing and removing agents.
//! - [`host`]: the node's implementations of the sandbox's host traits.
//! - [`vault_access`]: the vault's master key and secret operations.
//! - [`store`]: the database (redb): agents, jobs, receipts, audit, alerts, kv.
//! - [`api`]: the HTTP API (axum, utoipa); [`client`]: the CLI's client for it.
//! - [`alerts`]: audit records and alerts; [`events`]: the event stream; [`metrics`]: Prometheus.
//! - [`logging`]: the log on stderr (text or JSON, every line leak-checked).
//! - [`demo`]: `redoubt demo`, the whole job path offline in one command.

pub mod agents;
pub mod alerts;
pub mod api;
pub mod cli;
pub mod client;
pub mod config;
pub mod daemon;
pub mod demo;

pub mod events;
pub mod file_modes;
pub mod home;
pub mod host;
pub mod identity;
pub mod init;
pub mod job;
pub mod logging;
pub mod metrics;
pub mod node;
pub mod pipeline;
pub mod store;
pub mod vault_access;
