//! The DNS-rebinding door, shut: a request is answered only when it names a
//! host the node listens as (its listen address, `localhost`, `127.0.0.1`,
//! `[::1]`, at its port) or one the operator lists in `api.allowed_hosts`;
//! any other `Host` (or absolute-form authority) gets 421 Misdirected
//! Request, before the token is even looked at.

use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The port a `Host` without one means (plain HTTP).
const DEFAULT_PORT: u16 = 80;

/// The host names the API answers as, each with its port (names lowercased).
#[derive(Debug, Clone)]
pub struct AllowedHosts(Arc<[(String, u16)]>);

/// An `api.allowed_hosts` entry that is not a host name with an optional port.
#[derive(Debug, thiserror::Error)]
#[error("api.allowed_hosts: {0:?} is not a host name with an optional port")]
pub struct BadHost(pub String);

impl AllowedHosts {
    /// The names of a node listening at `addr`, plus `extra` (`name` means `name` at `addr`'s port).
    pub fn for_listener(addr: SocketAddr, extra: &[String]) -> Result<AllowedHosts, BadHost> {
        let port = addr.port();
        let own = [addr.to_string(), format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")];
        let mut hosts = Vec::new();
        for name in own.iter().chain(extra) {
            let authority = name.parse::<Authority>().map_err(|_| BadHost(name.clone()))?;
            if authority.as_str().contains('@') {
                return Err(BadHost(name.clone()));
            }
            hosts.push(entry(&authority, port));
        }
        Ok(AllowedHosts(hosts.into()))
    }

    /// Whether a request naming `authority` is for this node.
    fn allows(&self, authority: &Authority) -> bool {
        self.0.contains(&entry(authority, DEFAULT_PORT))
    }
}

fn entry(authority: &Authority, default_port: u16) -> (String, u16) {
    (authority.host().to_ascii_lowercase(), authority.port_u16().unwrap_or(default_port))
}

/// Answers only requests whose authority is one of the node's host names.
pub async fn require_known_host(State(hosts): State<AllowedHosts>, request: Request, next: Next) -> Response {
    let named = request.uri().authority().cloned().or_else(|| {
        let host = request.headers().get(header::HOST)?;
        host.to_str().ok()?.parse::<Authority>().ok()
    });
    if named.as_ref().is_some_and(|authority| !authority.as_str().contains('@') && hosts.allows(authority)) {
        return next.run(request).await;
    }
    tracing::warn!(
        host = named.as_ref().map_or("-", Authority::as_str),
        "API request refused: not a host this node answers as (see api.allowed_hosts)"
    );
    let message = "this node does not answer as that host (add it to api.allowed_hosts)";
    ApiError::new(StatusCode::MISDIRECTED_REQUEST, "misdirected", message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_names_and_listed_names_are_allowed_at_the_right_port() {
        let addr: SocketAddr = "127.0.0.1:7171".parse().unwrap();
        let hosts = AllowedHosts::for_listener(addr, &["Node.Internal".into(), "proxy.example:443".into()]).unwrap();
        let allows = |name: &str| hosts.allows(&name.parse().unwrap());
        for good in ["127.0.0.1:7171", "localhost:7171", "LOCALHOST:7171", "[::1]:7171", "node.internal:7171"] {
            assert!(allows(good), "{good}");
        }
        assert!(allows("proxy.example:443"));
        for bad in ["evil.example", "evil.example:7171", "localhost", "127.0.0.1:7172", "proxy.example:7171"] {
            assert!(!allows(bad), "{bad}");
        }
        assert!(AllowedHosts::for_listener(addr, &["not a host".into()]).is_err());
        assert!(AllowedHosts::for_listener(addr, &["user@host".into()]).is_err());
    }
}
