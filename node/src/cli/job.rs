//! `redoubt job ...`: submit jobs to the running node and follow them.

use super::common::{Common, block_on, exit, read_input};
use crate::job::{JobId, JobRecord, JobState};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Job commands.
#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Submit a job; with --wait, wait for it and print its output.
    Submit {
        /// The installed agent's name.
        agent: String,
        /// The input: a file, or `-` for standard input (default: empty).
        #[arg(long, short)]
        input: Option<String>,
        /// Wait for the job to end.
        #[arg(long)]
        wait: bool,
        /// The longest wait, in seconds.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        #[command(flatten)]
        common: Common,
    },
    /// List jobs.
    List {
        /// Only jobs in this state (queued, running, succeeded, failed, cancelled).
        #[arg(long)]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Show one job.
    Get {
        /// The job id.
        id: JobId,
        #[command(flatten)]
        common: Common,
    },
    /// Print a succeeded job's output.
    Output {
        /// The job id.
        id: JobId,
        #[command(flatten)]
        common: Common,
    },
    /// Print a job's log.
    Logs {
        /// The job id.
        id: JobId,
        #[command(flatten)]
        common: Common,
    },
    /// Fetch a job's signed receipt, its batch proof and the node's evidence.
    Receipt {
        /// The job id.
        id: JobId,
        /// Write receipt.json, proof.json and evidence.json here (for `redoubt receipt verify`).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Cancel a queued or running job.
    Cancel {
        /// The job id.
        id: JobId,
        #[command(flatten)]
        common: Common,
    },
}

/// Runs a job command.
pub fn run(cmd: JobCommand) -> ExitCode {
    exit(block_on(async move {
        match cmd {
            JobCommand::Submit { agent, input, wait, timeout, common } => {
                let input = match input {
                    Some(spec) => read_input(&spec)?,
                    None => Vec::new(),
                };
                submit(&agent, &input, wait.then_some(Duration::from_secs(timeout)), &common).await
            }
            JobCommand::List { state, limit, common } => {
                let jobs = common.client()?.jobs(state.as_deref(), limit).await?;
                common.print(&jobs, |jobs| jobs.iter().map(summary).map(|line| line + "\n").collect());
                Ok(ExitCode::SUCCESS)
            }
            JobCommand::Get { id, common } => {
                let job = common.client()?.job(id).await?;
                common.print(&job, summary);
                Ok(ExitCode::SUCCESS)
            }
            JobCommand::Output { id, common } => {
                use std::io::Write;
                let output = common.client()?.output(id).await?;
                std::io::stdout().write_all(&output)?;
                Ok(ExitCode::SUCCESS)
            }
            JobCommand::Logs { id, common } => {
                print!("{}", common.client()?.logs(id).await?);
                Ok(ExitCode::SUCCESS)
            }
            JobCommand::Receipt { id, out, common } => receipt(id, out, &common).await,
            JobCommand::Cancel { id, common } => {
                let job = common.client()?.cancel(id).await?;
                common.print(&job, summary);
                Ok(ExitCode::SUCCESS)
            }
        }
    }))
}

async fn submit(agent: &str, input: &[u8], wait: Option<Duration>, common: &Common) -> anyhow::Result<ExitCode> {
    let client = common.client()?;
    let Some(wait) = wait else {
        let job = client.submit(agent, input, None).await?;
        common.print(&job, summary);
        return Ok(ExitCode::SUCCESS);
    };
    let spinner = if common.json { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"));
    spinner.set_message(format!("running {agent}"));
    spinner.enable_steady_tick(Duration::from_millis(100));
    let job = client.submit(agent, input, Some(wait)).await;
    spinner.finish_and_clear();
    let job = job?;
    if common.json {
        common.print(&job, summary);
    } else if job.state == JobState::Succeeded {
        use std::io::Write;
        let output = client.output(job.id).await?;
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&output)?;
        if !output.ends_with(b"\n") {
            writeln!(stdout)?;
        }
        eprintln!("{}", summary(&job));
    } else {
        eprintln!("{}", summary(&job));
    }
    Ok(match job.state {
        JobState::Succeeded => ExitCode::SUCCESS,
        JobState::Queued | JobState::Running => {
            eprintln!("still {} after the wait; `redoubt job get {}` follows it", job.state, job.id);
            ExitCode::from(1)
        }
        _ => ExitCode::from(1),
    })
}

async fn receipt(id: JobId, out: Option<PathBuf>, common: &Common) -> anyhow::Result<ExitCode> {
    let bundle = common.client()?.receipt(id).await?;
    if let Some(dir) = out {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("receipt.json"), serde_json::to_vec_pretty(&bundle.receipt)?)?;
        std::fs::write(dir.join("evidence.json"), serde_json::to_vec_pretty(&bundle.evidence)?)?;
        if let Some(proof) = &bundle.proof {
            std::fs::write(dir.join("proof.json"), serde_json::to_vec_pretty(proof)?)?;
        }
    }
    common.print(&bundle, |b| {
        let batch = b
            .batch
            .as_ref()
            .map_or("not yet batched".to_owned(), |batch| format!("batch {} root {}", batch.index, batch.root));
        format!("receipt {} for job {} signed by {}; {batch}", b.hash, b.job_id, b.receipt.receipt.node_public_key)
    });
    Ok(ExitCode::SUCCESS)
}

/// One line about a job.
pub fn summary(job: &JobRecord) -> String {
    let error = job.error.as_ref().map_or(String::new(), |e| format!(": {} ({})", e.message, e.kind));
    let receipt = job.receipt.as_ref().map_or(String::new(), |r| format!(" receipt {}", &r[..16.min(r.len())]));
    format!("job {} {} {}{receipt}{error}", job.id, job.agent, job.state)
}
