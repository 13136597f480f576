//! Master keys: wrong key, wrong passphrase, wrong mode, weak key files; the mode is recorded and
//! shown.

use crate::support::*;
use redoubt_vault::{KeyMode, MasterKey, Vault, VaultError};
use std::os::unix::fs::PermissionsExt;

#[test]
fn a_wrong_sealing_key_is_refused_before_any_secret_is_read() {
    let (_d, path) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    v.add("alpha", value("alpha-secret-value"), bearer_policy()).unwrap();
    let mut other = [0x42; 32];
    other[31] ^= 1;
    let err = Vault::open(&path, MasterKey::from_sealing_key(other)).unwrap_err();
    assert!(matches!(err, VaultError::WrongKey), "{err}");
    // Even with every secret's ciphertext destroyed, a wrong key is reported as such: the key check
    // comes first.
    let mut json = read_json(&path);
    entry(&mut json, "alpha")["ciphertext"] = "AAAA".into();
    write_json(&path, &json);
    assert!(matches!(Vault::open(&path, MasterKey::from_sealing_key(other)), Err(VaultError::WrongKey)));
}

#[test]
fn key_files_are_private_exact_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("master.key");
    let key = MasterKey::create_key_file(&key_path).unwrap();
    assert_eq!(key.mode(), KeyMode::KeyFile);
    let meta = std::fs::metadata(&key_path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.len(), 32);
    let before = std::fs::read(&key_path).unwrap();
    assert!(matches!(MasterKey::create_key_file(&key_path), Err(VaultError::KeyFileExists(_))));
    assert_eq!(std::fs::read(&key_path).unwrap(), before);

    let vault_path = dir.path().join("vault.json");
    Vault::create(&vault_path, key).unwrap();
    Vault::open(&vault_path, MasterKey::from_key_file(&key_path).unwrap()).unwrap();

    for mode in [0o644, 0o640, 0o604, 0o660, 0o606] {
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(mode)).unwrap();
        let err = MasterKey::from_key_file(&key_path).unwrap_err();
        assert!(matches!(err, VaultError::KeyFilePermissions { mode: m, .. } if m == mode), "{mode:o}: {err}");
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o400)).unwrap();
    MasterKey::from_key_file(&key_path).unwrap();

    for len in [0usize, 31, 33, 64] {
        let p = dir.path().join(format!("short-{len}.key"));
        std::fs::write(&p, vec![1u8; len]).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = MasterKey::from_key_file(&p).unwrap_err();
        assert!(matches!(err, VaultError::KeyFileLength { len: l, .. } if l == len as u64), "{len}: {err}");
    }
    assert!(matches!(MasterKey::from_key_file(dir.path()), Err(VaultError::KeyFileLength { .. })));
}

#[test]
fn a_different_key_file_is_the_wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let k1 = dir.path().join("one.key");
    let k2 = dir.path().join("two.key");
    let vault_path = dir.path().join("vault.json");
    Vault::create(&vault_path, MasterKey::create_key_file(&k1).unwrap()).unwrap();
    MasterKey::create_key_file(&k2).unwrap();
    let err = Vault::open(&vault_path, MasterKey::from_key_file(&k2).unwrap()).unwrap_err();
    assert!(matches!(err, VaultError::WrongKey), "{err}");
}

#[test]
fn passphrase_vaults_refuse_a_wrong_passphrase() {
    let (_d, path) = vault_path();
    let key = MasterKey::from_passphrase_with_params(b"correct horse battery staple", FAST).unwrap();
    let mut v = Vault::create(&path, &key).unwrap();
    assert_eq!(v.key_mode(), KeyMode::Passphrase);
    v.add("alpha", value("alpha-secret-value"), bearer_policy()).unwrap();
    let json = read_json(&path);
    assert_eq!(json["kdf"]["algorithm"], "argon2id");
    assert_eq!(json["kdf"]["memory_kib"], 64);
    assert_eq!(json["kdf"]["salt"].as_str().unwrap().len(), 32);

    let mut reopened = Vault::open(&path, &key).unwrap();
    assert_eq!(granted_bearer(&mut reopened, "alpha", 0).unwrap(), b"alpha-secret-value");
    for wrong in [&b"correct horse battery stapl"[..], b"Correct horse battery staple", b"x"] {
        let key = MasterKey::from_passphrase_with_params(wrong, FAST).unwrap();
        assert!(matches!(Vault::open(&path, key), Err(VaultError::WrongKey)));
    }
}

