//! `redoubt agent ...`: run agents locally (filled by the sandbox issue).

use clap::Subcommand;
use std::process::ExitCode;

/// Agent commands.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Run one agent locally, with no daemon.
    Run,
}

/// Runs an agent command.
pub fn run(cmd: AgentCommand) -> ExitCode {
    match cmd {
        AgentCommand::Run => ExitCode::SUCCESS,
    }
}
