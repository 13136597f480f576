//! `redoubt demo`: the whole job path offline, in one command.

use super::common::{block_on, exit};
use crate::demo::{DemoOptions, run};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `redoubt demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo node's home in this (new) directory instead of a temporary one.
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the demo; exit 0 when every check held.
pub fn run_demo(args: DemoArgs) -> ExitCode {
    exit(block_on(async move {
        let spinner = if args.json { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
        spinner.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("a valid template"));
        spinner.enable_steady_tick(Duration::from_millis(100));
        let report = run(DemoOptions { keep: args.keep }, &|step| spinner.set_message(step.to_owned())).await;
        spinner.finish_and_clear();
        let report = report?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", report.render());
        }
        Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
    }))
}
