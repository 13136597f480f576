//! The egress gate: the one path by which bytes leave the node on an agent's behalf, and the LLM
//! client that goes through it.
//!
//! [`Gate::fetch`] takes the request an agent built and either sends it, with the credentials the
//! vault allows injected at the last moment, and returns the response redacted and tagged, or
//! refuses with a typed [`Blocked`] that is also reported to the node's [`BlockSink`].
//!
//! Modules, in the order a request meets them:
//! - `leak_scan` (step 4, run first): the agent's request scanned for vault secrets;
//! - `reflection` (steps 4b and 8b): the deep check of the request and the response for the
//!   secrets the agent may use, in every form it undoes;
//! - `target` (step 1): URL rules and host normalisation;
//! - `allowlist` (step 2): manifest hosts ∩ operator hosts;
//! - `headers` (step 6): method and header rules;
//! - [`resolve`] and [`address`] (step 3): DNS behind a trait, refused address classes;
//! - `inject` (step 5): vault grants and injection;
//! - `transport` and `tls` (step 6): one exchange over a pinned connection, size and time caps;
//! - `redirect` (step 7): redirects re-run every step;
//! - `content_coding` (step 8a): gzip, deflate, br and zstd decoded by the gate, with bomb caps;
//! - `redact` (step 8c): every other vault secret removed from the response;
//! - [`prompt_guard`] (step 9): prompt-injection heuristics and tags;
//! - [`gate`]: the `Gate` that runs them in order;
//! - [`config`], [`request`], [`block`], [`error`]: settings, inputs and outputs, blocks, errors;
//! - [`llm`]: the OpenAI-compatible chat-completions client on top of the gate.

#![warn(missing_docs)]

pub mod address;
pub mod block;
pub mod config;
pub mod error;
pub mod gate;
pub mod llm;
pub mod prompt_guard;
pub mod request;
pub mod resolve;

mod allowlist;
mod content_coding;
mod headers;
mod inject;
mod leak_scan;
mod redact;
mod redirect;
mod reflection;
mod target;
mod tls;
mod transport;

pub use address::AddressClass;
pub use block::{BlockEvent, BlockReason, BlockSink, Blocked, Location, TimeoutStage, UrlPart};
pub use config::{GateConfig, Ports, TlsRoots};
pub use error::GateError;
pub use gate::Gate;
pub use llm::{ChatCompletion, ChatMessage, ChatRequest, LlmClient, LlmConfig, LlmError, Role};
pub use request::{Caller, InboundResponse, OutboundRequest};
pub use resolve::{Resolve, SystemResolver};
