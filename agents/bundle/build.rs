//! Builds the guest agents and writes `$OUT_DIR/agents.rs`, the table lib.rs includes.
//!
//! Each directory under `agents/examples/` and `agents/hostile/` with a
//! `manifest.toml` is one agent: a crate of the guest workspace (`agents/`),
//! built here for wasm32-wasip2 with the workspace's own lock file and target
//! directory (`agents/target`), or a component written as WAT (`agent.wat`),
//! assembled here.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const GUEST_TARGET: &str = "wasm32-wasip2";

/// Variables the outer cargo sets for build scripts that would change how the
/// inner build compiles (flags meant for the host, clippy as a wrapper).
const HOST_BUILD_VARIABLES: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
];

struct Agent {
    name: String,
    kind: &'static str,
    manifest: PathBuf,
    component: PathBuf,
}

fn main() {
    let bundle = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let guests = bundle.parent().expect("agents/bundle has a parent").to_owned();
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for watched in ["sdk", "examples", "hostile", "Cargo.toml", "Cargo.lock", ".cargo", "../sandbox/wit"] {
        println!("cargo:rerun-if-changed={}", guests.join(watched).display());
    }

    let target_dir = guests.join("target");
    build_guest_workspace(&guests, &target_dir);
    let built = target_dir.join(GUEST_TARGET).join("release");

    let mut agents = Vec::new();
    for (group, kind) in [("examples", "Example"), ("hostile", "Hostile")] {
        for dir in agent_dirs(&guests.join(group)) {
            let name = dir.file_name().expect("a directory has a name").to_string_lossy().into_owned();
            let component = out.join(format!("{name}.wasm"));
            let wat = dir.join("agent.wat");
            if wat.exists() {
                let bytes = wat::parse_file(&wat).unwrap_or_else(|e| panic!("assembling {}: {e}", wat.display()));
                fs::write(&component, bytes).expect("writing to OUT_DIR");
            } else {
                let wasm = built.join(format!("{}.wasm", name.replace('-', "_")));
                fs::copy(&wasm, &component).unwrap_or_else(|e| panic!("copying {}: {e}", wasm.display()));
            }
            agents.push(Agent { name, kind, manifest: dir.join("manifest.toml"), component });
        }
    }
    fs::write(out.join("agents.rs"), table(&agents)).expect("writing to OUT_DIR");
}

/// Runs cargo on the guest workspace, or stops the build with the reason.
fn build_guest_workspace(guests: &Path, target_dir: &Path) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(guests).args(["build", "--release", "--locked", "--target", GUEST_TARGET]);
    command.arg("--target-dir").arg(target_dir);
    for variable in HOST_BUILD_VARIABLES {
        command.env_remove(variable);
    }
    let status = command.status().unwrap_or_else(|e| panic!("cannot run cargo for the guest agents: {e}"));
    if !status.success() {
        panic!(
            "building the guest agents (agents/) for {GUEST_TARGET} failed; \
             if the target is missing, run scripts/setup.sh (rustup target add {GUEST_TARGET})"
        );
    }
}

/// The agent directories (those holding a manifest) under `group`, by name.
fn agent_dirs(group: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(group).unwrap_or_else(|e| panic!("reading {}: {e}", group.display()));
    let mut dirs: Vec<PathBuf> = entries
        .map(|entry| entry.expect("listing agents").path())
        .filter(|p| p.join("manifest.toml").exists())
        .collect();
    dirs.sort();
    dirs
}

fn table(agents: &[Agent]) -> String {
    let mut code = String::from("/// Every embedded agent.\nstatic ALL: &[BuiltAgent] = &[\n");
    for agent in agents {
        code.push_str(&format!(
            "    BuiltAgent {{ name: {:?}, kind: AgentKind::{}, manifest: include_str!({:?}), component: include_bytes!({:?}) }},\n",
            agent.name,
            agent.kind,
            agent.manifest.display().to_string(),
            agent.component.display().to_string(),
        ));
    }
    code.push_str("];\n");
    code
}
