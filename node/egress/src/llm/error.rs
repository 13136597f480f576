//! `LlmError`: why a completion could not be had. Messages never hold the API key: provider
//! messages and parse errors quote the response only after the gate redacted it.

use crate::GateError;

/// Why `LlmClient` gave no completion.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The LLM settings are unusable (bad base URL, a provider host the operator's egress policy
    /// does not allow).
    #[error("llm: invalid configuration: {0}")]
    Config(String),
    /// The gate refused or the request failed on the way.
    #[error(transparent)]
    Gate(#[from] GateError),
    /// The provider answered with an error status.
    #[error("llm: the provider answered {status}: {message}")]
    Provider {
        /// The HTTP status.
        status: u16,
        /// The provider's message (shortened), or the start of the body.
        message: String,
    },
    /// The provider's answer is not a chat completion.
    #[error("llm: the provider's answer is malformed: {0}")]
    Malformed(String),
}
