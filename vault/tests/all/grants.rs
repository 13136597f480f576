//! Grant decisions from the attacker's side: host confusions, agent impersonation, expiry, use
//! limits across reopen, undeclared secrets, injection conflicts.

use crate::support::*;
use http::HeaderMap;
use redoubt_vault::{Decision, Denial, GrantRequest, Injection, Vault, VaultError};

fn vault_with(policy: redoubt_vault::Policy) -> (tempfile::TempDir, Vault) {
    let (dir, path) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    v.add("tok", value("tok-secret-value-0001"), policy).unwrap();
    (dir, v)
}

fn granted(v: &mut Vault, host: &str) -> bool {
    let declared = names(&["tok"]);
    !v.grants_for(&request(host, &declared, 0)).unwrap().is_empty()
}

#[test]
fn wildcard_hosts_match_strict_subdomains_only() {
    let (_d, mut v) = vault_with(policy(&["*.example.com"], &["name:bot"], Injection::Bearer));
    for host in ["api.example.com", "a.b.example.com", "API.EXAMPLE.COM", "api.example.com."] {
        assert!(granted(&mut v, host), "{host} should be granted");
    }
    for host in [
        "example.com",
        "evilexample.com",
        "api.evilexample.com",
        "example.com.evil.net",
        "api.example.com.evil.net",
        "api.example.co",
        "api.example.com..",
        ".example.com",
        "api.example.com:443",
        "user@api.example.com",
        "api.exаmple.com", // Cyrillic а: a different (punycode) host
        "",
    ] {
        assert!(!granted(&mut v, host), "{host:?} must not be granted");
    }
}

#[test]
fn exact_hosts_are_normalised_and_punycode_is_not_confused() {
    let (_d, mut v) = vault_with(policy(&["bücher.example", "api.example.com"], &["name:bot"], Injection::Bearer));
    assert!(granted(&mut v, "xn--bcher-kva.example"));
    assert!(granted(&mut v, "BÜCHER.example"));
    assert!(granted(&mut v, "Api.Example.Com."));
    assert!(!granted(&mut v, "bucher.example"));
    assert!(!granted(&mut v, "sub.api.example.com"));
    assert!(!granted(&mut v, "xn--bcher-kva.example.evil.net"));
}

#[test]
fn ip_literal_hosts_match_only_the_same_address() {
    let (_d, mut v) = vault_with(policy(&["10.1.2.3", "[2001:db8::1]"], &["name:bot"], Injection::Bearer));
    assert!(granted(&mut v, "10.1.2.3"));
    assert!(granted(&mut v, "[2001:DB8:0::1]"));
    // Other spellings of the same IPv4 address are normalised the way URL parsers do.
    assert!(granted(&mut v, "0x0a.1.2.3"));
    assert!(!granted(&mut v, "10.1.2.4"));
    assert!(!granted(&mut v, "[2001:db8::2]"));
}

#[test]
fn explain_gives_the_reason_without_the_value() {
    let (_d, mut v) = vault_with(policy(&["api.example.com"], &["name:bot"], Injection::Bearer));
    let declared = names(&["tok"]);
    let deny = |d: Decision| match d {
        Decision::Denied(reason) => reason,
        Decision::Allowed => panic!("allowed"),
    };
    let r = deny(v.explain("tok", &request("evil.example.net", &declared, 0)));
    assert_eq!(r, Denial::HostNotAllowed { host: "evil.example.net".into() });
    let mut other = request("api.example.com", &declared, 0);
    other.agent_name = "mallory";
    assert!(matches!(deny(v.explain("tok", &other)), Denial::AgentNotAllowed { .. }));
    assert_eq!(deny(v.explain("tok", &request("api.example.com", &[], 0))), Denial::NotDeclared);
    assert_eq!(deny(v.explain("nope", &request("api.example.com", &names(&["nope"]), 0))), Denial::Unknown);
    assert!(matches!(deny(v.explain("tok", &request("a b", &declared, 0))), Denial::InvalidHost { .. }));
    assert_eq!(v.explain("tok", &request("api.example.com", &declared, 0)), Decision::Allowed);
    let message = Denial::AgentNotAllowed { agent: "mallory".into(), code_hash: "00".into() }.to_string();
    assert!(message.contains("mallory"));
    assert_eq!(granted_bearer(&mut v, "tok", 0).unwrap(), b"tok-secret-value-0001");
}

