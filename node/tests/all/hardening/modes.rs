//! Everything under a node's home is its user's alone: the home and every
//! directory in it 0700, every file 0600 (the database holds job inputs in
//! clear), whatever the umask; a home others can read is repaired at start,
//! with a warning naming each repair.

use crate::support::{TestHome, redoubt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Every path under `root` (itself included) that is not owner-only as the node keeps it, with its mode.
fn shared(root: &Path) -> Vec<(PathBuf, u32)> {
    let mut wrong = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode() & 0o7777;
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        if mode != want {
            wrong.push((path.clone(), mode));
        }
        if meta.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
        }
    }
    wrong
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_start_and_a_job_leave_only_owner_only_files() {
    let home = TestHome::new("");
    assert_eq!(shared(home.path()), [], "after init");
    let daemon = home.start();
    let client = daemon.client();
    client.install("echo", None).await;
    client.run("echo", "inputs in clear").await;
    for made in ["node.redb", "cache/components"] {
        assert!(home.path().join(made).exists(), "{made} was made");
    }
    let cached = std::fs::read_dir(home.path().join("cache/components")).unwrap().count();
    assert!(cached >= 2, "the cache holds its key and the compiled agent ({cached} entries)");
    assert_eq!(shared(home.path()), [], "after a job");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_home_others_can_read_is_repaired_at_start_with_a_warning() {
    let home = TestHome::new("");
    let config = home.path().join("config.toml");
    std::fs::set_permissions(home.path(), PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&config, PermissionsExt::from_mode(0o644)).unwrap();
    let log = tempfile::NamedTempFile::new().unwrap();
    let daemon = home.start_logged_to(log.path());
    assert_eq!(shared(home.path()), [], "repaired at start");
    let warnings = std::fs::read_to_string(log.path()).unwrap();
    for path in [home.path(), &config] {
        let line = warnings.lines().find(|line| line.contains(&format!("path={} ", path.display())));
        let line = line.unwrap_or_else(|| panic!("no warning for {}:\n{warnings}", path.display()));
        assert!(line.contains("WARN") && line.contains("repaired"), "{line}");
    }
    drop(daemon);
}

#[test]
fn init_makes_an_existing_shared_directory_private() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("home");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, PermissionsExt::from_mode(0o755)).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(&config, "[api]\nlisten = \"127.0.0.1:0\"\n").unwrap();
    std::fs::set_permissions(&config, PermissionsExt::from_mode(0o644)).unwrap();
    let run = redoubt(&["init", "--home", dir.to_str().unwrap(), "--json"]).exits(0);
    assert_eq!(shared(&dir), [], "init repaired the home");
    assert!(run.stderr.contains("repaired"), "init warns of each repair: {}", run.stderr);
}
