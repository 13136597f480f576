//! What goes into the gate and what comes out: the caller, the agent's request, the response.

/// Who a request is made for: the job, the agent, and what its manifest declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The job's id.
    pub job_id: String,
    /// The agent's installed name.
    pub agent_name: String,
    /// SHA-256 of the agent's component.
    pub code_hash: [u8; 32],
    /// Host patterns from the manifest (exact or `*.suffix`); an unparsable one allows nothing.
    pub hosts: Vec<String>,
    /// Secret names from the manifest: no other secret is ever injected for this caller.
    pub secrets: Vec<String>,
}

/// A request exactly as the agent built it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundRequest {
    /// HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS).
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// The response the agent sees: every vault secret redacted, tagged when it looks like prompt
/// injection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboundResponse {
    /// HTTP status of the last hop.
    pub status: u16,
    /// Header names and values (non-UTF-8 bytes replaced), redacted.
    pub headers: Vec<(String, String)>,
    /// Body, redacted.
    pub body: Vec<u8>,
    /// Warnings for the agent, e.g. [`crate::prompt_guard::TAG`].
    pub tags: Vec<String>,
}
