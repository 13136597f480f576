//! `redoubt node`: run the daemon.

use super::common::exit;
use crate::config::{Config, LogFormat};
use crate::daemon;
use crate::home::Home;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `redoubt node`.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's home directory (default: $REDOUBT_HOME, else the XDG directories).
    #[arg(long, env = "REDOUBT_HOME")]
    home: Option<PathBuf>,
    /// Listen here instead of api.listen (port 0 picks a free port; the address is printed).
    #[arg(long)]
    listen: Option<SocketAddr>,
}

impl NodeArgs {
    /// `[log] format` from the node's config (text when it cannot be read: `run` reports why).
    pub fn configured_log_format(&self) -> LogFormat {
        let home = Home::resolve(self.home.clone());
        Config::load(&home.config_file()).map(|config| config.log.format).unwrap_or_default()
    }
}

/// Runs the daemon until SIGINT or SIGTERM.
pub fn run(args: NodeArgs) -> ExitCode {
    exit(super::common::block_on(async {
        let home = Home::resolve(args.home);
        let mut config = Config::load(&home.config_file()).context("loading config.toml")?;
        if let Some(listen) = args.listen {
            config.api.listen = listen;
        }
        let running = daemon::start(home, config).await?;
        let info = crate::api::node_info_of(&running.node);
        println!("redoubt node listening on http://{}", running.addr);
        println!(
            "  account {} ({}), evidence {}, vault key {}",
            info.account_id, info.public_key, info.evidence_kind, info.vault_key_mode
        );
        if info.insecure {
            println!(
                "  INSECURE: not hardware-backed (dev evidence or an unsealed vault key); verifiers reject it by default"
            );
        }
        running.wait().await?;
        Ok(ExitCode::SUCCESS)
    }))
}
