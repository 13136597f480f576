//! The artifacts against protocol version 88's rules, and proof that the harness enforces those rules: a
//! module importing a host function the protocol lacks, or using a wasm feature it rejects, fails.

use crate::chain::{Chain, id};
use near_parameters::RuntimeConfigStore;
use redoubt_contracts_wasm::{ESCROW_WASM, ESCROW_WASM_SHA256, REGISTRY_WASM, REGISTRY_WASM_SHA256};
use sha2::{Digest, Sha256};
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

/// The wasm features near-vm-runner 0.38 enables at protocol version 84 and later (its `features.rs`):
/// MVP floats and mutable globals, sign extension, saturating float-to-int, reference types, bulk memory.
/// Everything else (multi-value, SIMD, threads, tail calls, exceptions, memory64, ...) is off.
fn near_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
}

fn imports(wasm: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ImportSection(reader) = payload.unwrap() {
            for import in reader.into_imports() {
                let import = import.unwrap();
                out.push((import.module.to_string(), import.name.to_string()));
            }
        }
    }
    out
}

/// Runs `method` of a module deployed alone on a fresh chain at `pv`; returns the VM's error, if any.
fn run_module(wasm: &[u8], method: &str, pv: u32) -> Result<Vec<u8>, String> {
    let mut chain = Chain::at_protocol_version(pv);
    chain.create("module.near", 10u128.pow(25), Some(wasm));
    chain.call("caller.near", "module.near", method, serde_json::json!({}), 0).value
}

#[test]
fn artifacts_validate_with_only_the_features_protocol_88_enables() {
    for (name, wasm) in [("registry", REGISTRY_WASM), ("escrow", ESCROW_WASM)] {
        Validator::new_with_features(near_features())
            .validate_all(wasm)
            .unwrap_or_else(|e| panic!("{name} uses a wasm feature NEAR rejects: {e}"));
        let imports = imports(wasm);
        assert!(!imports.is_empty());
        assert!(imports.iter().all(|(module, _)| module == "env"), "{name} imports outside `env`: {imports:?}");
        let max = RuntimeConfigStore::new(None).get_config(88).wasm_config.limit_config.max_contract_size;
        assert!((wasm.len() as u64) < max, "{name} is {} bytes, above the {max}-byte limit", wasm.len());
    }
    assert_eq!(<[u8; 32]>::from(Sha256::digest(REGISTRY_WASM)), REGISTRY_WASM_SHA256);
    assert_eq!(<[u8; 32]>::from(Sha256::digest(ESCROW_WASM)), ESCROW_WASM_SHA256);
}

#[test]
fn the_validator_rejects_what_near_rejects() {
    let multi_value =
        wat::parse_str(r#"(module (func (export "f") (result i32 i32) i32.const 1 i32.const 2))"#).unwrap();
    let simd = wat::parse_str(r#"(module (func (export "f") (drop (v128.const i64x2 1 2))))"#).unwrap();
    for wasm in [multi_value, simd] {
        assert!(Validator::new_with_features(near_features()).validate_all(&wasm).is_err());
    }
}

#[test]
fn a_valid_module_runs_so_the_failures_below_are_not_the_harness() {
    let ok = wat::parse_str(
        r#"(module
             (import "env" "value_return" (func $value_return (param i64 i64)))
             (memory (export "memory") 1)
             (data (i32.const 0) "ok")
             (func (export "go") (call $value_return (i64.const 2) (i64.const 0))))"#,
    )
    .unwrap();
    assert_eq!(run_module(&ok, "go", 88), Ok(b"ok".to_vec()));
}

#[test]
fn a_module_importing_a_host_function_the_protocol_lacks_fails() {
    let unknown = wat::parse_str(
        r#"(module
             (import "env" "redoubt_no_such_host_function" (func (param i64)))
             (memory (export "memory") 1)
             (func (export "go")))"#,
    )
    .unwrap();
    let err = run_module(&unknown, "go", 88).unwrap_err();
    assert!(err.contains("LinkError"), "{err}");
}

#[test]
fn modules_using_features_protocol_88_rejects_fail() {
    let cases = [
        (
            "multi-value",
            r#"(module (memory (export "memory") 1) (func $f (result i32 i32) i32.const 1 i32.const 2) (func (export "go") (call $f) drop drop))"#,
        ),
        ("simd", r#"(module (memory (export "memory") 1) (func (export "go") (drop (v128.const i64x2 1 2))))"#),
        (
            "threads",
            r#"(module (memory (export "memory") 1 1 shared) (func (export "go") (drop (i32.atomic.load (i32.const 0)))))"#,
        ),
        ("tail calls", r#"(module (memory (export "memory") 1) (func $g) (func (export "go") (return_call $g)))"#),
    ];
    for (feature, text) in cases {
        let wasm = wat::parse_str(text).unwrap();
        let err = run_module(&wasm, "go", 88).expect_err(feature);
        assert!(err.contains("CompilationError") || err.contains("PrepareError"), "{feature}: {err}");
    }
}

#[test]
fn the_escrow_artifact_needs_protocol_88_host_functions() {
    // near-sdk 5.30 links host functions added in protocol versions 85 and 88: the same artifact that runs
    // at 88 fails to link at 84, so the harness really checks imports against the protocol version.
    let imports = imports(ESCROW_WASM);
    assert!(imports.iter().any(|(_, name)| name == "promise_batch_action_universal_state_init"), "{imports:?}");
    let mut old = Chain::at_protocol_version(84);
    old.create("escrow.near", 10u128.pow(26), Some(ESCROW_WASM));
    let args = serde_json::json!({ "owner": "owner.near", "registry": "registry.near" });
    let err = old.call("owner.near", "escrow.near", "new", args.clone(), 0).err();
    assert!(err.contains("LinkError"), "{err}");
    let mut current = Chain::new();
    current.create("escrow.near", 10u128.pow(26), Some(ESCROW_WASM));
    current.call("owner.near", "escrow.near", "new", args, 0).json();
    assert_eq!(current.view_json("escrow.near", "get_config", serde_json::json!({}))["owner"], "owner.near");
    let _ = id("owner.near");
}
