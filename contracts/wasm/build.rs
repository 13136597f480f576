//! Builds the NEAR contracts (`redoubt-registry`, `redoubt-escrow`) for `wasm32-unknown-unknown` with the
//! `contract` profile, by running cargo on this workspace with its own target directory, and leaves each
//! `.wasm` and its SHA-256 in `OUT_DIR` for `src/lib.rs` to embed.
//!
//! The nested cargo must not inherit what the outer cargo sets for build scripts: `CARGO_ENCODED_RUSTFLAGS`
//! (which would override `.cargo/config.toml`'s `--cfg near -C link-arg=-s`), the outer target directory
//! (its lock is held by the outer build: sharing it deadlocks), profile and target overrides, or clippy's
//! workspace wrapper. The jobserver (`CARGO_MAKEFLAGS`) is kept, so the nested build shares the outer
//! build's job slots.

use sha2::{Digest, Sha256};
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "contract";
/// (package, artifact stem) of each contract.
const CONTRACTS: [(&str, &str); 2] = [("redoubt-registry", "redoubt_registry"), ("redoubt-escrow", "redoubt_escrow")];
/// Crates doing the SEV-SNP arithmetic (P-384 ECDSA, RSA-PSS, SHA-2): optimised for speed rather than size,
/// because NEAR gas counts wasm instructions. Measured in the NEAR VM: report verification 98.3 -> 91.8 Tgas,
/// VCEK chain 100.0 -> 98.1 Tgas, for 7 % more code.
const SPEED_CRITICAL: [&str; 8] =
    ["p384", "primeorder", "elliptic-curve", "crypto-bigint", "ecdsa", "rsa", "num-bigint-dig", "sha2"];
/// Sources the contracts are built from, relative to the workspace root.
const INPUTS: [&str; 7] = [
    "contracts/common",
    "contracts/registry",
    "contracts/escrow",
    "attestation/snp",
    "Cargo.toml",
    "Cargo.lock",
    ".cargo/config.toml",
];
/// Variables starting with `CARGO_` that the nested cargo keeps (registry access, jobserver, output).
const KEEP: [&str; 7] = [
    "CARGO_HOME",
    "CARGO_MAKEFLAGS",
    "CARGO_NET_",
    "CARGO_HTTP_",
    "CARGO_REGISTRIES_",
    "CARGO_REGISTRY_",
    "CARGO_TERM_",
];
/// Other variables the outer cargo sets for build scripts, or that would change the wasm build.
const DROP: [&str; 12] = [
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "TARGET",
    "HOST",
    "OUT_DIR",
    "OPT_LEVEL",
    "PROFILE",
    "DEBUG",
    "NUM_JOBS",
    "RUSTC_LINKER",
    "RUSTDOC",
];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.ancestors().nth(2).expect("contracts/wasm sits two levels below the workspace root");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for input in INPUTS {
        println!("cargo:rerun-if-changed={}", workspace.join(input).display());
    }
    require_wasm_target();

    let target_dir = wasm_target_dir(&out_dir);
    let mut cargo = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(workspace).args(["build", "--target", TARGET, "--profile", PROFILE, "--locked", "--target-dir"]);
    cargo.arg(&target_dir);
    for (package, _) in CONTRACTS {
        cargo.args(["-p", package]);
    }
    for package in SPEED_CRITICAL {
        cargo.args(["--config", &format!("profile.{PROFILE}.package.{package}.opt-level=3")]);
    }
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy();
        let cargo_internal = key.starts_with("CARGO_") && !KEEP.iter().any(|k| key.starts_with(k));
        if cargo_internal || key.starts_with("__CARGO") || DROP.contains(&key.as_ref()) {
            cargo.env_remove(key.as_ref());
        }
    }
    let status = cargo.status().expect("run cargo to build the NEAR contracts");
    assert!(status.success(), "building the NEAR contracts for {TARGET} failed (see the cargo output above)");

    for (_, stem) in CONTRACTS {
        let built = target_dir.join(TARGET).join(PROFILE).join(format!("{stem}.wasm"));
        let wasm = fs::read(&built).unwrap_or_else(|e| panic!("read {}: {e}", built.display()));
        fs::write(out_dir.join(format!("{stem}.wasm")), &wasm).expect("write the wasm to OUT_DIR");
        let sha256: [u8; 32] = Sha256::digest(&wasm).into();
        fs::write(out_dir.join(format!("{stem}.sha256.rs")), format!("{sha256:?}")).expect("write the hash to OUT_DIR");
    }
}

/// Panics with the fix when the wasm target's standard library is not installed.
fn require_wasm_target() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).args(["--print", "target-libdir", "--target", TARGET]).output();
    let libdir =
        output.ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let installed = libdir.is_some_and(|dir| {
        fs::read_dir(&dir).is_ok_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd")))
        })
    });
    assert!(
        installed,
        "the {TARGET} target is not installed, so the NEAR contracts cannot be built: run scripts/setup.sh \
         (rustup target add {TARGET})"
    );
}

/// `<outer target dir>/contracts-wasm`, found from `OUT_DIR` (`<target>/<profile>/build/<pkg>-<hash>/out`):
/// beside the outer build, shared by its profiles, cleaned by `cargo clean`, never the outer lock.
fn wasm_target_dir(out_dir: &Path) -> PathBuf {
    let build = out_dir.ancestors().nth(2);
    match (build, out_dir.ancestors().nth(4)) {
        (Some(build), Some(target)) if build.file_name().is_some_and(|n| n == "build") => target.join("contracts-wasm"),
        _ => out_dir.join("contracts-wasm"),
    }
}