#[test]
fn agents_match_by_name_or_by_code_hash_and_empty_means_none() {
    let hash = format!("sha256:{}", hex::encode([9u8; 32]));
    let (_d, mut v) = vault_with(policy(&["api.example.com"], &["name:bot", &hash], Injection::Bearer));
    let declared = names(&["tok"]);
    let ask = |v: &mut Vault, agent: &str, code_hash: [u8; 32]| {
        let req = GrantRequest {
            host: "api.example.com",
            agent_name: agent,
            code_hash,
            secret_names: &declared,
            now_unix: 0,
        };
        !v.grants_for(&req).unwrap().is_empty()
    };
    assert!(ask(&mut v, "bot", [0; 32]), "by name");
    assert!(ask(&mut v, "renamed", [9; 32]), "by code hash");
    assert!(!ask(&mut v, "bot2", [0; 32]));
    assert!(!ask(&mut v, "Bot", [0; 32]));
    let mut near = [9u8; 32];
    near[0] = 8;
    assert!(!ask(&mut v, "renamed", near), "a hash differing in one byte");

    v.set_policy("tok", policy(&["api.example.com"], &[], Injection::Bearer)).unwrap();
    assert!(!ask(&mut v, "bot", [0; 32]), "no agents listed: fail closed");
    v.set_policy("tok", policy(&[], &["name:bot"], Injection::Bearer)).unwrap();
    assert!(!ask(&mut v, "bot", [0; 32]), "no hosts listed: fail closed");
}

#[test]
fn undeclared_secrets_are_never_granted() {
    let (_d, mut v) = vault_with(bearer_policy());
    v.add(
        "other",
        value("other-secret-value"),
        policy(&["api.example.com"], &["name:bot"], Injection::Query { param: "k".into() }),
    )
    .unwrap();
    let declared = names(&["other"]);
    let grants = v.grants_for(&request("api.example.com", &declared, 0)).unwrap();
    assert_eq!(grants.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), vec!["other"]);
    let dup = names(&["other", "other", "missing"]);
    assert_eq!(v.grants_for(&request("api.example.com", &dup, 0)).unwrap().len(), 1, "duplicates granted once");
}

#[test]
fn expiry_is_respected() {
    let mut p = bearer_policy();
    p.expires_at = Some(1_000);
    let (_d, mut v) = vault_with(p);
    assert!(granted_bearer(&mut v, "tok", 999).is_some());
    assert!(granted_bearer(&mut v, "tok", 1_000).is_none());
    assert!(granted_bearer(&mut v, "tok", u64::MAX).is_none());
    let declared = names(&["tok"]);
    assert_eq!(
        v.explain("tok", &request("api.example.com", &declared, 1_000)),
        Decision::Denied(Denial::Expired { at: 1_000 })
    );
}

#[test]
fn a_use_limit_holds_across_reopen_and_rotation() {
    let mut p = bearer_policy();
    p.max_uses = Some(3);
    let (_d, mut v) = vault_with(p);
    let path = v.path().to_path_buf();
    assert!(granted_bearer(&mut v, "tok", 0).is_some());
    assert!(granted_bearer(&mut v, "tok", 0).is_some());
    drop(v);
    let mut v = Vault::open(&path, sealed_key()).unwrap();
    assert_eq!(v.list()[0].uses, 2);
    v.rotate("tok", value("tok-secret-value-0002")).unwrap();
    assert_eq!(granted_bearer(&mut v, "tok", 0).unwrap(), b"tok-secret-value-0002");
    assert!(granted_bearer(&mut v, "tok", 0).is_none(), "fourth use refused");
    drop(v);
    let mut v = Vault::open(&path, sealed_key()).unwrap();
    assert!(granted_bearer(&mut v, "tok", 0).is_none(), "still refused after reopen");
    assert_eq!(v.list()[0].uses, 3);
    let declared = names(&["tok"]);
    assert_eq!(
        v.explain("tok", &request("api.example.com", &declared, 0)),
        Decision::Denied(Denial::UsesExhausted { max: 3 })
    );
}

#[test]
fn two_secrets_for_the_same_header_are_a_conflict_not_a_silent_overwrite() {
    let (_d, mut v) = vault_with(bearer_policy());
    v.add(
        "basic",
        value("basic-secret-value"),
        policy(&["api.example.com"], &["name:bot"], Injection::Basic { username: "u".into() }),
    )
    .unwrap();
    let declared = names(&["tok", "basic"]);
    let err = v.grants_for(&request("api.example.com", &declared, 0)).unwrap_err();
    assert!(matches!(err, VaultError::InjectionConflict { .. }), "{err}");
    assert!(v.list().iter().all(|s| s.uses == 0), "no use counted for a refused request");
}

#[test]
fn grants_inject_each_form_and_debug_hides_the_value() {
    let (_d, mut v) = vault_with(policy(
        &["api.example.com"],
        &["name:bot"],
        Injection::Header { name: "X-Api-Key".into(), template: "key={secret}".into() },
    ));
    v.add(
        "q",
        value("query-secret/+&="),
        policy(&["api.example.com"], &["name:bot"], Injection::Query { param: "api_key".into() }),
    )
    .unwrap();
    let declared = names(&["tok", "q"]);
    let grants = v.grants_for(&request("api.example.com", &declared, 0)).unwrap();
    assert_eq!(grants.len(), 2);
    let mut url = url::Url::parse("https://api.example.com/v1?api_key=agent&x=1").unwrap();
    let mut headers = HeaderMap::new();
    for g in &grants {
        assert!(!format!("{g:?}").contains("secret-value"), "{g:?}");
        g.inject(&mut url, &mut headers).unwrap();
    }
    let h = headers.get("x-api-key").unwrap();
    assert_eq!(h.as_bytes(), b"key=tok-secret-value-0001");
    assert!(h.is_sensitive());
    assert_eq!(url.query().unwrap(), "x=1&api_key=query-secret%2F%2B%26%3D");
}

