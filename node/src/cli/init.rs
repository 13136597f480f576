//! `redoubt init`: make a new node's keys, vault, token and configuration.

use super::common::{UsageError, exit};
use crate::home::Home;
use crate::init::{InitOptions, Initialized, init};
use crate::vault_access::PASSPHRASE_VARIABLE;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `redoubt init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The node's home directory (default: $REDOUBT_HOME, else the XDG directories).
    #[arg(long, env = "REDOUBT_HOME")]
    home: Option<PathBuf>,
    /// Use this NEAR account's key from near-cli's credentials (needs --network).
    #[arg(long, requires = "network")]
    near_account: Option<String>,
    /// The NEAR network of --near-account (e.g. testnet, mainnet).
    #[arg(long, requires = "near_account")]
    network: Option<String>,
    /// Where near-cli keeps credentials (default ~/.near-credentials).
    #[arg(long)]
    credentials_dir: Option<PathBuf>,
    /// Protect the vault with a passphrase (from $REDOUBT_VAULT_PASSPHRASE or a hidden prompt)
    /// instead of a key file. Off SEV hardware both are insecure; in a SEV-SNP guest the vault
    /// key is sealed to the enclave instead.
    #[arg(long)]
    passphrase: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `redoubt init`.
pub fn run(args: InitArgs) -> ExitCode {
    exit((|| {
        let home = Home::resolve(args.home);
        let passphrase = if args.passphrase { Some(read_passphrase()?) } else { None };
        let options = InitOptions {
            near_account: args.near_account.zip(args.network),
            credentials_dir: args.credentials_dir,
            passphrase,
        };
        let made = init(&home, options)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&made)?);
        } else {
            print_human(&made);
        }
        Ok(ExitCode::SUCCESS)
    })())
}

fn read_passphrase() -> anyhow::Result<Vec<u8>> {
    if let Some(value) = std::env::var_os(PASSPHRASE_VARIABLE) {
        return Ok(value.into_encoded_bytes());
    }
    let first = rpassword::prompt_password("vault passphrase: ").map_err(|e| UsageError(e.to_string()))?;
    let again = rpassword::prompt_password("again: ").map_err(|e| UsageError(e.to_string()))?;
    if first != again {
        return Err(UsageError("the passphrases differ".into()).into());
    }
    Ok(first.into_bytes())
}

fn print_human(made: &Initialized) {
    println!("initialised a Redoubt node");
    println!("  config     {}", made.config_dir.join("config.toml").display());
    println!("  data       {}", made.data_dir.display());
    println!("  account    {}", made.account_id);
    println!("  key        {}", made.public_key);
    println!("  vault key  {}", made.vault_key_mode);
    println!("  API token  {}", made.api_token_file.display());
    if made.vault_insecure {
        println!("warning: this machine is not a SEV-SNP guest: the vault key is not sealed to an enclave");
    }
    println!("next: `redoubt node` starts the daemon");
}
