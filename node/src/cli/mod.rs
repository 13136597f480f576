//! The command line: one module per command group.

mod agent;
mod attest;
mod receipt;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Redoubt: a node that runs untrusted agents in a sandbox, inside a TEE.
#[derive(Debug, Parser)]
#[command(name = "redoubt", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The command groups.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run and inspect agents.
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// This node's attestation evidence, and offline SEV-SNP verification.
    #[command(subcommand)]
    Attest(attest::AttestCommand),
    /// Verify signed execution receipts.
    #[command(subcommand)]
    Receipt(receipt::ReceiptCommand),
}

/// Parses the command line, runs the command, and turns its outcome into an exit code:
/// 0 success, 1 a rejected or failed operation, 2 bad usage or unreadable input.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match cli.command {
        Command::Agent(cmd) => agent::run(cmd),
        Command::Attest(cmd) => attest::run(cmd),
        Command::Receipt(cmd) => receipt::run(cmd),
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the default (agents' lines at info, the rest at warn).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,agent=info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
