//! What the file shows of encryption: a fresh nonce for every encryption, and per-secret keys.

use crate::support::*;
use redoubt_vault::{Injection, Vault};
use std::collections::HashSet;

#[test]
fn the_same_value_never_repeats_a_nonce_or_a_ciphertext() {
    let (_d, path) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    v.add("tok", value("one-value-always"), bearer_policy()).unwrap();
    let mut nonces = HashSet::new();
    let mut ciphertexts = HashSet::new();
    for round in 0..60 {
        match round % 3 {
            0 => v.rotate("tok", value("one-value-always")).unwrap(),
            1 => v.set_policy("tok", bearer_policy()).unwrap(),
            _ => drop(granted_bearer(&mut v, "tok", 0)), // counts a use; value untouched
        }
        let mut json = read_json(&path);
        let e = entry(&mut json, "tok");
        let (nonce, ct) = (e["nonce"].as_str().unwrap().to_string(), e["ciphertext"].as_str().unwrap().to_string());
        if round % 3 == 2 {
            assert!(nonces.contains(&nonce), "a use count change must not re-encrypt");
        } else {
            assert!(nonces.insert(nonce), "round {round}: nonce reused");
            assert!(ciphertexts.insert(ct), "round {round}: ciphertext repeated");
        }
    }
}

#[test]
fn equal_values_under_different_names_encrypt_differently() {
    let (_d, path) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    for name in ["a", "b", "c"] {
        v.add(name, value("shared-value-123"), policy(&["x.example.com"], &["name:bot"], Injection::Bearer)).unwrap();
    }
    let mut json = read_json(&path);
    let cts: HashSet<String> =
        ["a", "b", "c"].iter().map(|n| entry(&mut json, n)["ciphertext"].as_str().unwrap().to_string()).collect();
    assert_eq!(cts.len(), 3);
    let ids: HashSet<String> =
        ["a", "b", "c"].iter().map(|n| entry(&mut json, n)["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 3, "every secret has its own id, hence its own key");
}
