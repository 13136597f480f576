//! Blocks: why the gate refused a request (`BlockReason`, `Blocked`) and the event the node turns
//! into an audit record and an alert (`BlockEvent`, `BlockSink`).
//!
//! Nothing here ever holds a secret value. Strings that came from the agent or a server (a host, a
//! header name, a scheme) appear only after the leak scan has passed them, or redacted.

use crate::address::AddressClass;
use redoubt_vault::Encoding;
use std::net::IpAddr;
use std::time::SystemTime;

/// Why the gate refused to send a request or to hand back its response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlockReason {
    /// The URL does not parse, or has no host.
    #[error("the URL is not a valid absolute URL: {why}")]
    InvalidUrl {
        /// What is wrong.
        why: String,
    },
    /// Not `https` (or `http` without the dev setting).
    #[error("scheme {scheme:?} is not allowed (https only)")]
    Scheme {
        /// The scheme.
        scheme: String,
    },
    /// The URL carries a user name or password.
    #[error("the URL carries credentials (userinfo)")]
    Userinfo,
    /// The port is not allowed by the operator.
    #[error("port {port} is not allowed")]
    PortRefused {
        /// The port.
        port: u16,
    },
    /// The method is not one the gate sends.
    #[error("method {method:?} is not allowed")]
    MethodRefused {
        /// The method.
        method: String,
    },
    /// The host is not in both the agent's manifest and the operator's policy.
    #[error("the host is not allowed for this agent (manifest and operator policy)")]
    HostNotAllowed,
    /// The host name resolves to, or is, an address of a refused class.
    #[error("address {addr} is refused ({class})")]
    AddressRefused {
        /// The address.
        addr: IpAddr,
        /// Why.
        class: AddressClass,
    },
    /// The host name does not resolve.
    #[error("DNS resolution failed: {why}")]
    DnsFailure {
        /// What the resolver said.
        why: String,
    },
    /// A vault secret is in the request the agent built.
    #[error("secret {secret:?} found in the request ({encoding}) in {location}")]
    Leak {
        /// The secret's name.
        secret: String,
        /// How it was encoded.
        encoding: Encoding,
        /// Where.
        location: Location,
    },
    /// A header set by the agent would change routing or framing.
    #[error("header {name:?} refused: {why}")]
    HeaderRefused {
        /// The header's name (lowercase).
        name: String,
        /// Why.
        why: &'static str,
    },
    /// The agent's request is larger than the operator allows.
    #[error("the request is {bytes} bytes, above the limit of {limit}")]
    RequestTooLarge {
        /// Its size (URL, headers and body).
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// More redirects than the operator allows.
    #[error("more than {limit} redirects")]
    TooManyRedirects {
        /// The limit.
        limit: u8,
    },
    /// The response body is larger than the cap (reading stopped there).
    #[error("the response is larger than {limit} bytes")]
    ResponseTooLarge {
        /// The cap.
        limit: usize,
    },
    /// A secret the agent may use reached it, or was about to leave, in a form the deep check
    /// undid: reflected by the host in its response, or re-encoded by the agent in its request.
    #[error("secret {secret:?} found in the {place} ({form})")]
    Reflected {
        /// The secret's name.
        secret: String,
        /// How it was written, in words (see `redoubt_vault::Reflection::form`).
        form: String,
        /// `"response"` or `"request"`.
        place: &'static str,
    },
    /// The message could not be checked for secrets within the limits (too deeply encoded, too
    /// much to decode): refused as a leak would be.
    #[error("the {place} could not be checked for secrets: {why}")]
    Uncheckable {
        /// Why.
        why: String,
        /// `"response"` or `"request"`.
        place: &'static str,
    },
    /// The response's content coding is unknown, corrupt, or inflates past its caps.
    #[error("the response body was refused: {why}")]
    ContentCoding {
        /// Why.
        why: String,
    },
    /// A time limit ran out.
    #[error("timed out while {stage}")]
    Timeout {
        /// What was being waited for.
        stage: TimeoutStage,
    },
}

