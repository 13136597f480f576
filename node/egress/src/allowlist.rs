//! Step 2: the host allowlist. A host is reachable only when both the agent's manifest and the
//! operator's policy allow it; both are exact hosts or `*.suffix`, matched with the vault's
//! `HostPattern` so the gate and the secret policies share one matching rule.

use redoubt_vault::HostPattern;

/// Whether `host` (canonical, as [`crate::target::Target::host_str`] gives it) is allowed by some
/// manifest pattern and some operator pattern. A manifest pattern that does not parse allows
/// nothing.
pub(crate) fn allowed(host: &str, manifest: &[String], operator: &[HostPattern]) -> bool {
    let by_manifest = manifest.iter().filter_map(|p| HostPattern::parse(p).ok()).any(|p| p.matches(host));
    by_manifest && operator.iter().any(|p| p.matches(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(list: &[&str]) -> Vec<HostPattern> {
        list.iter().map(|p| HostPattern::parse(p).unwrap()).collect()
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn both_lists_must_allow() {
        let operator = patterns(&["*.example.com", "api.other.org"]);
        let manifest = strings(&["api.example.com", "api.other.org", "evil.net"]);
        assert!(allowed("api.example.com", &manifest, &operator));
        assert!(allowed("api.other.org", &manifest, &operator));
        assert!(!allowed("evil.net", &manifest, &operator), "operator does not allow it");
        assert!(!allowed("www.example.com", &manifest, &operator), "manifest does not declare it");
        assert!(!allowed("api.example.com", &[], &operator));
        assert!(!allowed("api.example.com", &manifest, &[]));
    }

    #[test]
    fn wildcards_never_match_the_bare_suffix_or_lookalikes() {
        let operator = patterns(&["*.example.com"]);
        let manifest = strings(&["*.example.com"]);
        assert!(allowed("a.b.example.com", &manifest, &operator));
        assert!(!allowed("example.com", &manifest, &operator));
        assert!(!allowed("evilexample.com", &manifest, &operator));
        assert!(!allowed("example.com.evil.net", &manifest, &operator));
    }

    #[test]
    fn ip_literals_must_be_listed_literally_and_bad_manifest_patterns_allow_nothing() {
        let operator = patterns(&["127.0.0.1", "*.example.test"]);
        assert!(allowed("127.0.0.1", &strings(&["127.0.0.1"]), &operator));
        assert!(!allowed("127.0.0.2", &strings(&["127.0.0.1"]), &operator));
        // `*.test` (a wildcard over a top-level domain) is refused by the vault's rule: it allows nothing.
        assert!(!allowed("a.example.test", &strings(&["*", "*.", "a b.example.test", "*.test"]), &operator));
        assert!(allowed("a.example.test", &strings(&["*.example.test"]), &operator));
    }
}
