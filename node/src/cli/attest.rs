//! `redoubt attest ...`: this node's evidence, and offline SEV-SNP verification.

use clap::Subcommand;
use std::process::ExitCode;

/// Attestation commands.
#[derive(Debug, Subcommand)]
pub enum AttestCommand {}

/// Runs an attestation command.
pub fn run(cmd: AttestCommand) -> ExitCode {
    match cmd {}
}
