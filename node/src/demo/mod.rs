//! `redoubt demo`: the main job, offline, in one command.
//!
//! It initialises a node in a temporary home, starts it (API on a free
//! loopback port), starts local stand-ins for a weather API and an LLM
//! provider, installs the example agents, stores the two API keys in the
//! vault, runs jobs through the API (a legitimate use of each key, a
//! delegation, and a hostile agent that tries to get a key out), verifies
//! every receipt, and prints what happened. Each step checks what it
//! expects; any broken promise makes the demo fail (exit 1).
//!
//! The demo enables development egress settings (plain HTTP, loopback, any
//! port) so that its local services are reachable, and the node presents
//! dev evidence off SEV hardware: both are labelled INSECURE in the output.

mod report;
mod scenario;
mod services;

pub use report::{Check, DemoReport};

use crate::client::ApiClient;
use crate::config::Config;
use crate::daemon;
use crate::home::Home;
use crate::init::{InitOptions, init};
use crate::pipeline::batcher;
use anyhow::Context;
use std::path::PathBuf;

/// What the demo is asked to do.
#[derive(Debug, Default)]
pub struct DemoOptions {
    /// Keep the node's home here instead of a temporary directory.
    pub keep: Option<PathBuf>,
}

/// Runs the demo and reports what happened.
pub async fn run(options: DemoOptions, progress: &dyn Fn(&str)) -> anyhow::Result<DemoReport> {
    let temporary;
    let home_dir = match options.keep {
        Some(dir) => dir,
        None => {
            temporary = tempfile::tempdir().context("creating a temporary home")?;
            temporary.path().to_owned()
        }
    };
    let home = Home::at(&home_dir);
    progress("initialising a node (keys, vault, API token)");
    let made = init(&home, InitOptions::default())?;

    let keys = services::ServiceKeys { weather: random_key().into(), llm: random_key().into() };
    let services = services::start(keys.clone()).await.context("starting the local services")?;
    let config = demo_config(services.port());
    std::fs::write(home.config_file(), config.to_toml())?;

    progress("starting the node");
    let running = daemon::start(home.clone(), config).await?;
    let token = std::fs::read_to_string(home.api_token())?;
    let client = ApiClient::new(format!("http://{}", running.addr), token.trim());

    let mut report = DemoReport::new(&made, &running.node, home_dir.clone());
    let outcome = scenario::play(&client, &keys, services.port(), &mut report, progress).await;
    progress("sealing the receipt batch and verifying every receipt");
    let size = running.node.config.jobs.batch_size.max(1);
    batcher::seal_ready(&running.node, size, true).await?;
    running.node.alerts.settle().await;
    if let Err(error) = &outcome {
        report.check("the scenario ran to its end", false, format!("{error:#}"));
    }
    scenario::verify_receipts(&client, &mut report).await?;
    scenario::collect_alerts(&client, &mut report).await?;
    running.abort();
    Ok(report)
}

/// The demo node's settings: a free API port, the development egress
/// settings its local services need, the LLM stand-in as provider.
fn demo_config(services_port: u16) -> Config {
    let mut config = Config::default();
    config.api.listen = ([127, 0, 0, 1], 0).into();
    config.egress.hosts = vec!["localhost".into()];
    config.egress.allow_http = true;
    config.egress.allow_loopback = true;
    config.egress.any_port = true;
    config.egress.timeout_ms = 10_000;
    config.llm.base_url = format!("http://localhost:{services_port}/llm/v1");
    config.llm.model = "demo-extractive".into();
    config.llm.api_key_secret = scenario::LLM_SECRET.into();
    config.jobs.batch_interval_ms = 200;
    config
}

fn random_key() -> String {
    format!("demo-{}", hex::encode(rand::random::<[u8; 24]>()))
}