/// Where in a request a leaked secret was found. Never includes the leaked bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The method.
    Method,
    /// The URL, in this part.
    Url(UrlPart),
    /// The name of the header at this index (the name itself is not repeated).
    HeaderName {
        /// Index in the agent's header list.
        index: usize,
    },
    /// The value of the header at this index.
    HeaderValue {
        /// Index in the agent's header list.
        index: usize,
    },
    /// The body.
    Body,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Method => f.write_str("the method"),
            Location::Url(part) => write!(f, "the URL {part}"),
            Location::HeaderName { index } => write!(f, "the name of header #{index}"),
            Location::HeaderValue { index } => write!(f, "the value of header #{index}"),
            Location::Body => f.write_str("the body"),
        }
    }
}

/// A part of a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlPart {
    /// Scheme or userinfo.
    Prefix,
    /// Host and port.
    Host,
    /// Path.
    Path,
    /// Query string.
    Query,
    /// Fragment.
    Fragment,
}

impl std::fmt::Display for UrlPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UrlPart::Prefix => "scheme or userinfo",
            UrlPart::Host => "host",
            UrlPart::Path => "path",
            UrlPart::Query => "query",
            UrlPart::Fragment => "fragment",
        })
    }
}

/// What a time limit was waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutStage {
    /// DNS resolution, TCP connect or the TLS handshake (the connect timeout).
    Connecting,
    /// The response (the total timeout).
    Response,
}

impl std::fmt::Display for TimeoutStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeoutStage::Connecting => "connecting",
            TimeoutStage::Response => "waiting for the response",
        })
    }
}

/// A refused request: the host it was for and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("egress blocked: request to {host} (hop {hop}): {reason}")]
pub struct Blocked {
    /// The host (redacted if it held a secret; empty if the URL had none).
    pub host: String,
    /// Which hop: 0 for the agent's own request, n for the n-th redirect.
    pub hop: u8,
    /// Why.
    pub reason: BlockReason,
}

impl Blocked {
    /// The name of the secret concerned, if any.
    pub fn secret(&self) -> Option<&str> {
        match &self.reason {
            BlockReason::Leak { secret, .. } | BlockReason::Reflected { secret, .. } => Some(secret),
            _ => None,
        }
    }
}

/// One block, for the node's audit log, alert list, event stream and webhooks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockEvent {
    /// The job.
    pub job_id: String,
    /// The agent's name.
    pub agent: String,
    /// The agent's code hash.
    pub code_hash: [u8; 32],
    /// The host (see [`Blocked::host`]).
    pub host: String,
    /// Which hop (see [`Blocked::hop`]).
    pub hop: u8,
    /// Why.
    pub reason: BlockReason,
    /// The secret concerned, by name only.
    pub secret: Option<String>,
    /// When.
    pub at: SystemTime,
}

/// Receives every block. The node implements it (audit record, alert, event stream, webhook).
/// Called synchronously on the request path: keep it quick (queue, don't send).
pub trait BlockSink: Send + Sync {
    /// One request was blocked.
    fn blocked(&self, event: &BlockEvent);
}

#[cfg(test)]
mod tests {
    use super::*;
    use redoubt_vault::Form;

    #[test]
    fn messages_name_the_secret_and_place_not_the_value() {
        let blocked = Blocked {
            host: "sink.example".into(),
            hop: 0,
            reason: BlockReason::Leak {
                secret: "api-key".into(),
                encoding: Encoding { form: Form::Hex, layer: None },
                location: Location::Url(UrlPart::Query),
            },
        };
        assert_eq!(blocked.secret(), Some("api-key"));
        assert_eq!(
            blocked.to_string(),
            "egress blocked: request to sink.example (hop 0): secret \"api-key\" found in the request (hex) in the URL query"
        );
        let refused = BlockReason::AddressRefused {
            addr: "169.254.169.254".parse().unwrap(),
            class: AddressClass::CloudMetadata,
        };
        assert_eq!(refused.to_string(), "address 169.254.169.254 is refused (cloud-metadata)");
    }
}
