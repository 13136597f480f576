//! Node key files: NEAR key-file JSON and the X25519 file, permissions, near-cli credentials.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use redoubt_attestation::keys::{read_near_credentials, read_near_key_file, read_x25519_key_file, write_near_key_file};
use redoubt_attestation::{KeyError, NodeKeys};

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keys_survive_a_save_and_load_with_owner_only_files() {
    let dir = tempfile::tempdir().unwrap();
    let (near, x25519) = (dir.path().join("node.json"), dir.path().join("x25519.json"));
    let keys = NodeKeys::generate("node.test.near".parse().unwrap());
    keys.save(&near, &x25519).unwrap();
    assert_eq!((mode(&near), mode(&x25519)), (0o600, 0o600));
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&near).unwrap()).unwrap();
    assert_eq!(json["account_id"], "node.test.near");
    assert_eq!(json["public_key"], keys.public_key().to_string());
    assert!(json["private_key"].as_str().unwrap().starts_with("ed25519:"));
    let loaded = NodeKeys::load(&near, &x25519).unwrap();
    assert_eq!(loaded.public_key(), keys.public_key());
    assert_eq!(loaded.x25519_public(), keys.x25519_public());
    assert_eq!(loaded.account_id(), keys.account_id());
    let signature = loaded.sign(b"data");
    assert!(signature.verify(b"data", &keys.public_key()));
}

#[test]
fn saving_over_a_world_readable_file_tightens_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.json");
    fs::write(&path, "old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let keys = NodeKeys::generate("node.near".parse().unwrap());
    write_near_key_file(&path, keys.account_id(), &near_crypto::SecretKey::from_random(near_crypto::KeyType::ED25519))
        .unwrap();
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn secret_files_readable_by_others_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (near, x25519) = (dir.path().join("node.json"), dir.path().join("x25519.json"));
    NodeKeys::generate("node.near".parse().unwrap()).save(&near, &x25519).unwrap();
    for path in [&near, &x25519] {
        fs::set_permissions(path, fs::Permissions::from_mode(0o640)).unwrap();
    }
    assert!(matches!(read_near_key_file(&near), Err(KeyError::Permissions { mode: 0o640, .. })));
    assert!(matches!(read_x25519_key_file(&x25519), Err(KeyError::Permissions { .. })));
}

#[test]
fn key_files_whose_public_key_does_not_match_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (near, x25519) = (dir.path().join("node.json"), dir.path().join("x25519.json"));
    NodeKeys::generate("node.near".parse().unwrap()).save(&near, &x25519).unwrap();
    let other = NodeKeys::generate("other.near".parse().unwrap());

    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&near).unwrap()).unwrap();
    json["public_key"] = other.public_key().to_string().into();
    fs::write(&near, serde_json::to_vec(&json).unwrap()).unwrap();
    assert!(matches!(read_near_key_file(&near), Err(KeyError::Format { .. })));

    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&x25519).unwrap()).unwrap();
    json["public_key"] = hex::encode(other.x25519_public()).into();
    fs::write(&x25519, serde_json::to_vec(&json).unwrap()).unwrap();
    let err = read_x25519_key_file(&x25519).err().expect("mismatched X25519 key file is refused");
    assert!(err.to_string().contains("does not match"), "{err}");
}

#[test]
fn near_cli_credentials_are_read_with_or_without_an_account_field() {
    let dir = tempfile::tempdir().unwrap();
    let secret = near_crypto::SecretKey::from_random(near_crypto::KeyType::ED25519);
    let legacy = dir.path().join("legacy.json");
    let body = serde_json::json!({
        "account_id": "alice.testnet", "public_key": secret.public_key().to_string(), "private_key": secret.to_string()
    });
    fs::write(&legacy, body.to_string()).unwrap();
    let (account, key) = read_near_credentials(&legacy).unwrap();
    assert_eq!((account.as_str(), key.public_key()), ("alice.testnet", secret.public_key()));

    let cli_rs = dir.path().join("bob.testnet.json");
    let body = serde_json::json!({
        "seed_phrase_hd_path": "m/44'/397'/0'", "master_seed_phrase": "words", "implicit_account_id": "00ab",
        "public_key": secret.public_key().to_string(), "private_key": secret.to_string()
    });
    fs::write(&cli_rs, body.to_string()).unwrap();
    assert_eq!(read_near_credentials(&cli_rs).unwrap().0.as_str(), "bob.testnet");

    let wrong = dir.path().join("carol.testnet.json");
    let other = near_crypto::SecretKey::from_random(near_crypto::KeyType::ED25519);
    let body = serde_json::json!({ "public_key": other.public_key().to_string(), "private_key": secret.to_string() });
    fs::write(&wrong, body.to_string()).unwrap();
    assert!(matches!(read_near_credentials(&wrong), Err(KeyError::Format { .. })));
}

#[test]
fn signatures_are_near_cryptos_own_and_an_inconsistent_key_pair_is_refused() {
    let secret = near_crypto::SecretKey::from_random(near_crypto::KeyType::ED25519);
    let encryption = x25519_dalek::StaticSecret::random_from_rng(rand::rngs::OsRng);
    let keys = NodeKeys::from_parts("node.near".parse().unwrap(), secret.clone(), encryption.clone()).unwrap();
    for data in [&b""[..], b"receipt", &[7u8; 1000]] {
        assert_eq!(keys.sign(data), secret.sign(data), "byte for byte what near-crypto signs");
    }

    // A 64-byte NEAR secret key carries its public half: one that is not the secret's own is
    // refused when the keys are made, not when the first receipt is signed.
    let near_crypto::SecretKey::ED25519(pair) = &secret else { unreachable!() };
    let mut bytes = pair.0;
    bytes[63] ^= 1;
    let forged = near_crypto::SecretKey::ED25519(near_crypto::ED25519SecretKey(bytes));
    let err = NodeKeys::from_parts("node.near".parse().unwrap(), forged, encryption).err().unwrap();
    assert!(err.contains("does not match"), "{err}");
}
