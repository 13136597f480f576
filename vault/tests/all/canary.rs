//! Canary: after a full add / rotate / set-policy / grant / remove cycle, no file in the vault's
//! directory holds any value ever stored, raw or in any encoding.

use crate::leak_encodings::independent_encodings;
use crate::support::*;
use redoubt_vault::{Injection, LeakDetector, MasterKey, Vault};

#[test]
fn no_value_or_encoding_of_it_is_found_in_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let key = MasterKey::create_key_file(dir.path().join("master.key")).unwrap();
    let values = [
        "canary-A-?>~sk-live-0001", // bytes that give '+' and '/' in base64
        "canary-A-rotated-0002\u{fffd}",
        "canary-B-bearer-token-0003",
        "canary-B-rotated again 0004",
        "canary-C-removed-later-0005",
    ];
    let mut v = Vault::create(&path, key).unwrap();
    v.add("a", value(values[0]), bearer_policy()).unwrap();
    v.add("b", value(values[2]), policy(&["api.example.com"], &["name:bot"], Injection::Query { param: "k".into() }))
        .unwrap();
    v.add("c", value(values[4]), policy(&["*.example.org"], &["name:bot"], Injection::Basic { username: "u".into() }))
        .unwrap();
    v.rotate("a", value(values[1])).unwrap();
    v.rotate("b", value(values[3])).unwrap();
    v.set_policy("a", policy(&["api.example.com", "*.example.net"], &["name:bot"], Injection::Bearer)).unwrap();
    assert!(granted_bearer(&mut v, "a", 0).is_some());
    v.remove("c").unwrap();
    drop(v);
    Vault::open(&path, MasterKey::from_key_file(dir.path().join("master.key")).unwrap()).unwrap();

    let secrets: Vec<(String, &[u8])> =
        values.iter().enumerate().map(|(i, v)| (format!("v{i}"), v.as_bytes())).collect();
    let detector = LeakDetector::new(secrets.iter().map(|(n, v)| (n.as_str(), *v))).unwrap();
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let file = entry.unwrap().path();
        let bytes = std::fs::read(&file).unwrap();
        files += 1;
        for value in values {
            for (encoding, needle) in independent_encodings(value.as_bytes()) {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                    "{} contains a stored value as {encoding}",
                    file.display()
                );
            }
        }
        assert_eq!(detector.scan(&bytes), None, "{}", file.display());
    }
    assert!(files >= 3, "vault, lock and key files were scanned");
}
