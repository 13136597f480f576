//! Step 1: the URL. Parsed the WHATWG way (`url`), then held to the gate's rules: `https` only
//! (unless `allow_http`), no userinfo, an allowed port, a host that is a plain DNS name or an IP
//! literal. The host is normalised (lowercase, IDNA to punycode, no trailing dot) with the vault's
//! own host rules, so the allowlist, the vault's policies, DNS, SNI and the Host header all see one
//! name. Every IPv4 spelling `url` accepts (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`) arrives
//! here as a dotted address and is checked as one, like `[::1]` and `[::ffff:127.0.0.1]`.

use crate::block::{BlockReason, UrlPart};
use crate::config::GateConfig;
use redoubt_vault::HostPattern;
use std::net::IpAddr;
use url::{Host, Position, Url};

/// Where a request goes, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// The URL, without fragment.
    pub url: Url,
    /// The host.
    pub host: TargetHost,
    /// The port.
    pub port: u16,
    /// Whether the scheme is `https`.
    pub tls: bool,
}

/// A host: a canonical DNS name, or an IP literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TargetHost {
    /// Lowercase, punycode, no trailing dot.
    Name(String),
    /// An address written in the URL.
    Ip(IpAddr),
}

impl Target {
    /// Parses `raw` and checks it against `config`.
    pub fn parse(raw: &str, config: &GateConfig) -> Result<Target, BlockReason> {
        let invalid = |why: &str| BlockReason::InvalidUrl { why: why.to_string() };
        let mut url = Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
        let (tls, default_port) = match url.scheme() {
            "https" => (true, 443),
            "http" if config.allow_http => (false, 80),
            scheme => return Err(BlockReason::Scheme { scheme: scheme.to_string() }),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(BlockReason::Userinfo);
        }
        let host = match url.host() {
            Some(Host::Domain(name)) => TargetHost::Name(canonical_name(name).ok_or_else(|| invalid("bad host name"))?),
            Some(Host::Ipv4(ip)) => TargetHost::Ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => TargetHost::Ip(IpAddr::V6(ip)),
            None => return Err(invalid("no host")),
        };
        let port = url.port().unwrap_or(default_port);
        if !config.ports.allows(port, default_port) {
            return Err(BlockReason::PortRefused { port });
        }
        url.set_fragment(None);
        Ok(Target { url, host, port, tls })
    }

    /// The host as the allowlist and the vault see it (IPv6 in brackets).
    pub fn host_str(&self) -> String {
        match &self.host {
            TargetHost::Name(name) => name.clone(),
            TargetHost::Ip(IpAddr::V4(ip)) => ip.to_string(),
            TargetHost::Ip(IpAddr::V6(ip)) => format!("[{ip}]"),
        }
    }

    /// The `Host` header: the host, and the port when it is not the scheme's default.
    pub fn authority(&self) -> String {
        let default = if self.tls { 443 } else { 80 };
        match self.port == default {
            true => self.host_str(),
            false => format!("{}:{}", self.host_str(), self.port),
        }
    }

    /// The request target: path and query.
    pub fn path_and_query(&self) -> &str {
        &self.url[Position::BeforePath..Position::AfterQuery]
    }

    /// Whether `other` has the same scheme, host and port.
    pub fn same_origin(&self, other: &Target) -> bool {
        self.tls == other.tls && self.host == other.host && self.port == other.port
    }
}

/// The canonical form of a DNS name from a URL, by the vault's host rules; `None` for anything
/// that is not letters, digits and hyphens in dot-separated labels (a `*` label included).
fn canonical_name(name: &str) -> Option<String> {
    let pattern = HostPattern::parse(name).ok()?;
    let canonical = pattern.to_string();
    (!canonical.starts_with("*.")).then_some(canonical)
}

