//! A writer killed with SIGKILL at random moments never leaves a corrupt vault: the file always
//! opens, fully verified, in a complete old or new state, and leftover temporary files are neither
//! read nor kept.
//!
//! The writer is this test binary re-executed with `REDOUBT_VAULT_CRASH_WRITER` set, running only
//! `crash::writer_helper`, which adds, rotates and removes secrets in a loop until killed.

use crate::support::*;
use rand::Rng;
use redoubt_vault::{MasterKey, Vault};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENV: &str = "REDOUBT_VAULT_CRASH_WRITER";
const KEEP: u64 = 12;

/// Value of secret `i` at version `v` (0 = as added, 1 = rotated).
fn versioned(i: u64, v: u8) -> String {
    format!("crash-secret-{i:06}-version-{v}-{}", "x".repeat((i % 40) as usize))
}

/// The loop the killed child runs (ignored in normal runs; the crash test runs it with `--ignored`).
#[test]
#[ignore = "helper: run in a child process by sigkilled_writer_never_corrupts_the_vault"]
fn writer_helper() {
    let dir = std::env::var(ENV).expect("run only by sigkilled_writer_never_corrupts_the_vault");
    let dir = Path::new(&dir);
    let key = MasterKey::from_key_file(dir.join("master.key")).unwrap();
    let mut vault = Vault::open(dir.join("vault.json"), key).unwrap();
    let start =
        vault.list().iter().filter_map(|s| s.name.strip_prefix('s')?.parse::<u64>().ok()).max().map_or(0, |m| m + 1);
    for i in start.. {
        let name = format!("s{i}");
        vault.add(&name, value(&versioned(i, 0)), bearer_policy()).unwrap();
        vault.rotate(&name, value(&versioned(i, 1))).unwrap();
        if i >= KEEP && vault.list().iter().any(|s| s.name == format!("s{}", i - KEEP)) {
            vault.remove(&format!("s{}", i - KEEP)).unwrap();
        }
    }
}

fn generation(path: &Path) -> u64 {
    // Read as an outsider would; a partially written file would fail here too.
    read_json(path)["generation"].as_u64().unwrap()
}

/// Opens the vault and checks every secret is internally consistent: its value is the version its
/// metadata says (rotated_at set <=> version 1), so no half-applied write exists.
fn check_consistent(dir: &Path) {
    let key = MasterKey::from_key_file(dir.join("master.key")).unwrap();
    let mut vault = Vault::open(dir.join("vault.json"), key).expect("the vault must always open after a crash");
    let secrets = vault.list();
    for info in &secrets {
        if info.name == "seed" {
            continue;
        }
        let i: u64 = info.name[1..].parse().unwrap();
        let version = u8::from(info.rotated_at.is_some());
        let got = granted_bearer(&mut vault, &info.name, 0).expect("granted");
        assert_eq!(got, versioned(i, version).as_bytes(), "secret {} is not in a complete state", info.name);
    }
    assert!(secrets.iter().any(|s| s.name == "seed"), "the secret written before the crashes is kept");
}

#[test]
fn sigkilled_writer_never_corrupts_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let key = MasterKey::create_key_file(dir.path().join("master.key")).unwrap();
    let mut vault = Vault::create(&path, key).unwrap();
    vault.add("seed", value("seed-secret-value"), bearer_policy()).unwrap();
    drop(vault);

    let exe = std::env::current_exe().unwrap();
    let mut rng = rand::thread_rng();
    let mut temps_seen = 0;
    let kills = 12;
    for round in 0..kills {
        let before = generation(&path);
        let mut child = Command::new(&exe)
            .args(["--ignored", "--exact", "crash::writer_helper", "--nocapture", "--test-threads=1"])
            .env(ENV, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Let it get into its write loop, then kill it at a random moment.
        let deadline = Instant::now() + Duration::from_secs(60);
        while generation(&path) == before {
            assert!(Instant::now() < deadline, "the writer never wrote");
            assert!(child.try_wait().unwrap().is_none(), "the writer exited early");
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_micros(rng.gen_range(0..40_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        temps_seen += std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".vault.json.tmp-"))
            .count();
        let after = generation(&path);
        assert!(after > before, "round {round}: generation went from {before} to {after}");
        check_consistent(dir.path());
    }
    eprintln!("{kills} kills; temporary files left behind by killed writers: {temps_seen}");

    // The next write clears any leftover temporary file; the vault stays whole.
    let key = MasterKey::from_key_file(dir.path().join("master.key")).unwrap();
    let mut vault = Vault::open(&path, key).unwrap();
    vault.add("after", value("after-crash-value"), bearer_policy()).unwrap();
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
}

#[test]
fn a_leftover_temp_file_is_never_mistaken_for_the_vault() {
    let (dir, path) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    v.add("tok", value("tok-secret-value"), bearer_policy()).unwrap();
    let good = std::fs::read(&path).unwrap();
    // A half-written temp file, as a killed writer leaves it, newer than the vault.
    let temp = dir.path().join(".vault.json.tmp-99999-0011223344556677");
    std::fs::write(&temp, &good[..good.len() / 3]).unwrap();
    let mut reopened = Vault::open(&path, sealed_key()).unwrap();
    assert_eq!(granted_bearer(&mut reopened, "tok", 0).unwrap(), b"tok-secret-value");
    reopened.flush_uses().unwrap();
    assert!(!temp.exists(), "removed by the next write");
}
