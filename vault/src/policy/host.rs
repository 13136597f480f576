//! `HostPattern`: an exact host or `*.suffix`, normalised (IDNA to punycode, lowercase, no
//! trailing dot) so that matching is a comparison of canonical strings.

use crate::VaultError;
use serde::{Deserialize, Serialize};

/// A host a secret may be sent to: an exact host name or IP literal, or `*.suffix`, which matches
/// strict subdomains of `suffix` only (never `suffix` itself, never `evilsuffix`).
///
/// Input is normalised the way a URL parser normalises hosts (WHATWG host parsing with IDNA):
/// uppercase is lowered, Unicode labels become punycode (`bücher.example` → `xn--bcher-kva.example`),
/// one trailing dot is dropped and IPv4 literals take their dotted form. What remains must be
/// letters, digits and hyphens in labels of 1 to 63 characters. A wildcard needs at least two
/// labels after `*.` (`*.com` is refused) and cannot be an IP address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostPattern {
    wildcard: bool,
    host: String,
}

impl HostPattern {
    /// Parses and normalises a pattern.
    pub fn parse(pattern: &str) -> Result<HostPattern, VaultError> {
        let bad = |why: &str| VaultError::InvalidPolicy(format!("host pattern {pattern:?} {why}"));
        let (wildcard, rest) = match pattern.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        let host = canonical_host(rest).map_err(bad)?;
        if wildcard {
            if host.starts_with('[') || host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Err(bad("puts a wildcard on an IP address"));
            }
            if !host.contains('.') {
                return Err(bad("is a wildcard over a whole top-level domain"));
            }
        }
        Ok(HostPattern { wildcard, host })
    }

    /// Whether a request to `host` may carry the secret. `host` is normalised the same way first;
    /// a host that cannot be normalised matches nothing.
    pub fn matches(&self, host: &str) -> bool {
        match canonical_host(host) {
            Ok(host) => self.matches_canonical(&host),
            Err(_) => false,
        }
    }

    /// Matching against a host already in canonical form.
    pub(crate) fn matches_canonical(&self, host: &str) -> bool {
        if !self.wildcard {
            return host == self.host;
        }
        host.len() > self.host.len() + 1
            && host.ends_with(self.host.as_str())
            && host.as_bytes()[host.len() - self.host.len() - 1] == b'.'
    }
}

impl std::fmt::Display for HostPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.wildcard {
            f.write_str("*.")?;
        }
        f.write_str(&self.host)
    }
}

impl TryFrom<String> for HostPattern {
    type Error = VaultError;
    fn try_from(s: String) -> Result<Self, VaultError> {
        HostPattern::parse(&s)
    }
}

impl From<HostPattern> for String {
    fn from(p: HostPattern) -> String {
        p.to_string()
    }
}

/// The canonical form of a host: WHATWG host parsing (IDNA, lowercase, IPv4 forms), without a
/// trailing dot, restricted to letter-digit-hyphen labels. IPv6 literals keep their brackets.
pub(crate) fn canonical_host(input: &str) -> Result<String, &'static str> {
    if input.is_empty() {
        return Err("is empty");
    }
    let trimmed = input.strip_suffix('.').unwrap_or(input);
    if trimmed.is_empty() || trimmed.ends_with('.') {
        return Err("has an empty label");
    }
    if trimmed.contains('%') {
        return Err("contains percent-encoding");
    }
    let host = url::Host::parse(trimmed).map_err(|_| "is not a valid host name")?;
    let host = match host {
        url::Host::Domain(d) => d,
        // IP literals take the form `url::Url::host_str` gives them (IPv6 per RFC 5952, bracketed).
        ip => return Ok(ip.to_string()),
    };
    if host.len() > 253 {
        return Err("is longer than 253 characters");
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !host.split('.').all(label_ok) {
        return Err("has a label that is not 1 to 63 letters, digits or inner hyphens");
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> HostPattern {
        HostPattern::parse(s).unwrap()
    }

    #[test]
    fn normalises_case_trailing_dot_and_idna() {
        assert_eq!(p("API.Example.COM.").to_string(), "api.example.com");
        assert_eq!(p("bücher.example").to_string(), "xn--bcher-kva.example");
        assert_eq!(p("*.Bücher.Example").to_string(), "*.xn--bcher-kva.example");
        assert_eq!(p("[::FFFF:1.2.3.4]").to_string(), "[::ffff:102:304]");
        assert_eq!(p("0x7f.1").to_string(), "127.0.0.1");
    }

    #[test]
    fn refuses_malformed_patterns() {
        for bad in [
            "",
            ".",
            "*",
            "*.",
            "*.com",
            "a..b",
            "example.com..",
            "a_b.example",
            "*.1.2.3.4",
            "*.[::1]",
            "a*.example.com",
            "-a.example.com",
            "exa mple.com",
            "ex%61mple.com",
            "user@example.com",
            "example.com:443",
            "*.*.example.com",
        ] {
            assert!(HostPattern::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn wildcards_match_strict_subdomains_only() {
        let w = p("*.example.com");
        assert!(w.matches("a.example.com"));
        assert!(w.matches("a.b.example.com"));
        assert!(w.matches("A.EXAMPLE.COM."));
        assert!(!w.matches("example.com"));
        assert!(!w.matches("evilexample.com"));
        assert!(!w.matches("a.evilexample.com"));
        assert!(!w.matches("example.com.evil.net"));
        assert!(!w.matches(".example.com"));
    }

    #[test]
    fn exact_patterns_match_only_themselves() {
        let e = p("example.com");
        assert!(e.matches("example.com"));
        assert!(e.matches("EXAMPLE.com."));
        assert!(!e.matches("a.example.com"));
        assert!(!e.matches("example.com.evil.net"));
        assert!(!e.matches("example.co"));
        assert!(!e.matches("example.com.."));
        // A Cyrillic 'а' is a different host (punycode), not example.com.
        assert!(!e.matches("exаmple.com"));
    }

    #[test]
    fn serde_round_trips_the_canonical_form() {
        let json = serde_json::to_string(&p("*.API.example.com")).unwrap();
        assert_eq!(json, "\"*.api.example.com\"");
        let back: HostPattern = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p("*.api.example.com"));
        assert!(serde_json::from_str::<HostPattern>("\"*.com\"").is_err());
    }
}
