//! Shared helpers: keys, policies, requests, reading a granted value the way the egress gate would,
//! and editing the vault file as an attacker would.

use http::HeaderMap;
use redoubt_vault::{
    AgentMatcher, GrantRequest, HostPattern, Injection, KdfParams, MasterKey, Policy, SecretValue, Vault,
};
use std::path::{Path, PathBuf};

/// A sealing-mode key (the bytes are arbitrary here; on hardware they come from the firmware).
pub fn sealed_key() -> MasterKey {
    MasterKey::from_sealing_key([0x42; 32])
}

/// Argon2id parameters small enough for tests.
pub const FAST: KdfParams = KdfParams { memory_kib: 64, iterations: 1, parallelism: 1 };

/// A temporary directory and a vault path inside it.
pub fn vault_path() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    (dir, path)
}

/// A policy over `hosts` and `agents` (strings as in the file: "name:x" / "sha256:..").
pub fn policy(hosts: &[&str], agents: &[&str], inject: Injection) -> Policy {
    Policy::new(
        hosts.iter().map(|h| HostPattern::parse(h).unwrap()).collect(),
        agents.iter().map(|a| AgentMatcher::parse(a).unwrap()).collect(),
        inject,
    )
}

/// A bearer policy for `api.example.com` and agent `bot`.
pub fn bearer_policy() -> Policy {
    policy(&["api.example.com"], &["name:bot"], Injection::Bearer)
}

/// A secret value from a string.
pub fn value(s: &str) -> SecretValue {
    SecretValue::new(s.as_bytes().to_vec())
}

/// A request from agent `bot` (code hash all 7s) to `host` declaring `names`, at time `now`.
pub fn request<'a>(host: &'a str, names: &'a [String], now: u64) -> GrantRequest<'a> {
    GrantRequest { host, agent_name: "bot", code_hash: [7; 32], secret_names: names, now_unix: now }
}

/// Names as the manifest would list them.
pub fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// What a bearer-injected secret puts on the wire, read back as the egress gate's request would
/// carry it: `Some(value)` when granted, `None` when not.
pub fn granted_bearer(vault: &mut Vault, name: &str, now: u64) -> Option<Vec<u8>> {
    let declared = names(&[name]);
    let grants = vault.grants_for(&request("api.example.com", &declared, now)).unwrap();
    let grant = grants.into_iter().next()?;
    let mut url = url::Url::parse("https://api.example.com/").unwrap();
    let mut headers = HeaderMap::new();
    grant.inject(&mut url, &mut headers).unwrap();
    let header = headers.get("authorization").unwrap().as_bytes();
    Some(header.strip_prefix(b"Bearer ").unwrap().to_vec())
}

/// The vault file as JSON.
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Writes `json` over the vault file, as someone with file access (not the vault) would.
pub fn write_json(path: &Path, json: &serde_json::Value) {
    std::fs::write(path, serde_json::to_vec_pretty(json).unwrap()).unwrap();
}

/// The entry named `name` in the file's JSON.
pub fn entry<'a>(json: &'a mut serde_json::Value, name: &str) -> &'a mut serde_json::Value {
    json["entries"].as_array_mut().unwrap().iter_mut().find(|e| e["name"] == name).unwrap()
}
