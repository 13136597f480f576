//! The compiled-component cache: a second run does not compile, and a bad
//! cache file is recompiled, never executed.

use crate::support::{config, output, package, run};
use redoubt_sandbox::{CacheSource, Sandbox, SandboxConfig};
use std::path::Path;

fn sandbox_at(dir: &Path) -> Sandbox {
    Sandbox::new(SandboxConfig { cache_dir: Some(dir.to_owned()), ..config() }).unwrap()
}

/// Loads echo in a fresh sandbox over `dir`, runs it, and says where the code came from.
async fn load_and_run_echo(dir: &Path) -> CacheSource {
    let sandbox = sandbox_at(dir);
    let agent = sandbox.load(package("echo")).unwrap();
    assert_eq!(output(&run(&sandbox, &agent, b"ok").await), b"ok");
    agent.cache_source().clone()
}

fn entry_path(dir: &Path) -> std::path::PathBuf {
    sandbox_at(dir).cache().entry_path(package("echo").code_hash()).unwrap()
}

#[tokio::test]
async fn a_second_load_is_served_without_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox_at(dir.path());
    let first = sandbox.load(package("echo")).unwrap();
    assert_eq!(*first.cache_source(), CacheSource::Compiled);
    let again = sandbox.load(package("echo")).unwrap();
    assert_eq!(*again.cache_source(), CacheSource::Memory);
    assert_eq!(sandbox.cache_stats().compiles, 1);

    // A new process (a new sandbox) reads the disk entry.
    let restarted = sandbox_at(dir.path());
    let agent = restarted.load(package("echo")).unwrap();
    assert_eq!(*agent.cache_source(), CacheSource::Disk);
    assert_eq!(restarted.cache_stats().compiles, 0);
    assert_eq!(output(&run(&restarted, &agent, b"from disk").await), b"from disk");
}

#[tokio::test]
async fn a_tampered_entry_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load_and_run_echo(dir.path()).await, CacheSource::Compiled);
    let path = entry_path(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    assert!(
        matches!(load_and_run_echo(dir.path()).await, CacheSource::Recompiled(reason) if reason.contains("authentication"))
    );
    // The recompiled entry replaced the bad one.
    assert_eq!(load_and_run_echo(dir.path()).await, CacheSource::Disk);
}

#[tokio::test]
async fn a_truncated_entry_is_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    load_and_run_echo(dir.path()).await;
    let path = entry_path(dir.path());
    let bytes = std::fs::read(&path).unwrap();
    for keep in [0, 10, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..keep]).unwrap();
        assert!(matches!(load_and_run_echo(dir.path()).await, CacheSource::Recompiled(_)), "kept {keep} bytes");
    }
}

#[tokio::test]
async fn a_foreign_entry_is_recompiled() {
    // An entry written by another cache (another key): valid wasmtime
    // artifact, wrong authentication.
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    load_and_run_echo(ours.path()).await;
    load_and_run_echo(theirs.path()).await;
    std::fs::copy(entry_path(theirs.path()), entry_path(ours.path())).unwrap();
    assert!(matches!(load_and_run_echo(ours.path()).await, CacheSource::Recompiled(_)));
}

#[tokio::test]
async fn an_entry_for_other_code_is_not_used() {
    // The word-stats entry renamed to echo's name: authentic, but for other code.
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox_at(dir.path());
    sandbox.load(package("word-stats")).unwrap();
    let word_stats = sandbox.cache().entry_path(package("word-stats").code_hash()).unwrap();
    std::fs::copy(word_stats, entry_path(dir.path())).unwrap();
    match load_and_run_echo(dir.path()).await {
        CacheSource::Recompiled(reason) => assert!(reason.contains("other code"), "{reason}"),
        other => panic!("expected a recompile, got {other:?}"),
    }
}
