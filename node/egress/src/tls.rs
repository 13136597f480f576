//! TLS for the gate's connections: rustls with the ring provider, safe default protocol versions
//! (TLS 1.2 and 1.3), the configured roots, HTTP/1.1 by ALPN, and the host from the URL as the
//! SNI name and the name the certificate must carry.

use crate::config::TlsRoots;
use crate::target::TargetHost;
use rustls::pki_types::ServerName;
use std::sync::Arc;
use tokio_rustls::TlsConnector;

/// A connector trusting `roots`.
pub(crate) fn connector(roots: &TlsRoots) -> Result<TlsConnector, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots.store())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The name the server's certificate must be valid for (sent as SNI when it is a DNS name).
pub(crate) fn server_name(host: &TargetHost) -> Result<ServerName<'static>, String> {
    match host {
        TargetHost::Name(name) => ServerName::try_from(name.clone()).map_err(|e| format!("TLS server name: {e}")),
        TargetHost::Ip(ip) => Ok(ServerName::IpAddress((*ip).into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_with_both_root_sources_and_names_hosts() {
        assert!(connector(&TlsRoots::WebPki).is_ok());
        assert!(connector(&TlsRoots::Custom(rustls::RootCertStore::empty())).is_ok());
        assert!(matches!(server_name(&TargetHost::Name("api.example.com".into())), Ok(ServerName::DnsName(_))));
        assert!(matches!(server_name(&TargetHost::Ip("::1".parse().unwrap())), Ok(ServerName::IpAddress(_))));
    }
}
