//! Step 3a: name resolution, behind a trait so tests can script answers (including answers that
//! change between calls, as in DNS rebinding).
//!
//! The gate resolves each host once per hop, checks every answer, and connects to a checked
//! address by `SocketAddr`: nothing resolves the name a second time (TLS uses it only as the SNI
//! name and for certificate checks, HTTP only as the `Host` header).

use async_trait::async_trait;
use std::net::IpAddr;

/// Resolves host names to addresses.
#[async_trait]
pub trait Resolve: Send + Sync {
    /// The addresses of `host`, a canonical DNS name (never an IP literal). An empty answer is
    /// treated as a failure.
    async fn resolve(&self, host: &str) -> std::io::Result<Vec<IpAddr>>;
}

/// The operating system's resolver (`getaddrinfo`, through tokio's blocking pool): it honours
/// `/etc/hosts` and the platform's resolver configuration, which is what an operator expects, and
/// needs no resolver of our own. The answers are checked by the gate like any other.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemResolver;

#[async_trait]
impl Resolve for SystemResolver {
    async fn resolve(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        let mut addrs: Vec<IpAddr> = tokio::net::lookup_host((host, 0)).await?.map(|sa| sa.ip()).collect();
        let mut seen = Vec::with_capacity(addrs.len());
        addrs.retain(|a| {
            let new = !seen.contains(a);
            seen.push(*a);
            new
        });
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_system_resolver_answers_for_localhost() {
        let addrs = SystemResolver.resolve("localhost").await.unwrap();
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(|a| a.is_loopback()), "{addrs:?}");
        let mut sorted = addrs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), addrs.len(), "answers are de-duplicated");
    }
}