#[test]
fn passphrase_salts_differ_per_vault() {
    let (_d, p1) = vault_path();
    let (_e, p2) = vault_path();
    let key = MasterKey::from_passphrase_with_params(b"same passphrase", FAST).unwrap();
    Vault::create(&p1, &key).unwrap();
    Vault::create(&p2, &key).unwrap();
    let (j1, j2) = (read_json(&p1), read_json(&p2));
    assert_ne!(j1["kdf"]["salt"], j2["kdf"]["salt"]);
    assert_ne!(j1["key_check"], j2["key_check"]);
}

#[test]
fn weakened_or_hostile_kdf_parameters_are_refused() {
    let (_d, path) = vault_path();
    let key = MasterKey::from_passphrase_with_params(b"a passphrase", FAST).unwrap();
    Vault::create(&path, &key).unwrap();
    // A caller that demands the recommended cost refuses this cheap test vault.
    let strict = MasterKey::from_passphrase(b"a passphrase").unwrap();
    assert!(matches!(Vault::open(&path, strict), Err(VaultError::KdfParams(_))));
    // A file asking for 4 GiB of memory is refused before Argon2 runs.
    let mut json = read_json(&path);
    json["kdf"]["memory_kib"] = (4u64 * 1024 * 1024).into();
    write_json(&path, &json);
    let err = Vault::open(&path, &key).unwrap_err();
    assert!(matches!(err, VaultError::KdfParams(_)), "{err}");
    // Lowering the cost in the file to speed up guessing does not open it either.
    let mut json = read_json(&path);
    json["kdf"]["memory_kib"] = 64.into();
    json["kdf"]["iterations"] = 1.into();
    json["kdf"]["salt"] = "00".repeat(16).into();
    write_json(&path, &json);
    assert!(matches!(Vault::open(&path, &key), Err(VaultError::WrongKey)));
}

#[test]
fn a_key_of_another_mode_is_refused_even_with_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("k");
    std::fs::write(&key_path, [0x42u8; 32]).unwrap();
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (_d, path) = vault_path();
    Vault::create(&path, sealed_key()).unwrap();
    let err = Vault::open(&path, MasterKey::from_key_file(&key_path).unwrap()).unwrap_err();
    assert!(matches!(err, VaultError::KeyModeMismatch { vault: KeyMode::SevSealed, key: KeyMode::KeyFile }), "{err}");
    assert!(err.to_string().contains("INSECURE"), "the message labels the insecure mode: {err}");
    let pass = MasterKey::from_passphrase_with_params(b"pw", FAST).unwrap();
    assert!(matches!(Vault::open(&path, pass), Err(VaultError::KeyModeMismatch { .. })));
    // Relabelling the file's mode to match the attacker's key does not help: the mode is bound.
    let mut json = read_json(&path);
    json["key_mode"] = "key-file".into();
    write_json(&path, &json);
    let err = Vault::open(&path, MasterKey::from_key_file(&key_path).unwrap()).unwrap_err();
    assert!(matches!(err, VaultError::WrongKey), "{err}");
}

#[test]
fn the_recorded_mode_is_shown_and_labelled() {
    let (_d, path) = vault_path();
    let v = Vault::create(&path, sealed_key()).unwrap();
    assert_eq!(v.key_mode(), KeyMode::SevSealed);
    assert!(!v.key_mode().is_insecure());
    assert_eq!(read_json(&path)["key_mode"], "sev-sealed");
    let (_e, path) = vault_path();
    let v = Vault::create(&path, MasterKey::from_passphrase_with_params(b"pw", FAST).unwrap()).unwrap();
    assert!(v.key_mode().is_insecure());
    assert_eq!(v.key_mode().label(), "passphrase (INSECURE: not bound to an enclave)");
    assert_eq!(read_json(&path)["key_mode"], "passphrase");
}
