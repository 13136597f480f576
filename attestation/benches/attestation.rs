//! Attestation benchmarks (one core): SNP verification full and cached, receipts signed and
//! verified per second, Merkle proof checks; each next to a baseline measured in the same run.
//! Run: `cargo bench -p redoubt-attestation --bench attestation`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use redoubt_attestation::input::certificate_der;
use redoubt_attestation::receipt::verify_inclusion;
use redoubt_attestation::snp::{EcdsaP384Sha384, Roots, RustCryptoP384, verify_report_with, verify_vcek};
use redoubt_attestation::verify::AwsLcP384;
use redoubt_attestation::{
    Batch, JobOutcome, JobRef, NodeKeys, Receipt, Resources, SignedReceipt, Verifier, VerifierPolicy,
};
use sha2::Digest;

/// 2026-03-01: inside the real VCEKs' validity.
const NOW: u64 = 1_772_323_200;
/// Leaves of the Merkle benchmark tree.
const TREE_LEAVES: u64 = 1_000_000;

/// CPU time this thread has used (utime + stime from /proc, 100 ticks per second on Linux).
/// The machine is shared: CPU time is what one core spends, whatever else runs.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("Linux /proc");
    let fields: Vec<&str> = stat[stat.rfind(')').expect("comm field") + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// Time per call of `f` as (CPU time, wall time), running it for about `budget` after a warm-up.
fn time_per_op(budget: Duration, mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..10 {
        f();
    }
    let (start, cpu_start, mut runs) = (Instant::now(), thread_cpu(), 0u32);
    while start.elapsed() < budget || runs < 20 {
        f();
        runs += 1;
    }
    let cpu = thread_cpu().saturating_sub(cpu_start);
    (cpu / runs, start.elapsed() / runs)
}

fn row(name: &str, (cpu, wall): (Duration, Duration), goal: &str, baseline: Option<(&str, (Duration, Duration))>) {
    let per_sec = 1.0 / cpu.as_secs_f64();
    let ratio =
        baseline.map_or(String::new(), |(b, (d, _))| format!("{:.2}x {b}", cpu.as_secs_f64() / d.as_secs_f64()));
    println!(
        "| {name:<50} | {:>9.1} µs | {:>9.1} µs | {per_sec:>10.0}/s | {goal:<11} | {ratio}",
        cpu.as_secs_f64() * 1e6,
        wall.as_secs_f64() * 1e6
    );
}

fn snp(budget: Duration) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/snp/msft-tav-genoa");
    if !dir.is_dir() {
        println!("skipped: ../shared/testdata/snp not found");
        return;
    }
    let report = std::fs::read(dir.join("report.bin")).unwrap();
    let vcek = certificate_der(&std::fs::read(dir.join("vcek.pem")).unwrap()).unwrap();
    let policy = VerifierPolicy::default();
    let roots = Roots::amd();

    let roots_setup = time_per_op(budget / 4, || {
        black_box(Roots::amd());
    });
    let full_aws = time_per_op(budget, || {
        let verified = verify_vcek(black_box(&vcek), &roots).unwrap();
        verify_report_with(black_box(&report), &verified, NOW, &AwsLcP384).unwrap().check(&policy).unwrap();
    });
    let full_rust = time_per_op(budget, || {
        let verified = verify_vcek(black_box(&vcek), &roots).unwrap();
        verify_report_with(black_box(&report), &verified, NOW, &RustCryptoP384).unwrap().check(&policy).unwrap();
    });
    let verifier = Verifier::new(policy.clone());
    let cached = time_per_op(budget, || {
        let parsed = verifier.verify_signed_report(black_box(&report), &vcek, None, None, NOW).unwrap();
        parsed.check(verifier.policy()).unwrap();
    });
    // Baselines: the bare ECDSA P-384 verification of the report signature, nothing else.
    let verified = verify_vcek(&vcek, &roots).unwrap();
    let scalar = |offset: usize| {
        let mut be = [0u8; 48];
        be.copy_from_slice(&report[offset..offset + 48]);
        be.reverse();
        be
    };
    let (r, s) = (scalar(0x2A0), scalar(0x2A0 + 72));
    let bare = |backend: &dyn EcdsaP384Sha384| {
        time_per_op(budget, || assert!(backend.verify(&verified.public_key_sec1, black_box(&report[..0x2A0]), &r, &s)))
    };
    let (ecdsa_aws, ecdsa_rust) = (bare(&AwsLcP384), bare(&RustCryptoP384));
    row("AMD roots setup (Roots::amd, once per verifier)", roots_setup, "", None);
    row("SNP full: VCEK chain + report + policy (AWS-LC)", full_aws, "<= 2000 µs", Some(("bare ECDSA", ecdsa_aws)));
    row("SNP cached chain: report + policy (Verifier)", cached, "<= 500 µs", Some(("bare ECDSA", ecdsa_aws)));
    row("SNP full, pure-Rust core (the on-chain path)", full_rust, "", Some(("bare ECDSA", ecdsa_rust)));
    row("baseline: bare ECDSA P-384 verify, AWS-LC", ecdsa_aws, "", None);
    row("baseline: bare ECDSA P-384 verify, RustCrypto", ecdsa_rust, "", None);
}

