//! `redoubt attest ...`: this node's evidence and keys, and offline SEV-SNP verification.

use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};
use redoubt_attestation::input::{self, InputError};
use redoubt_attestation::{Evidence, KeyError, NodeKeys, SnpFiles, Tcb, Verifier, VerifierPolicy};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::common::{exit_or, now_unix, print_json, read_file, verdict_code};
use crate::home::Home;

/// Attestation commands.
#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Print this node's account, public keys and attestation evidence.
    ///
    /// Inside an SEV-SNP guest the evidence is a hardware report binding the keys (and the
    /// nonce); elsewhere it is dev evidence, which is INSECURE and proves nothing.
    Show(ShowArgs),
    /// Verify an SEV-SNP report offline: AMD's chain, the report signature, then a policy.
    ///
    /// Exit status: 0 verified, 1 rejected (the reason is printed), 2 bad usage or unreadable input.
    VerifySnp(VerifySnpArgs),
}

/// Arguments of `redoubt attest show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The node's home directory (default: `$REDOUBT_HOME`, then the XDG directories).
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,
    /// A verifier's nonce (hex) to bind into the evidence, so the verifier knows it is fresh.
    #[arg(long, value_name = "HEX", value_parser = parse_nonce)]
    nonce: Option<std::vec::Vec<u8>>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Arguments of `redoubt attest verify-snp`.
#[derive(Debug, Args)]
pub struct VerifySnpArgs {
    /// The report: the 1184-byte ATTESTATION_REPORT, raw or as hex.
    #[arg(long, value_name = "FILE")]
    report: PathBuf,
    /// The VCEK certificate that signed the report (DER or PEM).
    #[arg(long, value_name = "FILE")]
    vcek: PathBuf,
    /// The ASK (DER or PEM); it must be signed by AMD's ARK. Default: AMD's built-in ASK of the family.
    #[arg(long, value_name = "FILE")]
    ask: Option<PathBuf>,
    /// The ARK (DER or PEM); it must equal AMD's built-in ARK of the family (the default).
    #[arg(long, value_name = "FILE")]
    ark: Option<PathBuf>,
    /// An allowed launch measurement (96 hex characters); repeat for several. Default: any.
    #[arg(long = "measurement", value_name = "HEX", value_parser = parse_measurement)]
    measurements: Vec<[u8; 48]>,
    /// The report_data the report must carry (128 hex characters), compared in constant time.
    #[arg(long, value_name = "HEX", value_parser = parse_report_data)]
    report_data: Option<[u8; 64]>,
    /// The VMPL the report must have been requested at (0-3). Default: any.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=3))]
    vmpl: Option<u32>,
    /// The minimum reported TCB, e.g. `bl=3,tee=0,snp=8,ucode=115` (`fmc=N` on Turin).
    #[arg(long, value_name = "SPEC", value_parser = input::parse_min_tcb)]
    min_tcb: Option<Tcb>,
    /// Accept a guest whose policy allows debugging (the host can read its memory: never in production).
    #[arg(long)]
    allow_debug: bool,
    /// Print one JSON object (the verdict and the report's fields).
    #[arg(long)]
    json: bool,
}

/// Runs an attestation command.
pub fn run(cmd: AttestCommand) -> ExitCode {
    exit_or(
        match cmd {
            AttestCommand::Show(args) => show(args),
            AttestCommand::VerifySnp(args) => verify_snp(args),
        },
        2,
    )
}

fn parse_measurement(text: &str) -> Result<[u8; 48], InputError> {
    input::parse_hex("measurement", text)
}

fn parse_report_data(text: &str) -> Result<[u8; 64], InputError> {
    input::parse_hex("report data", text)
}

fn parse_nonce(text: &str) -> Result<Vec<u8>, InputError> {
    let bad = |reason: String| InputError::Argument { what: "nonce", reason };
    let text = text.trim();
    let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text)).map_err(|e| bad(e.to_string()))?;
    if bytes.is_empty() {
        return Err(bad("empty (omit --nonce for evidence without a nonce)".into()));
    }
    Ok(bytes)
}

fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let keys = load_keys(&Home::resolve(args.home))?;
    let nonce = args.nonce.as_deref();
    let evidence = match redoubt_attestation::collect(&keys, nonce) {
        Ok(evidence) => evidence,
        Err(error) => {
            eprintln!("error: collecting evidence: {error}");
            return Ok(ExitCode::from(1));
        }
    };
    let insecure = matches!(evidence, Evidence::DevInsecure(_));
    if args.json {
        if insecure {
            eprintln!("WARNING: {}", redoubt_attestation::DEV_WARNING);
        }
        print_json(&json!({
            "account_id": keys.account_id().to_string(),
            "ed25519_public_key": keys.public_key().to_string(),
            "x25519_public_key": hex::encode(keys.x25519_public()),
            "nonce": nonce.map(hex::encode),
            "evidence_kind": evidence.kind(),
            "insecure": insecure,
            "evidence_hash": hex::encode(evidence.hash()),
            "evidence": evidence,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if insecure {
        println!("*** INSECURE DEV EVIDENCE: not running in an SEV-SNP guest ***");
        println!("*** {} ***", redoubt_attestation::DEV_WARNING);
    }
    println!("account:        {}", keys.account_id());
    println!("ed25519 key:    {}", keys.public_key());
    println!("x25519 key:     {}", hex::encode(keys.x25519_public()));
    println!("nonce:          {}", nonce.map_or_else(|| "none".to_owned(), hex::encode));
    println!("evidence kind:  {}{}", evidence.kind(), if insecure { "  (INSECURE: proves nothing)" } else { "" });
    println!("evidence hash:  {}", hex::encode(evidence.hash()));
    println!("evidence:");
    print_json(&evidence)?;
    Ok(ExitCode::SUCCESS)
}

/// The node's keys; a missing key file is reported with the command that creates it.
fn load_keys(home: &Home) -> anyhow::Result<NodeKeys> {
    NodeKeys::load(&home.near_key_file(), &home.x25519_key_file()).map_err(|error| match error {
        KeyError::Io { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
            anyhow!("no node keys: {} does not exist; `redoubt init` creates them", path.display())
        }
        other => anyhow!(other).context("reading the node keys"),
    })
}

fn verify_snp(args: VerifySnpArgs) -> anyhow::Result<ExitCode> {
    let cert = |path: &Path, what| read_as(path, what, input::certificate_der);
    let files = SnpFiles {
        report: read_as(&args.report, "report", input::report_bytes)?,
        vcek: cert(&args.vcek, "VCEK")?,
        ask: args.ask.as_deref().map(|path| cert(path, "ASK")).transpose()?,
        ark: args.ark.as_deref().map(|path| cert(path, "ARK")).transpose()?,
    };
    let policy = VerifierPolicy {
        allow_debug: args.allow_debug,
        allow_migration_agent: false,
        vmpl: args.vmpl,
        measurements: args.measurements,
        min_tcb: args.min_tcb,
        report_data: args.report_data,
    };
    let checked = policy_summary(&policy, &files);
    let outcome = Verifier::new(policy).files_outcome(&files, now_unix()?)?;
    if args.json {
        print_json(&outcome)?;
    } else {
        print!("{outcome}");
        println!("  checked:           {checked}");
    }
    Ok(verdict_code(outcome.verified))
}

/// Reads a file and converts it (PEM to DER, hex to raw), naming the file in any error.
fn read_as(path: &Path, what: &str, convert: fn(&[u8]) -> Result<Vec<u8>, InputError>) -> anyhow::Result<Vec<u8>> {
    convert(&read_file(path, what)?).with_context(|| format!("the {what} file {}", path.display()))
}

/// One line saying what the verification covered, so a reader sees what was not required.
fn policy_summary(policy: &VerifierPolicy, files: &SnpFiles) -> String {
    let roots = match (&files.ask, &files.ark) {
        (None, None) => "AMD's built-in ARK/ASK",
        (Some(_), None) => "the given ASK under AMD's built-in ARK",
        (_, Some(_)) => "the given chain, pinned to AMD's built-in ARK",
    };
    let allowed = |allow: bool| if allow { "allowed" } else { "refused" };
    let vmpl = policy.vmpl.map_or_else(|| "any".to_owned(), |v| v.to_string());
    let measurement = match policy.measurements.len() {
        0 => "any".to_owned(),
        n => format!("one of {n}"),
    };
    let tcb = policy.min_tcb.map_or_else(|| "any".to_owned(), |t| format!(">= {t}"));
    let report_data = if policy.report_data.is_some() { "required value" } else { "NOT checked" };
    format!(
        "chain to {roots}, report signature; debug {}, migration agent refused, VMPL {vmpl}, \
         measurement {measurement}, TCB {tcb}, report_data {report_data}",
        allowed(policy.allow_debug)
    )
}
