//! What every command that talks to a node shares: where the node is, how to
//! print, and how outcomes become exit codes (0 success, 1 a refused or
//! failed operation, 2 bad usage or unreadable input).

use crate::client::ApiClient;
use crate::home::Home;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options shared by the commands that use a node.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// The node's home directory (default: $REDOUBT_HOME, else the XDG directories).
    #[arg(long, env = "REDOUBT_HOME")]
    pub home: Option<PathBuf>,
    /// The node's API URL (default: http:// + api.listen from the node's config).
    #[arg(long)]
    pub api: Option<String>,
    /// Print JSON, for scripts.
    #[arg(long)]
    pub json: bool,
}

impl Common {
    /// The node's home.
    pub fn home(&self) -> Home {
        Home::resolve(self.home.clone())
    }

    /// A client for the node's API.
    pub fn client(&self) -> anyhow::Result<ApiClient> {
        ApiClient::for_home(&self.home(), self.api.clone())
    }

    /// Prints `value` as JSON, or `human` otherwise.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value).expect("output serializes"));
        } else {
            let text = human(value);
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
    }
}

/// A mistake in how the command was called, or input that cannot be read (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Turns a command's outcome into an exit code, printing the error: 2 for a
/// [`UsageError`], 1 for any other failure.
pub fn exit(result: anyhow::Result<ExitCode>) -> ExitCode {
    exit_or(result, 1)
}

/// Like [`exit`], but unclassified errors exit with `code` (the verification
/// commands report every unusable input as 2; a rejection is a verdict, not an error).
pub fn exit_or(result: anyhow::Result<ExitCode>, code: u8) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error.downcast_ref::<UsageError>().is_some() { ExitCode::from(2) } else { ExitCode::from(code) }
        }
    }
}

/// 0 when verified, 1 when rejected.
pub fn verdict_code(verified: bool) -> ExitCode {
    if verified { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// The current time in seconds since the Unix epoch, for certificate validity.
pub fn now_unix() -> anyhow::Result<u64> {
    use anyhow::Context;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Ok(now.context("the system clock is before 1970")?.as_secs())
}

/// Reads a file, naming it and its role in any error.
pub fn read_file(path: &std::path::Path, what: &str) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    std::fs::read(path).with_context(|| format!("reading the {what} file {}", path.display()))
}

/// Prints a value as one (pretty) JSON object.
pub fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Reads a file, or standard input for `-`.
pub fn read_input(spec: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    if spec == "-" {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input).map_err(|e| UsageError(format!("reading standard input: {e}")))?;
        return Ok(input);
    }
    std::fs::read(spec).map_err(|e| UsageError(format!("reading {spec}: {e}")).into())
}

/// Runs a future on a new multi-threaded runtime.
pub fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime").block_on(future)
}
