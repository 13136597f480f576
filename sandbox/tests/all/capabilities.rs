//! Admission: an agent gets only what its manifest declares and the operator allows.

use crate::support::{load, load_error, output, package, package_with_manifest, run, sandbox, sandbox_with};
use redoubt_sandbox::{LimitKind, LoadError};
use serde_json::Value;

#[test]
fn an_import_outside_the_world_is_refused_at_load() {
    let error = load_error(&sandbox(), package("undeclared-import"));
    match &error {
        LoadError::UnknownImport { import } => assert!(import.starts_with("evil:"), "{import}"),
        other => panic!("expected UnknownImport, got {other:?}"),
    }
    assert!(error.to_string().contains("does not offer"), "{error}");
}

#[test]
fn a_host_interface_the_manifest_does_not_unlock_is_refused_at_load() {
    let manifest = "name = \"kv-counter\"\nversion = \"0.1.0\"\n";
    let error = load_error(&sandbox(), package_with_manifest("kv-counter", manifest));
    match error {
        LoadError::UndeclaredImport { import, capability } => {
            assert!(import.starts_with("redoubt:agent/kv"), "{import}");
            assert_eq!(capability, "capabilities.kv");
        }
        other => panic!("expected UndeclaredImport, got {other:?}"),
    }
}

#[test]
fn a_manifest_asking_above_the_operators_caps_is_refused_at_install() {
    let manifest = "name = \"echo\"\nversion = \"0.1.0\"\n[limits]\nmemory_bytes = 4294967296\n";
    match load_error(&sandbox(), package_with_manifest("echo", manifest)) {
        LoadError::LimitAboveCap(above) => assert_eq!(above.kind, LimitKind::Memory),
        other => panic!("expected LimitAboveCap, got {other:?}"),
    }
}

#[test]
fn an_oversize_component_is_refused_before_compiling() {
    let sandbox = sandbox();
    match load_error(&sandbox, package("oversize")) {
        LoadError::ComponentTooLarge { bytes, limit } => assert!(bytes > limit),
        other => panic!("expected ComponentTooLarge, got {other:?}"),
    }
    assert_eq!(sandbox.cache_stats().compiles, 0, "nothing was compiled");
}

#[test]
fn garbage_bytes_are_not_a_component() {
    let package =
        redoubt_sandbox::AgentPackage::from_parts("name = \"x\"\nversion = \"0.1.0\"", vec![0u8; 64]).unwrap();
    assert!(matches!(load_error(&sandbox(), package), LoadError::InvalidComponent(_)));
}

#[tokio::test]
async fn wasi_grants_nothing_by_default() {
    let sandbox = sandbox();
    let probe = load(&sandbox, "wasi-probe");
    let first: Value = serde_json::from_slice(output(&run(&sandbox, &probe, b"").await)).unwrap();
    assert_eq!(first["env_vars"]["ok"], serde_json::json!([]), "no environment");
    assert!(first["args"]["ok"].as_array().unwrap().len() <= 1, "no arguments: {}", first["args"]);
    for denied in ["read_dir_root", "read_dir_cwd", "read_etc_passwd", "write_file", "tcp_connect", "udp_bind"] {
        assert!(first[denied].get("err").is_some(), "{denied} was granted: {}", first[denied]);
    }
    assert_eq!(first["stdin"]["ok"], "", "stdin is empty");
    assert_eq!(first["wall_clock_nanos"]["ok"], 0, "the wall clock is frozen");
    assert_eq!(first["monotonic_elapsed_nanos"]["ok"], 0, "the monotonic clock is frozen");

    // Randomness is a fixed sequence: the same in every job.
    let second: Value = serde_json::from_slice(output(&run(&sandbox, &probe, b"").await)).unwrap();
    assert_eq!(first["random_hex"], second["random_hex"], "randomness is deterministic without the capability");
}

#[tokio::test]
async fn clock_and_randomness_are_real_when_the_manifest_asks() {
    let manifest = "name = \"wasi-probe\"\nversion = \"0.1.0\"\n[capabilities]\nclock = true\nrandom = true\n";
    let sandbox = sandbox_with(|_| {});
    let probe = sandbox.load(package_with_manifest("wasi-probe", manifest)).unwrap();
    let first: Value = serde_json::from_slice(output(&run(&sandbox, &probe, b"").await)).unwrap();
    let second: Value = serde_json::from_slice(output(&run(&sandbox, &probe, b"").await)).unwrap();
    assert!(first["wall_clock_nanos"]["ok"].as_u64().unwrap() > 1_600_000_000_000_000_000);
    assert_ne!(first["random_hex"], second["random_hex"]);
    // Files and sockets stay closed whatever the manifest says.
    assert!(first["read_etc_passwd"].get("err").is_some());
    assert!(first["tcp_connect"].get("err").is_some());
}
