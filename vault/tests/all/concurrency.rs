//! Two processes on one vault (the node and the `redoubt secret` CLI): no lost update, use counts
//! shared, and a file put back from an old copy or swapped for another vault is noticed.

use crate::support::*;
use redoubt_vault::{Injection, MasterKey, Vault, VaultError};

#[test]
fn changes_from_another_handle_are_merged_not_lost() {
    let (_d, path) = vault_path();
    let mut node = Vault::create(&path, sealed_key()).unwrap();
    let mut cli = Vault::open(&path, sealed_key()).unwrap();
    node.add("a", value("value-of-a-000"), bearer_policy()).unwrap();
    cli.add("b", value("value-of-b-000"), bearer_policy()).unwrap();
    node.add("c", value("value-of-c-000"), bearer_policy()).unwrap();
    let listed: Vec<String> = node.list().into_iter().map(|s| s.name).collect();
    assert_eq!(listed, ["a", "b", "c"]);
    assert!(cli.reload().unwrap());
    assert!(!cli.reload().unwrap(), "nothing new");
    assert_eq!(cli.len(), 3);
    // The node's leak detector learned the secret the CLI added.
    assert!(node.leak_detector().scan(b"xx value-of-b-000 xx").is_some());
}

#[test]
fn use_limits_are_shared_between_handles() {
    let (_d, path) = vault_path();
    let mut p = bearer_policy();
    p.max_uses = Some(2);
    let mut one = Vault::create(&path, sealed_key()).unwrap();
    one.add("tok", value("tok-secret-value"), p).unwrap();
    let mut two = Vault::open(&path, sealed_key()).unwrap();
    assert!(granted_bearer(&mut one, "tok", 0).is_some());
    assert!(granted_bearer(&mut two, "tok", 0).is_some());
    assert!(granted_bearer(&mut one, "tok", 0).is_none());
    assert!(granted_bearer(&mut two, "tok", 0).is_none());
}

#[test]
fn a_secret_revoked_by_another_process_is_not_granted_on_the_next_request() {
    let (_d, path) = vault_path();
    let mut node = Vault::create(&path, sealed_key()).unwrap();
    node.add("tok", value("first-secret-value"), bearer_policy()).unwrap();
    assert!(granted_bearer(&mut node, "tok", 0).is_some());
    let mut cli = Vault::open(&path, sealed_key()).unwrap();

    cli.rotate("tok", value("second-secret-value")).unwrap();
    let injected = granted_bearer(&mut node, "tok", 0).expect("still granted after rotation");
    assert!(String::from_utf8(injected).unwrap().contains("second-secret-value"), "the old value is never sent");

    cli.set_policy("tok", policy(&["elsewhere.example.org"], &["name:bot"], Injection::Bearer)).unwrap();
    assert!(granted_bearer(&mut node, "tok", 0).is_none(), "a host taken out of the policy");

    cli.remove("tok").unwrap();
    assert!(granted_bearer(&mut node, "tok", 0).is_none(), "a removed secret");
    assert!(node.leak_detector().scan(b"second-secret-value").is_none(), "the detector follows");
}

#[test]
fn concurrent_writers_in_threads_lose_nothing() {
    let (_d, path) = vault_path();
    Vault::create(&path, sealed_key()).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut v = Vault::open(&path, sealed_key()).unwrap();
                for i in 0..10 {
                    v.add(&format!("t{t}-{i}"), value(&format!("value-{t}-{i}-padding")), bearer_policy()).unwrap();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(Vault::open(&path, sealed_key()).unwrap().len(), 40);
}

#[test]
fn an_old_copy_put_back_is_refused_by_a_running_vault() {
    let (_d, path) = vault_path();
    let mut p = bearer_policy();
    p.max_uses = Some(1);
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    v.add("tok", value("tok-secret-value"), p).unwrap();
    let old = std::fs::read(&path).unwrap();
    assert!(granted_bearer(&mut v, "tok", 0).is_some());
    // The attacker restores the copy with uses = 0 (its MAC is valid: the vault wrote it).
    let tmp = path.with_file_name("restore");
    std::fs::write(&tmp, &old).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    let declared = names(&["tok"]);
    let err = v.grants_for(&request("api.example.com", &declared, 0)).unwrap_err();
    assert!(matches!(err, VaultError::RolledBack { found: 1, expected: 2 }), "{err}");
}

#[test]
fn a_different_vault_swapped_in_is_refused() {
    let (_d, path) = vault_path();
    let (_e, other) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    Vault::create(&other, sealed_key()).unwrap();
    std::fs::copy(&other, &path).unwrap();
    let err = v.add("x", value("some-value-123"), bearer_policy()).unwrap_err();
    assert!(matches!(err, VaultError::Replaced { .. }), "{err}");
    // And a vault made with another key is refused the same way.
    let (_f, third) = vault_path();
    Vault::create(&third, MasterKey::from_sealing_key([1; 32])).unwrap();
    std::fs::copy(&third, &path).unwrap();
    assert!(matches!(v.reload(), Err(VaultError::Replaced { .. })));
}

#[test]
fn a_tampered_file_is_refused_by_a_running_vault() {
    let (_d, path) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    v.add("tok", value("tok-secret-value"), bearer_policy()).unwrap();
    let mut json = read_json(&path);
    entry(&mut json, "tok")["uses"] = 3.into();
    write_json(&path, &json);
    assert!(matches!(v.reload(), Err(VaultError::MetadataTampered)));
}
