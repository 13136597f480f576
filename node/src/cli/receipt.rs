//! `redoubt receipt ...`: verify signed execution receipts.

use anyhow::Context;
use clap::{Args, Subcommand};
use redoubt_attestation::{
    Evidence, InclusionProof, JobOutcome, Receipt, ReceiptChecks, ReceiptOutcome, SignedReceipt, Verifier,
    VerifierPolicy,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::common::{exit_or, now_unix, print_json, read_file, verdict_code};

/// Receipt commands.
#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Verify a signed receipt: its signature, and optionally its batch inclusion, the evidence it names and
    /// the receipt of the job that hired it.
    ///
    /// Exit status: 0 verified, 1 rejected (the reason is printed), 2 bad usage or unreadable input.
    Verify(VerifyArgs),
}

/// Arguments of `redoubt receipt verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed receipt (JSON).
    #[arg(value_name = "FILE")]
    receipt: PathBuf,
    /// An inclusion proof (JSON): the receipt must be in the batch whose root the proof names.
    #[arg(long, value_name = "FILE")]
    proof: Option<PathBuf>,
    /// The node's evidence (JSON): it must be the evidence the receipt names, bind the receipt's
    /// signing key, and verify against AMD's roots.
    #[arg(long, value_name = "FILE")]
    evidence: Option<PathBuf>,
    /// The signed receipt (JSON) of the job that hired this one: it must be signed, name this receipt
    /// among the jobs it hired, and be the job this receipt names as its hirer.
    #[arg(long, value_name = "FILE")]
    parent: Option<PathBuf>,
    /// Accept dev evidence (INSECURE: it proves nothing about hardware).
    #[arg(long)]
    allow_dev: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// The library's outcome with what it says about hardware (`--json`).
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    outcome: &'a ReceiptOutcome,
    /// Whether verified SEV-SNP evidence binds the signing key.
    hardware_bound: bool,
    /// What the verdict means for trust in the signer.
    note: &'static str,
}

/// Runs a receipt command.
pub fn run(cmd: ReceiptCommand) -> ExitCode {
    exit_or(
        match cmd {
            ReceiptCommand::Verify(args) => verify(args),
        },
        2,
    )
}

fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let signed: SignedReceipt = read_json(&args.receipt, "signed receipt")?;
    let proof: Option<InclusionProof> = args.proof.as_deref().map(|p| read_json(p, "inclusion proof")).transpose()?;
    let evidence: Option<Evidence> = args.evidence.as_deref().map(|p| read_json(p, "evidence")).transpose()?;
    let parent: Option<SignedReceipt> = args.parent.as_deref().map(|p| read_json(p, "parent receipt")).transpose()?;
    let verifier = Verifier::new(VerifierPolicy::default()).allow_dev(args.allow_dev);
    let checks = ReceiptChecks { proof: proof.as_ref(), evidence: evidence.as_ref(), parent: parent.as_ref() };
    let outcome = verifier.receipt_outcome(&signed, checks, now_unix()?);
    let hardware_bound = outcome.verified && matches!(evidence, Some(Evidence::SevSnp(_)));
    let note = match (&evidence, hardware_bound) {
        (None, _) => "no evidence checked: the signer is not tied to hardware",
        (Some(Evidence::DevInsecure(_)), _) => {
            "dev evidence proves nothing about hardware: the signer is not tied to it"
        }
        (Some(Evidence::SevSnp(_)), true) => {
            "the signing key is bound by an SEV-SNP report verified against AMD's roots (any measurement)"
        }
        (Some(Evidence::SevSnp(_)), false) => "the SEV-SNP evidence did not verify: the signer is not tied to hardware",
    };
    if args.json {
        print_json(&Report { outcome: &outcome, hardware_bound, note })?;
    } else {
        print_human(&outcome, &signed.receipt, proof.as_ref(), note);
    }
    Ok(verdict_code(outcome.verified))
}

/// Reads and parses a JSON file, naming it and its role in any error.
fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> anyhow::Result<T> {
    serde_json::from_slice(&read_file(path, what)?)
        .with_context(|| format!("the {what} file {} is not a valid {what}", path.display()))
}

fn print_human(outcome: &ReceiptOutcome, receipt: &Receipt, proof: Option<&InclusionProof>, note: &str) {
    match &outcome.reason {
        None => println!("VERIFIED receipt {}", outcome.receipt_hash),
        Some(reason) => {
            println!("REJECTED receipt {}: {reason}", outcome.receipt_hash);
            println!("  (what the receipt claims, not verified:)");
        }
    }
    println!("  signer:            {} ({})", receipt.node_public_key, receipt.node_account_id);
    println!(
        "  job:               {} (market ref {})",
        receipt.job_id,
        receipt.market_ref.as_deref().unwrap_or("none")
    );
    println!("  agent code hash:   {}", hex::encode(receipt.agent_code_hash));
    println!("  manifest hash:     {}", hex::encode(receipt.manifest_hash));
    println!("  input hash:        {}", hex::encode(receipt.input_hash));
    match &receipt.outcome {
        JobOutcome::Succeeded { output_hash } => {
            println!("  outcome:           succeeded, output {}", hex::encode(output_hash))
        }
        JobOutcome::Failed { error_hash, reason } => {
            println!("  outcome:           failed ({reason}), error {}", hex::encode(error_hash))
        }
    }
    let duration_ms = receipt.finished_at_ms.saturating_sub(receipt.started_at_ms);
    println!("  time (unix ms):    {} .. {} ({duration_ms} ms)", receipt.started_at_ms, receipt.finished_at_ms);
    let r = &receipt.resources;
    let calls: Vec<String> = r.host_calls.iter().map(|(kind, n)| format!("{kind}={n}")).collect();
    println!(
        "  resources:         fuel {}, wall {} us, memory peak {} B, output {} B, host calls [{}]",
        r.fuel,
        r.wall_time_us,
        r.memory_peak_bytes,
        r.output_bytes,
        calls.join(" ")
    );
    match (&receipt.delegated_by, &outcome.parent_receipt_hash) {
        (None, _) => println!("  hired by:          none"),
        (Some(by), None) => {
            println!("  hired by:          job {} on {} (not checked: no --parent)", by.job_id, by.node_account_id)
        }
        (Some(by), Some(hash)) => {
            println!("  hired by:          job {} on {}, receipt {hash}", by.job_id, by.node_account_id)
        }
    }
    let hired: Vec<String> = receipt.delegated_receipts.iter().map(hex::encode).collect();
    println!("  hired jobs:        {}", if hired.is_empty() { "none".to_owned() } else { hired.join(", ") });
    println!("  evidence hash:     {}", hex::encode(receipt.evidence_hash));
    match proof {
        Some(p) => println!(
            "  batch:             leaf {} of {} under root {} (trust it only if that root is anchored, e.g. on NEAR)",
            p.leaf_index,
            p.tree_size,
            hex::encode(p.batch_root)
        ),
        None => println!("  batch:             not checked (no --proof)"),
    }
    match outcome.evidence_kind {
        Some(kind) => println!("  evidence:          {kind}: {note}"),
        None => println!("  evidence:          {note}"),
    }
}
