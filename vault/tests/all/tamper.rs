//! Edits made to the vault file outside the vault: every one is refused with a typed error, and a
//! refused file is left exactly as it was.

use crate::support::*;
use redoubt_vault::{Injection, Vault, VaultError};
use std::path::Path;

/// An edit an attacker makes to the file's JSON.
type Edit = Box<dyn Fn(&mut serde_json::Value)>;

/// What an edit's error must look like.
type Expect = fn(&VaultError) -> bool;

/// A vault with secrets `alpha` and `beta`, closed.
fn two_secret_vault(path: &Path) {
    let mut v = Vault::create(path, sealed_key()).unwrap();
    v.add("alpha", value("alpha-secret-value-1"), bearer_policy()).unwrap();
    v.add("beta", value("beta-secret-value-22"), policy(&["*.example.org"], &["name:bot"], Injection::Bearer)).unwrap();
}

/// Applies `edit` to the file's JSON, opens the vault, and checks the file was not rewritten.
fn open_after_edit(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> Result<Vault, VaultError> {
    let mut json = read_json(path);
    edit(&mut json);
    write_json(path, &json);
    let before = std::fs::read(path).unwrap();
    let result = Vault::open(path, sealed_key());
    assert_eq!(std::fs::read(path).unwrap(), before, "open must never rewrite the file");
    result
}

#[test]
fn ciphertext_swapped_between_entries_fails_naming_the_secret() {
    let (_d, path) = vault_path();
    two_secret_vault(&path);
    let err = open_after_edit(&path, |json| {
        let a = entry(json, "alpha").clone();
        let b = entry(json, "beta").clone();
        for field in ["nonce", "ciphertext"] {
            entry(json, "alpha")[field] = b[field].clone();
            entry(json, "beta")[field] = a[field].clone();
        }
    })
    .unwrap_err();
    assert!(matches!(&err, VaultError::SecretTampered { name } if name == "alpha"), "{err}");
    assert!(err.to_string().contains("\"alpha\""));
}

#[test]
fn ciphertext_copied_onto_another_entry_fails() {
    let (_d, path) = vault_path();
    two_secret_vault(&path);
    let err = open_after_edit(&path, |json| {
        let a = entry(json, "alpha").clone();
        entry(json, "beta")["nonce"] = a["nonce"].clone();
        entry(json, "beta")["ciphertext"] = a["ciphertext"].clone();
    })
    .unwrap_err();
    assert!(matches!(&err, VaultError::SecretTampered { name } if name == "beta"), "{err}");
}

#[test]
fn policy_widened_in_the_file_fails_to_open_that_secret() {
    let (_d, path) = vault_path();
    two_secret_vault(&path);
    for edit in [
        serde_json::json!(["api.example.com", "evil.example.net"]),
        serde_json::json!(["*.example.com"]),
        serde_json::json!([]),
    ] {
        let err = open_after_edit(&path, |json| entry(json, "alpha")["policy"]["hosts"] = edit.clone()).unwrap_err();
        assert!(matches!(&err, VaultError::SecretTampered { name } if name == "alpha"), "{err}");
        two_secret_vault_reset(&path);
    }
    let err = open_after_edit(&path, |json| {
        entry(json, "beta")["policy"]["agents"] = serde_json::json!(["name:bot", "name:attacker"]);
    })
    .unwrap_err();
    assert!(matches!(&err, VaultError::SecretTampered { name } if name == "beta"), "{err}");
    two_secret_vault_reset(&path);
    let err = open_after_edit(&path, |json| {
        entry(json, "alpha")["policy"]["inject"] = serde_json::json!({"kind": "query", "param": "leak"});
    })
    .unwrap_err();
    assert!(matches!(&err, VaultError::SecretTampered { name } if name == "alpha"), "{err}");
    two_secret_vault_reset(&path);
    let err = open_after_edit(&path, |json| entry(json, "alpha")["policy"]["max_uses"] = 1000.into()).unwrap_err();
    assert!(matches!(&err, VaultError::SecretTampered { name } if name == "alpha"), "{err}");
}

fn two_secret_vault_reset(path: &Path) {
    std::fs::remove_file(path).unwrap();
    two_secret_vault(path);
}

#[test]
fn a_policy_rewritten_to_the_same_meaning_still_opens() {
    // The AAD binds the canonical (normalised) policy, not its spelling in the file.
    let (_d, path) = vault_path();
    two_secret_vault(&path);
    let v = open_after_edit(&path, |json| {
        entry(json, "alpha")["policy"]["hosts"] = serde_json::json!(["API.Example.com."]);
    })
    .unwrap();
    assert_eq!(v.list()[0].policy.hosts[0].to_string(), "api.example.com");
}

#[test]
fn metadata_edits_are_detected_by_the_file_mac() {
    let (_d, path) = vault_path();
    two_secret_vault(&path);
    let mut v = Vault::open(&path, sealed_key()).unwrap();
    granted_bearer(&mut v, "alpha", 0).unwrap();
    granted_bearer(&mut v, "alpha", 0).unwrap();
    drop(v);
    let edits: Vec<(&str, Edit)> = vec![
        ("use count", Box::new(|j| entry(j, "alpha")["uses"] = 0.into())),
        ("use count up", Box::new(|j| entry(j, "alpha")["uses"] = 5.into())),
        ("created_at", Box::new(|j| entry(j, "alpha")["created_at"] = 1.into())),
        ("rotated_at", Box::new(|j| entry(j, "beta")["rotated_at"] = 2.into())),
        ("generation", Box::new(|j| j["generation"] = 1.into())),
        ("deleted entry", Box::new(|j| drop(j["entries"].as_array_mut().unwrap().remove(0)))),
        ("reordered entries", Box::new(|j| j["entries"].as_array_mut().unwrap().reverse())),
        ("renamed entry", Box::new(|j| entry(j, "alpha")["name"] = "gamma".into())),
        ("mac", Box::new(|j| j["mac"] = "00".repeat(32).into())),
    ];
    for (what, edit) in edits {
        let original = read_json(&path);
        let err = open_after_edit(&path, |j| edit(j)).unwrap_err();
        assert!(matches!(err, VaultError::MetadataTampered), "{what}: {err}");
        write_json(&path, &original);
        Vault::open(&path, sealed_key()).unwrap_or_else(|e| panic!("restoring after {what}: {e}"));
    }
}

#[test]
fn header_edits_are_refused_before_any_secret_is_touched() {
    let (_d, path) = vault_path();
    two_secret_vault(&path);
    let original = read_json(&path);
    let cases: Vec<(&str, Edit, Expect)> = vec![
        ("vault id", Box::new(|j| j["vault_id"] = "11".repeat(16).into()), |e| matches!(e, VaultError::WrongKey)),
        ("key check", Box::new(|j| j["key_check"] = "22".repeat(32).into()), |e| matches!(e, VaultError::WrongKey)),
        ("key mode", Box::new(|j| j["key_mode"] = "key-file".into()), |e| {
            matches!(e, VaultError::KeyModeMismatch { .. })
        }),
        ("version", Box::new(|j| j["version"] = 2.into()), |e| {
            matches!(e, VaultError::UnsupportedVersion { found: 2, supported: 1 })
        }),
        ("format", Box::new(|j| j["format"] = "other".into()), |e| matches!(e, VaultError::Corrupt { .. })),
        ("unknown field", Box::new(|j| j["allow_all"] = true.into()), |e| matches!(e, VaultError::Corrupt { .. })),
        ("bad nonce", Box::new(|j| entry(j, "alpha")["nonce"] = "zz".into()), |e| {
            matches!(e, VaultError::Corrupt { .. })
        }),
    ];
    for (what, edit, expected) in cases {
        let err = open_after_edit(&path, |j| edit(j)).unwrap_err();
        assert!(expected(&err), "{what}: {err}");
        write_json(&path, &original);
    }
}

#[test]
fn truncated_garbage_and_empty_files_are_refused_and_left_alone() {
    let (_d, path) = vault_path();
    two_secret_vault(&path);
    let full = std::fs::read(&path).unwrap();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for (what, bytes) in [
        ("half", full[..full.len() / 2].to_vec()),
        ("all but one byte", full[..full.len() - 2].to_vec()),
        ("empty", Vec::new()),
        ("garbage", garbage),
        ("json of another shape", b"{\"hello\": 1}".to_vec()),
    ] {
        std::fs::write(&path, &bytes).unwrap();
        let err = Vault::open(&path, sealed_key()).unwrap_err();
        assert!(matches!(err, VaultError::Corrupt { .. }), "{what}: {err}");
        assert!(err.to_string().contains("vault.json"), "{what}: the error names the file: {err}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{what}: file changed");
    }
    assert!(matches!(Vault::open(path.with_file_name("none.json"), sealed_key()), Err(VaultError::Missing(_))));
}

#[test]
fn create_never_overwrites() {
    let (_d, path) = vault_path();
    two_secret_vault(&path);
    let before = std::fs::read(&path).unwrap();
    assert!(matches!(Vault::create(&path, sealed_key()), Err(VaultError::AlreadyExists(_))));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
