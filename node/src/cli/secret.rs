//! `redoubt secret ...`: add, list, remove and rotate vault secrets on the
//! running node. A value is read from standard input or a hidden prompt,
//! never from the command line (where `ps` and shell history would see it).

use super::common::{Common, UsageError, block_on, exit};
use crate::api::{AddSecret, SecretView};
use clap::Subcommand;
use redoubt_vault::{AgentMatcher, HostPattern, Injection, Policy};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

/// Secret commands.
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Add a secret; its value comes from standard input or a hidden prompt.
    Add {
        /// The secret's name (what manifests list under `capabilities.secrets`).
        name: String,
        /// A host it may be sent to: exact, or `*.suffix` (repeat for more).
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
        /// An agent that may use it: a name, or `sha256:<code hash>` (repeat for more).
        #[arg(long = "agent", required = true)]
        agents: Vec<String>,
        /// How it is injected: `bearer`, `basic:USER`, `header:NAME:TEMPLATE` (TEMPLATE holds
        /// `{secret}`), or `query:PARAM`.
        #[arg(long)]
        inject: String,
        /// Unix time (seconds) after which it is no longer injected.
        #[arg(long)]
        expires_at: Option<u64>,
        /// How many requests may carry it in total.
        #[arg(long)]
        max_uses: Option<u64>,
        /// Revoke an agent's grant when a host reflects the secret back to it (or the agent
        /// re-encodes it into a request): the egress gate refuses such a response either way.
        #[arg(long)]
        revoke_on_reflection: bool,
        #[command(flatten)]
        common: Common,
    },
    /// List secrets: names, policies and use counts, never values.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Remove a secret.
    Rm {
        /// The secret's name.
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// Replace a secret's value (from standard input or a hidden prompt), keeping its policy.
    Rotate {
        /// The secret's name.
        name: String,
        #[command(flatten)]
        common: Common,
    },
}

/// Runs a secret command.
pub fn run(cmd: SecretCommand) -> ExitCode {
    exit((|| match cmd {
        SecretCommand::Add { name, hosts, agents, inject, expires_at, max_uses, revoke_on_reflection, common } => {
            let hosts = hosts
                .iter()
                .map(|h| HostPattern::parse(h).map_err(|e| UsageError(e.to_string())))
                .collect::<Result<_, _>>()?;
            let agents = agents.iter().map(|a| agent_matcher(a)).collect::<Result<_, _>>()?;
            let policy = Policy {
                expires_at,
                max_uses,
                revoke_on_reflection,
                ..Policy::new(hosts, agents, parse_injection(&inject)?)
            };
            let value = read_value(&name)?;
            let view = block_on(common.client()?.add_secret(&AddSecret { name, value, policy }))?;
            common.print(&view, |v| format!("added secret {}", v.name));
            Ok(ExitCode::SUCCESS)
        }
        SecretCommand::List { common } => {
            let secrets = block_on(common.client()?.secrets())?;
            common.print(&secrets, |secrets: &Vec<SecretView>| secrets.iter().map(describe).collect());
            Ok(ExitCode::SUCCESS)
        }
        SecretCommand::Rm { name, common } => {
            block_on(common.client()?.remove_secret(&name))?;
            common.print(&serde_json::json!({ "removed": name }), |_| format!("removed secret {name}"));
            Ok(ExitCode::SUCCESS)
        }
        SecretCommand::Rotate { name, common } => {
            let value = read_value(&name)?;
            let view = block_on(common.client()?.rotate_secret(&name, value))?;
            common.print(&view, |v| format!("rotated secret {}", v.name));
            Ok(ExitCode::SUCCESS)
        }
    })())
}

fn agent_matcher(text: &str) -> Result<AgentMatcher, UsageError> {
    let spec = if text.contains(':') { text.to_owned() } else { format!("name:{text}") };
    AgentMatcher::parse(&spec).map_err(|e| UsageError(e.to_string()))
}

/// Parses `bearer`, `basic:USER`, `header:NAME:TEMPLATE` or `query:PARAM`.
pub fn parse_injection(spec: &str) -> Result<Injection, UsageError> {
    let injection = match spec.split_once(':') {
        None if spec == "bearer" => Injection::Bearer,
        Some(("basic", username)) => Injection::Basic { username: username.into() },
        Some(("query", param)) => Injection::Query { param: param.into() },
        Some(("header", rest)) => match rest.split_once(':') {
            Some((name, template)) => Injection::Header { name: name.into(), template: template.into() },
            None => Injection::Header { name: rest.into(), template: "{secret}".into() },
        },
        _ => {
            return Err(UsageError(format!(
                "--inject {spec:?}: use bearer, basic:USER, header:NAME:TEMPLATE or query:PARAM"
            )));
        }
    };
    injection.validate().map_err(|e| UsageError(e.to_string()))?;
    Ok(injection)
}

/// The value, from a hidden prompt on a terminal, else standard input (one trailing newline dropped).
fn read_value(name: &str) -> anyhow::Result<String> {
    let mut value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("value of {name}: ")).map_err(|e| UsageError(e.to_string()))?
    } else {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| UsageError(format!("reading the value: {e}")))?;
        text
    };
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    if value.is_empty() {
        return Err(UsageError("the secret's value is empty".into()).into());
    }
    Ok(value)
}

fn describe(secret: &SecretView) -> String {
    let policy = serde_json::to_string(&secret.policy).unwrap_or_default();
    format!("{:<24} uses {:<5} reflections {:<3} {policy}\n", secret.name, secret.uses, secret.reflections)
}
