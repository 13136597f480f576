//! Redoubt's sandbox: runs untrusted agents, WebAssembly components built
//! against the `redoubt:agent` WIT world (`wit/agent.wit`), under hard limits
//! and with only the capabilities their manifest declares.
//!
//! - [`package`]: an agent package (component + manifest) and its hashes.
//! - [`package_files`]: reading a package directory's files (regular files only, capped).
//! - [`manifest`]: the manifest, its capabilities and the interfaces they unlock.
//! - [`limits`]: per-job limits, the operator's defaults and caps, and the errors.
//! - [`host`]: the host capabilities as traits the node implements.
//! - [`sandbox`]: admits packages and runs jobs, many at once.
//! - [`cache`]: compiled components by code hash, in memory and on disk.
//! - [`engine`]: the operator's settings and the wasmtime engine.
//! - [`meter`]: per-job accounting and the resource usage report.
//! - [`error`]: load and job errors.

pub mod cache;
pub mod engine;
pub mod error;
pub mod host;
pub mod limits;
pub mod manifest;
pub mod meter;
pub mod package;
pub mod package_files;
pub mod sandbox;

mod bindings;
mod calls;
mod console;
mod job_state;
mod linker;

pub use cache::{CacheSource, CacheStats};
pub use engine::SandboxConfig;
pub use error::{JobError, LoadError};
pub use host::{CallContext, HostServices};
pub use limits::{LimitExceeded, LimitKind, Limits};
pub use manifest::{Capabilities, Manifest};
pub use meter::ResourceUsage;
pub use package::{AgentPackage, Sha256Hash};
pub use sandbox::{JobReport, LoadedAgent, Sandbox};

/// The WIT package agents are built against.
pub const WIT_PACKAGE: &str = "redoubt:agent";
/// Its version.
pub const WIT_VERSION: &str = "0.1.0";
