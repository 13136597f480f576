//! The verification commands as scripts call them, run as the real `redoubt` binary and attacked:
//! `attest verify-snp` on the real reports and on tampered reports, wrong chains and policies;
//! `receipt verify` on altered, re-signed and mis-proved receipts and mismatched evidence;
//! `attest show` with and without node keys.
//!
//! - `snp`: `attest verify-snp` on the real report sets in ../shared/testdata/snp.
//! - `receipts`: `receipt verify`.
//! - `show`: `attest show`.

mod receipts;
mod show;
mod snp;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

/// A finished `redoubt` process.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `redoubt ARGS` with no ambient node home or log filter.
fn redoubt(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_redoubt"))
        .args(args)
        .env_remove("REDOUBT_HOME")
        .env_remove("RUST_LOG")
        .output()
        .expect("running the redoubt binary");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

impl Run {
    /// Asserts the exit code, showing the output when it differs.
    fn exits(self, code: i32) -> Run {
        assert_eq!(self.code, Some(code), "exit code\n--- stdout\n{}--- stderr\n{}", self.stdout, self.stderr);
        self
    }

    /// Exit 1 with this rejection code in the `--json` verdict.
    fn rejects(self, code: &str) -> Value {
        let json = self.exits(1).json();
        assert_eq!(json["verified"], false, "{json:#}");
        assert_eq!(json["code"], code, "{json:#}");
        assert!(json["reason"].as_str().is_some_and(|r| !r.is_empty()), "{json:#}");
        json
    }

    /// Exit 0 and a verified `--json` verdict.
    fn verifies(self) -> Value {
        let json = self.exits(0).json();
        assert_eq!(json["verified"], true, "{json:#}");
        assert!(json.get("reason").is_none() && json.get("code").is_none(), "{json:#}");
        json
    }

    /// Exit 2 with one `error: ...` line on stderr mentioning `needle`.
    fn bad_input(self, needle: &str) {
        let run = self.exits(2);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "one line: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{needle:?} not in {}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }

    /// Stdout as the one JSON object it must be.
    fn json(&self) -> Value {
        let value: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout));
        assert!(value.is_object(), "{value}");
        value
    }
}

/// A path as a command-line argument.
fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Writes a file in `dir` and returns its path.
fn write(dir: &TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