fn receipts(budget: Duration) {
    let keys = NodeKeys::generate("node.bench.near".parse().unwrap());
    let receipt = Receipt {
        agent_code_hash: [1; 32],
        manifest_hash: [2; 32],
        input_hash: [3; 32],
        outcome: JobOutcome::Succeeded { output_hash: [4; 32] },
        job_id: "job-0000000042".into(),
        market_ref: Some("nearai-market:bid:1234".into()),
        node_account_id: keys.account_id().to_string(),
        node_public_key: keys.public_key(),
        evidence_hash: [5; 32],
        started_at_ms: 1_772_323_200_000,
        finished_at_ms: 1_772_323_201_500,
        resources: Resources {
            fuel: 12_345_678,
            wall_time_us: 1_500_000,
            memory_peak_bytes: 64 << 20,
            output_bytes: 4096,
            host_calls: BTreeMap::from([("http".into(), 3), ("log".into(), 12), ("secret".into(), 1)]),
        },
        delegated_by: Some(JobRef { node_account_id: "hirer.near".into(), job_id: "41".into() }),
        delegated_receipts: vec![[6; 32]],
    };
    let sign = time_per_op(budget, || {
        black_box(SignedReceipt::sign(black_box(receipt.clone()), &keys));
    });
    let raw_sign = time_per_op(budget, || {
        black_box(keys.sign(black_box(&[7u8; 32])));
    });
    // What signing cost before the node kept dalek's key ready: near-crypto's own `sign`
    // rebuilds and re-checks the key pair on every call.
    let secret = near_crypto::SecretKey::from_random(near_crypto::KeyType::ED25519);
    let near_crypto_sign = time_per_op(budget, || {
        black_box(secret.sign(black_box(&[7u8; 32])));
    });
    let signed = SignedReceipt::sign(receipt, &keys);
    let verify = time_per_op(budget, || {
        black_box(signed.verify().unwrap());
    });
    let raw_signature = keys.sign(&[7u8; 32]);
    let public = keys.public_key();
    let raw_verify = time_per_op(budget, || {
        assert!(raw_signature.verify(black_box(&[7u8; 32]), &public));
    });
    row("receipt sign (encode + hash + ed25519)", sign, ">= 20000/s", Some(("raw sign", raw_sign)));
    row("baseline: raw ed25519 sign of 32 bytes", raw_sign, "", None);
    row("near-crypto SecretKey::sign, 32 bytes", near_crypto_sign, "", Some(("raw sign", raw_sign)));
    row("receipt verify", verify, "", Some(("raw verify", raw_verify)));
    row("baseline: raw ed25519 verify of 32 bytes", raw_verify, "", None);
}

fn merkle(budget: Duration) {
    let leaves: Vec<[u8; 32]> = (0..TREE_LEAVES).map(|i| sha2::Sha256::digest(i.to_le_bytes()).into()).collect();
    let start = Instant::now();
    let batch = Batch::new(&leaves).unwrap();
    let build = start.elapsed();
    let root = batch.root();
    let proofs: Vec<_> = (0..1000u64).map(|i| batch.proof(i * 997 % TREE_LEAVES).unwrap()).collect();
    let mut next = 0usize;
    let check = time_per_op(budget, || {
        let proof = &proofs[next % proofs.len()];
        verify_inclusion(black_box(&leaves[proof.leaf_index as usize]), proof, &root).unwrap();
        next += 1;
    });
    let hash = time_per_op(budget / 4, || {
        black_box(sha2::Sha256::digest(black_box([0u8; 65])));
    });
    println!("| Merkle tree build, {TREE_LEAVES} leaves: {:.0} ms wall (once per batch)", build.as_secs_f64() * 1e3);
    row(
        &format!("Merkle proof check ({} hashes, 1M leaves)", proofs[0].path.len() + 1),
        check,
        "< 20 µs",
        Some(("one SHA-256", hash)),
    );
    row("baseline: one SHA-256 of a 65-byte node", hash, "", None);
}

fn main() {
    let budget = Duration::from_millis(if std::env::args().any(|a| a == "--quick") { 200 } else { 2000 });
    println!(
        "| {:<50} | {:>12} | {:>12} | {:>12} | {:<11} | vs baseline (CPU)",
        "operation", "CPU/op", "wall/op", "per core", "goal"
    );
    println!("|{}|", "-".repeat(130));
    snp(budget);
    receipts(budget);
    merkle(budget);
}
