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

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{Run, redoubt};

impl Run {
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
