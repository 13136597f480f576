//! The CLI driving a running node: install, submit and wait with progress,
//! list, fetch a receipt and verify it offline, read alerts, all with
//! `--json` for scripts and the documented exit codes.

use crate::support::{TestHome, redoubt, redoubt_with_stdin};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_drives_a_node_end_to_end() {
    let home = TestHome::new("[jobs]\nbatch_interval_ms = 50\n");
    let daemon = home.start();
    let node = |args: &[&str]| -> Vec<String> {
        args.iter()
            .map(|a| a.to_string())
            .chain(["--home", home.arg(), "--api", &daemon.base].map(String::from))
            .collect()
    };
    let run = |args: Vec<String>, stdin: Option<&[u8]>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        tokio::task::block_in_place(|| redoubt_with_stdin(&refs, stdin))
    };

    let installed = run(node(&["agent", "install", "builtin:word-stats", "--json"]), None).exits(0).json();
    assert_eq!(installed["name"], "word-stats");
    let listed = run(node(&["agent", "list"]), None).exits(0);
    assert!(listed.stdout.contains("word-stats"));

    let submitted =
        run(node(&["job", "submit", "word-stats", "--input", "-", "--wait"]), Some(b"to be or not to be")).exits(0);
    let stats: Value = serde_json::from_str(&submitted.stdout).expect("the output is word-stats JSON");
    assert_eq!(stats["words"], 6);
    assert!(submitted.stderr.contains("succeeded"), "{}", submitted.stderr);

    let json =
        run(node(&["job", "submit", "word-stats", "--input", "-", "--wait", "--json"]), Some(b"a b")).exits(0).json();
    assert_eq!(json["state"], "succeeded");
    let id = json["id"].as_u64().unwrap().to_string();
    let jobs: Value = serde_json::from_str(&run(node(&["job", "list", "--json"]), None).exits(0).stdout).unwrap();
    assert_eq!(jobs.as_array().unwrap().len(), 2);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let mut receipt = run(node(&["job", "receipt", &id, "--out", out, "--json"]), None).exits(0).json();
    for _ in 0..100 {
        if !receipt["proof"].is_null() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        receipt = run(node(&["job", "receipt", &id, "--out", out, "--json"]), None).exits(0).json();
    }
    let files = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let verify = [
        "receipt",
        "verify",
        &files("receipt.json"),
        "--proof",
        &files("proof.json"),
        "--evidence",
        &files("evidence.json"),
    ];
    tokio::task::block_in_place(|| redoubt(&[&verify[..], &["--allow-dev"]].concat())).exits(0);
    tokio::task::block_in_place(|| redoubt(&verify)).exits(1);

    let missing = run(node(&["job", "get", "4242"]), None).exits(1);
    assert!(missing.stderr.contains("no job 4242"), "{}", missing.stderr);
    let unknown = run(node(&["job", "submit", "nobody", "--wait"]), None).exits(1);
    assert!(unknown.stderr.contains("no agent named"), "{}", unknown.stderr);
    run(node(&["job", "submit", "word-stats", "--input", "/no/such/file"]), None).exits(2);
    let alerts = run(node(&["alerts", "--json"]), None).exits(0);
    assert_eq!(alerts.stdout, "", "this session blocked nothing, so it raised no alert");
}

#[test]
fn init_takes_the_node_key_from_near_cli_credentials() {
    let credentials = tempfile::tempdir().unwrap();
    let key = near_crypto::SecretKey::from_random(near_crypto::KeyType::ED25519);
    std::fs::create_dir_all(credentials.path().join("testnet")).unwrap();
    let file = serde_json::json!({
        "account_id": "alice.testnet",
        "public_key": key.public_key().to_string(),
        "private_key": key.to_string(),
    });
    let path = credentials.path().join("testnet/alice.testnet.json");
    std::fs::write(&path, file.to_string()).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let dirs = credentials.path().to_str().unwrap();

    let home = tempfile::tempdir().unwrap();
    let args = ["init", "--home", home.path().to_str().unwrap(), "--credentials-dir", dirs, "--json"];
    let made =
        redoubt(&[&args[..], &["--near-account", "alice.testnet", "--network", "testnet"]].concat()).exits(0).json();
    assert_eq!(made["account_id"], "alice.testnet");
    assert_eq!(made["public_key"], key.public_key().to_string());
    assert!(made["vault_insecure"].as_bool().unwrap(), "off hardware the vault key file is labelled insecure");

    // A second init on the same home refuses to touch it; an unknown account is an error.
    redoubt(&[&args[..], &["--near-account", "alice.testnet", "--network", "testnet"]].concat()).exits(1);
    let other = tempfile::tempdir().unwrap();
    let failed = redoubt(&[
        "init",
        "--home",
        other.path().to_str().unwrap(),
        "--credentials-dir",
        dirs,
        "--near-account",
        "bob.testnet",
        "--network",
        "testnet",
    ])
    .exits(1);
    assert!(failed.stderr.contains("bob.testnet"), "{}", failed.stderr);
    redoubt(&["init", "--near-account", "alice.testnet"]).exits(2);
}