/// Which part of the URL string `url` the byte at `offset` is in (by its delimiters, so it works
/// on a string the parser refused as well).
pub(crate) fn url_part(url: &str, offset: usize) -> UrlPart {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    if offset < authority_start {
        return UrlPart::Prefix;
    }
    let rest = &url[authority_start..];
    let authority_end = authority_start + rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = url[authority_start..authority_end].rfind('@').map_or(authority_start, |i| authority_start + i + 1);
    let fragment = url.find('#').unwrap_or(url.len());
    let query = url[..fragment].find('?').unwrap_or(fragment);
    match offset {
        o if o < at => UrlPart::Prefix,
        o if o < authority_end => UrlPart::Host,
        o if o < query => UrlPart::Path,
        o if o < fragment => UrlPart::Query,
        _ => UrlPart::Fragment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Ports;

    fn config() -> GateConfig {
        GateConfig { ports: Ports::Any, ..GateConfig::default() }
    }

    fn parse(url: &str) -> Result<Target, BlockReason> {
        Target::parse(url, &config())
    }

    fn ip(url: &str) -> IpAddr {
        match parse(url).unwrap().host {
            TargetHost::Ip(ip) => ip,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn every_ipv4_spelling_becomes_the_address() {
        let http = GateConfig { allow_http: true, ..config() };
        for url in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0177.0.0.1/",
            "https://0x7f.1/",
            "https://0x7f000001/",
            "https://127.1/",
            "https://017700000001/",
            "https://127.0.1/",
        ] {
            assert_eq!(ip(url), "127.0.0.1".parse::<IpAddr>().unwrap(), "{url}");
        }
        assert!(matches!(Target::parse("http://2130706433/", &http).unwrap().host, TargetHost::Ip(_)));
        assert_eq!(ip("https://169.254.43518/"), "169.254.169.254".parse::<IpAddr>().unwrap());
        assert_eq!(ip("https://0xa9fea9fe/"), "169.254.169.254".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ipv6_literals_are_addresses() {
        assert_eq!(ip("https://[::1]/"), "::1".parse::<IpAddr>().unwrap());
        assert_eq!(ip("https://[::ffff:127.0.0.1]/"), "::ffff:7f00:1".parse::<IpAddr>().unwrap());
        assert_eq!(ip("https://[0:0:0:0:0:ffff:7f00:0001]:8443/"), "::ffff:7f00:1".parse::<IpAddr>().unwrap());
        assert_eq!(parse("https://[::1]:8443/x").unwrap().authority(), "[::1]:8443");
    }

    #[test]
    fn names_are_normalised() {
        let t = parse("https://API.Example.COM./v1?q=1#frag").unwrap();
        assert_eq!(t.host, TargetHost::Name("api.example.com".into()));
        assert_eq!(t.authority(), "api.example.com");
        assert_eq!(t.path_and_query(), "/v1?q=1");
        let t = parse("https://bücher.example:8443/").unwrap();
        assert_eq!(t.authority(), "xn--bcher-kva.example:8443");
        let t = parse("https://ex%61mple.com/").unwrap();
        assert_eq!(t.host_str(), "example.com");
    }

    #[test]
    fn refusals() {
        assert!(matches!(parse("ftp://example.com/"), Err(BlockReason::Scheme { .. })));
        assert!(matches!(parse("http://example.com/"), Err(BlockReason::Scheme { .. })));
        assert!(matches!(parse("file:///etc/passwd"), Err(BlockReason::Scheme { .. })));
        assert!(matches!(parse("gopher://127.0.0.1:6379/_INFO"), Err(BlockReason::Scheme { .. })));
        assert!(matches!(parse("https://user:pass@example.com/"), Err(BlockReason::Userinfo)));
        assert!(matches!(parse("https://user@example.com/"), Err(BlockReason::Userinfo)));
        assert!(matches!(parse("https://:pass@example.com/"), Err(BlockReason::Userinfo)));
        assert!(matches!(parse("/relative"), Err(BlockReason::InvalidUrl { .. })));
        assert!(matches!(parse("https://a_b.example.com/"), Err(BlockReason::InvalidUrl { .. })));
        assert!(matches!(parse("https://*.example.com/"), Err(BlockReason::InvalidUrl { .. })));
        assert!(matches!(parse("https://example.com:99999/"), Err(BlockReason::InvalidUrl { .. })));
        let strict = GateConfig::default();
        assert!(matches!(
            Target::parse("https://example.com:22/", &strict),
            Err(BlockReason::PortRefused { port: 22 })
        ));
        assert!(Target::parse("https://example.com:443/", &strict).is_ok());
        assert!(Target::parse("http://example.com/", &GateConfig { allow_http: true, ..strict }).is_ok());
    }

    #[test]
    fn url_parts_by_offset() {
        let url = "https://u@host.example:8443/p/a?q=1&r=2#f";
        let part = |needle: &str| url_part(url, url.find(needle).unwrap());
        assert_eq!(part("https"), UrlPart::Prefix);
        assert_eq!(part("u@"), UrlPart::Prefix);
        assert_eq!(part("host"), UrlPart::Host);
        assert_eq!(part("8443"), UrlPart::Host);
        assert_eq!(part("/p"), UrlPart::Path);
        assert_eq!(part("q=1"), UrlPart::Query);
        assert_eq!(part("f"), UrlPart::Fragment);
        assert_eq!(url_part("not a url", 2), UrlPart::Host);
    }

    #[test]
    fn origins() {
        let a = parse("https://a.example/x").unwrap();
        assert!(a.same_origin(&parse("https://A.example:443/y").unwrap()));
        assert!(!a.same_origin(&parse("https://b.example/x").unwrap()));
        assert!(!a.same_origin(&parse("https://a.example:8443/x").unwrap()));
    }
}
