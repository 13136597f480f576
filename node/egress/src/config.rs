//! `GateConfig`: the operator's egress policy and the gate's limits, production-safe by default.

use redoubt_vault::HostPattern;
use std::time::Duration;

/// The operator's egress settings. `Default` is the production setting: HTTPS only, no loopback,
/// default ports only, no host allowed until the operator lists some.
#[derive(Clone, Debug)]
pub struct GateConfig {
    /// Dev setting: allow `http://` URLs (and redirects to them). Off by default.
    pub allow_http: bool,
    /// Test/dev setting: allow connecting to loopback addresses (127/8, ::1 and their IPv6 forms).
    /// Off by default; every other internal address class stays refused regardless.
    pub allow_loopback: bool,
    /// The hosts the operator lets agents reach (exact or `*.suffix`); an agent reaches a host only
    /// when its manifest and this list both allow it.
    pub operator_hosts: Vec<HostPattern>,
    /// Which ports may be connected to.
    pub ports: Ports,
    /// Limit on DNS resolution plus one connection attempt (TCP and TLS handshake).
    pub connect_timeout: Duration,
    /// Limit on the whole exchange, redirects included, from the call to the last body byte.
    pub total_timeout: Duration,
    /// The most bytes of a response body the gate reads; a larger body is refused.
    pub max_response_bytes: usize,
    /// The most bytes the agent's request may have (URL, headers and body together).
    pub max_request_bytes: usize,
    /// The most redirects followed for one request.
    pub max_redirects: u8,
    /// The trust anchors for HTTPS.
    pub tls_roots: TlsRoots,
}

impl Default for GateConfig {
    fn default() -> GateConfig {
        GateConfig {
            allow_http: false,
            allow_loopback: false,
            operator_hosts: Vec::new(),
            ports: Ports::Default,
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_response_bytes: 8 << 20,
            max_request_bytes: 8 << 20,
            max_redirects: 5,
            tls_roots: TlsRoots::WebPki,
        }
    }
}

/// The destination ports the gate connects to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ports {
    /// The scheme's default port only (443, or 80 for `http` when allowed).
    Default,
    /// The scheme's default port and these.
    DefaultAnd(Vec<u16>),
    /// Any port (tests and development: local servers listen on ephemeral ports).
    Any,
}

impl Ports {
    /// Whether `port` may be used for a URL whose scheme's default port is `default`.
    pub fn allows(&self, port: u16, default: u16) -> bool {
        match self {
            Ports::Default => port == default,
            Ports::DefaultAnd(extra) => port == default || extra.contains(&port),
            Ports::Any => true,
        }
    }
}

/// Where HTTPS trust comes from.
#[derive(Clone, Debug)]
pub enum TlsRoots {
    /// Mozilla's root program, as shipped by `webpki-roots` (the default).
    WebPki,
    /// Exactly these roots (a private CA, or a test CA).
    Custom(rustls::RootCertStore),
}

impl TlsRoots {
    /// The root store.
    pub fn store(&self) -> rustls::RootCertStore {
        match self {
            TlsRoots::WebPki => rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() },
            TlsRoots::Custom(store) => store.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_production_setting() {
        let c = GateConfig::default();
        assert!(!c.allow_http && !c.allow_loopback && c.operator_hosts.is_empty());
        assert_eq!(c.max_redirects, 5);
        assert_eq!(c.ports, Ports::Default);
        assert!(!c.tls_roots.store().is_empty());
    }

    #[test]
    fn ports_policy() {
        assert!(Ports::Default.allows(443, 443));
        assert!(!Ports::Default.allows(8443, 443));
        assert!(Ports::DefaultAnd(vec![8443]).allows(8443, 443));
        assert!(!Ports::DefaultAnd(vec![8443]).allows(22, 443));
        assert!(Ports::Any.allows(6379, 443));
    }
}
