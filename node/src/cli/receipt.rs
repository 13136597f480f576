//! `redoubt receipt ...`: verify signed execution receipts.

use clap::Subcommand;
use std::process::ExitCode;

/// Receipt commands.
#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {}

/// Runs a receipt command.
pub fn run(cmd: ReceiptCommand) -> ExitCode {
    match cmd {}
}
