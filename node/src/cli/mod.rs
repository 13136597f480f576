//! The command line: one module per command group.

mod agent;
mod alerts;
mod attest;
mod common;
mod demo;
mod init;
mod job;
mod node;
mod receipt;
mod secret;

use crate::config::LogFormat;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Redoubt: a node that runs untrusted agents in a sandbox, inside a TEE.
#[derive(Debug, Parser)]
#[command(name = "redoubt", version, about)]
struct Cli {
    /// Log lines as `text` (colour on a terminal only) or `json` (one object a line);
    /// default: `[log] format` in the node's config for `redoubt node`, else text.
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

/// The command groups.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole job path offline in one command: a node, agents, secrets, a hostile
    /// agent blocked, every receipt verified.
    Demo(demo::DemoArgs),
    /// Set up a new node: keys, vault, API token and configuration.
    Init(init::InitArgs),
    /// Run the node daemon (the API, the job pipeline, the receipt batcher).
    Node(node::NodeArgs),
    /// Run agents locally, or install, list and remove them on the node.
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// Submit and follow jobs on the node.
    #[command(subcommand)]
    Job(job::JobCommand),
    /// Manage the node's vault secrets (values go in, never come out).
    #[command(subcommand)]
    Secret(secret::SecretCommand),
    /// What the node blocked: alerts (with --follow, as they happen).
    Alerts(alerts::AlertsArgs),
    /// The node's audit log.
    Audit(alerts::AuditArgs),
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
    let format = match &cli.command {
        Command::Node(args) => cli.log_format.unwrap_or_else(|| args.configured_log_format()),
        _ => cli.log_format.unwrap_or_default(),
    };
    crate::logging::init(format);
    match cli.command {
        Command::Demo(args) => demo::run_demo(args),
        Command::Init(args) => init::run(args),
        Command::Node(args) => node::run(args),
        Command::Agent(cmd) => agent::run(cmd),
        Command::Job(cmd) => job::run(cmd),
        Command::Secret(cmd) => secret::run(cmd),
        Command::Alerts(args) => alerts::alerts(args),
        Command::Audit(args) => alerts::audit(args),
        Command::Attest(cmd) => attest::run(cmd),
        Command::Receipt(cmd) => receipt::run(cmd),
    }
}
