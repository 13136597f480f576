//! Write a Redoubt agent in a few lines of Rust.
//!
//! ```ignore
//! struct Echo;
//! impl redoubt_sdk::Agent for Echo {
//!     fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
//!         Ok(input)
//!     }
//! }
//! redoubt_sdk::export!(Echo);
//! ```
//!
//! An agent exports one function, [`Agent::run`], and reaches the world only
//! through the host interfaces re-exported here ([`http`], [`llm`], [`log`],
//! [`kv`], [`delegate`]). Each is a request the node checks against the
//! agent's manifest: an interface the manifest does not unlock makes the
//! component fail to load, and a call the policy refuses returns a
//! [`HostError`].

/// Bindings generated from the `redoubt:agent` world (`sandbox/wit/agent.wit`).
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../sandbox/wit",
        world: "agent",
        pub_export_macro: true,
        export_macro_name: "export",
        default_bindings_module: "redoubt_sdk::bindings",
    });
}

pub use bindings::Guest as Agent;
pub use bindings::export;
pub use bindings::redoubt::agent::types::HostError;
pub use bindings::redoubt::agent::{delegate, http, kv, llm, log};

/// A GET request with no headers or body, ready for [`http::fetch`].
pub fn get(url: &str) -> http::Request {
    http::Request { method: "GET".into(), url: url.into(), headers: Vec::new(), body: Vec::new() }
}

/// Writes an info-level log line.
pub fn info(message: &str) {
    log::write(log::Level::Info, message);
}