#[test]
fn management_errors_are_typed() {
    let (_d, mut v) = vault_with(bearer_policy());
    assert!(matches!(v.add("tok", value("another-value"), bearer_policy()), Err(VaultError::DuplicateName(_))));
    assert!(matches!(v.add("bad name", value("another-value"), bearer_policy()), Err(VaultError::InvalidName(_))));
    assert!(matches!(v.add("short", value("1234567"), bearer_policy()), Err(VaultError::ValueLength { len: 7, .. })));
    let long = redoubt_vault::SecretValue::new(vec![b'a'; 8193]);
    assert!(matches!(v.add("long", long, bearer_policy()), Err(VaultError::ValueLength { .. })));
    let bad = policy(
        &["api.example.com"],
        &["name:bot"],
        Injection::Header { name: "Host".into(), template: "{secret}".into() },
    );
    assert!(matches!(v.add("h", value("header-value"), bad), Err(VaultError::InvalidPolicy(_))));
    // A value that would split a header is refused when stored, for every header form.
    assert!(matches!(v.add("crlf", value("abc\r\nX-Evil: 1"), bearer_policy()), Err(VaultError::Injection { .. })));
    assert!(matches!(v.rotate("tok", value("abc\r\nX-Evil: 1")), Err(VaultError::Injection { .. })));
    let query = policy(&["api.example.com"], &["name:bot"], Injection::Query { param: "k".into() });
    v.add("crlf", value("abc\r\nX-Evil: 1"), query).unwrap();
    assert!(matches!(v.set_policy("crlf", bearer_policy()), Err(VaultError::Injection { .. })));
    assert!(matches!(v.rotate("missing", value("another-value")), Err(VaultError::UnknownSecret(_))));
    assert!(matches!(v.remove("missing"), Err(VaultError::UnknownSecret(_))));
    assert!(matches!(v.set_policy("missing", bearer_policy()), Err(VaultError::UnknownSecret(_))));
    v.remove("tok").unwrap();
    v.remove("crlf").unwrap();
    assert!(v.is_empty());
}

#[test]
fn unlimited_uses_are_counted_without_a_write_and_kept_by_flush_or_drop() {
    let (dir, path) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    v.add("tok", value("tok-secret-value"), bearer_policy()).unwrap();
    let before = std::fs::read(&path).unwrap();
    for _ in 0..3 {
        assert!(granted_bearer(&mut v, "tok", 0).is_some());
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "a grant of an unlimited secret writes nothing");
    assert_eq!(v.list()[0].uses, 3, "but it is counted");
    v.flush_uses().unwrap();
    assert_eq!(Vault::open(&path, sealed_key()).unwrap().list()[0].uses, 3);
    assert!(granted_bearer(&mut v, "tok", 0).is_some());
    drop(v);
    assert_eq!(Vault::open(&path, sealed_key()).unwrap().list()[0].uses, 4, "dropping the vault writes the count");
    drop(dir);
}

#[test]
fn a_limited_use_is_on_disk_before_its_grant_returns_even_if_the_process_dies() {
    let mut p = bearer_policy();
    p.max_uses = Some(2);
    let (_d, mut v) = vault_with(p);
    let path = v.path().to_path_buf();
    assert!(granted_bearer(&mut v, "tok", 0).is_some());
    assert!(granted_bearer(&mut v, "tok", 0).is_some());
    // A crash: no drop, no flush.
    std::mem::forget(v);
    let mut v = Vault::open(&path, sealed_key()).unwrap();
    assert_eq!(v.list()[0].uses, 2);
    assert!(granted_bearer(&mut v, "tok", 0).is_none(), "the limit survived the crash");
}

#[test]
fn a_limit_set_by_another_process_counts_the_uses_made_before_it() {
    let (_d, mut node) = vault_with(bearer_policy());
    let path = node.path().to_path_buf();
    for _ in 0..3 {
        assert!(granted_bearer(&mut node, "tok", 0).is_some(), "unlimited: counted in memory");
    }
    // The CLI, another process, limits the secret to 2 uses in all: already spent.
    let mut cli = Vault::open(&path, sealed_key()).unwrap();
    let mut limited = bearer_policy();
    limited.max_uses = Some(2);
    cli.set_policy("tok", limited).unwrap();
    drop(cli);
    assert!(granted_bearer(&mut node, "tok", 0).is_none(), "the three earlier uses count against the new limit");
    node.flush_uses().unwrap();
    assert_eq!(Vault::open(&path, sealed_key()).unwrap().list()[0].uses, 3);
}
