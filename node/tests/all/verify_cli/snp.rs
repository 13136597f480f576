//! `redoubt attest verify-snp` on the real report sets (../shared/testdata/snp from the workspace
//! root, read in place) and on tampered copies, foreign chains, violated policies and bad input.

use std::path::{Path, PathBuf};

use redoubt_attestation::snp::{Roots, verify_vcek};
use redoubt_attestation::{Family, input};
use redoubt_snp_testca::TestCa;
use tempfile::TempDir;

use super::{Run, arg, redoubt, write};

/// The sets whose policy is clean, with their families.
const CLEAN_SETS: [(&str, &str); 4] = [
    ("virtee-sev-milan", "milan"),
    ("msft-tav-milan", "milan"),
    ("msft-tav-genoa", "genoa"),
    ("msft-tav-turin", "turin"),
];
/// A valid signature over a DEBUG policy.
const DEBUG_SET: &str = "gosevguest-milan";
/// The set most attacks start from (Genoa, report v3, VCEK valid until 2033).
pub(super) const BASE_SET: &str = "msft-tav-genoa";

fn snp_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/snp");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: ../shared/testdata/snp not found");
        None
    }
}

/// One real report set.
pub(super) struct RealSet {
    dir: PathBuf,
    pub(super) report: PathBuf,
    pub(super) vcek: PathBuf,
}

impl RealSet {
    fn load(name: &str) -> Option<RealSet> {
        let dir = snp_data()?.join(name);
        let vcek = ["vcek.der", "vcek.pem"].map(|f| dir.join(f)).into_iter().find(|p| p.exists()).expect("a VCEK");
        Some(RealSet { report: dir.join("report.bin"), vcek, dir })
    }

    /// The set, unless its VCEK has expired (then the test is skipped: the expiry rejection
    /// itself is asserted by `every_real_report_verifies_or_is_rejected_as_expired`).
    pub(super) fn unexpired(name: &str) -> Option<RealSet> {
        let set = RealSet::load(name)?;
        if let Some(not_after) = set.expired_at() {
            println!("skipped: the VCEK of {name} expired at unix {not_after}");
            return None;
        }
        Some(set)
    }

    /// When the set's chain expired, if it has by now. AMD issues VCEKs for seven years; the
    /// real sets expire between 2029 and 2033 (see each SOURCE.txt), after which the CLI must
    /// reject them as expired rather than verify them.
    fn expired_at(&self) -> Option<u64> {
        let der = input::certificate_der(&std::fs::read(&self.vcek).unwrap()).unwrap();
        let vcek = verify_vcek(&der, &Roots::amd()).expect("the real VCEKs chain to AMD's roots");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        (now > vcek.not_after).then_some(vcek.not_after)
    }

    /// `redoubt attest verify-snp --report R --vcek V EXTRA... --json`.
    fn verify(&self, extra: &[&str]) -> Run {
        self.verify_report(&self.report, extra)
    }

    /// The same with another report file.
    fn verify_report(&self, report: &Path, extra: &[&str]) -> Run {
        let mut args = vec!["attest", "verify-snp", "--report", arg(report), "--vcek", arg(&self.vcek), "--json"];
        args.extend_from_slice(extra);
        redoubt(&args)
    }
}

#[test]
fn every_real_report_verifies_or_is_rejected_as_expired() {
    for (name, family) in CLEAN_SETS {
        let Some(set) = RealSet::load(name) else { return };
        let (ask, ark) = (set.dir.join("ask.pem"), set.dir.join("ark.pem"));
        let ask_ark = ["--ask", arg(&ask), "--ark", arg(&ark)];
        for extra in [&[][..], &ask_ark[..]] {
            if let Some(not_after) = set.expired_at() {
                let json = set.verify(extra).rejects("expired");
                println!("{name}: VCEK expired at unix {not_after}: {}", json["reason"]);
                continue;
            }
            let json = set.verify(extra).verifies();
            assert_eq!(json["kind"], "report", "{name}");
            assert_eq!(json["family"], family, "{name}");
            assert_eq!(json["report"]["vmpl"], 0, "{name}");
            assert_eq!(json["report"]["policy_debug"], false, "{name}");
            assert_eq!(json["report"]["measurement"].as_str().map(str::len), Some(96), "{name}");
        }
    }
}

#[test]
fn human_output_shows_the_verdict_the_fields_and_what_was_not_checked() {
    let Some(set) = RealSet::unexpired(BASE_SET) else { return };
    let measurement = set.verify(&[]).verifies()["report"]["measurement"].as_str().unwrap().to_owned();
    let args = ["attest", "verify-snp", "--report", arg(&set.report), "--vcek", arg(&set.vcek)];
    let run = redoubt(&args).exits(0);
    assert!(run.stdout.starts_with("VERIFIED (report)"), "{}", run.stdout);
    for needle in ["family:            Genoa", "vmpl:              0", &measurement, "report_data NOT checked"] {
        assert!(run.stdout.contains(needle), "{needle:?} missing from\n{}", run.stdout);
    }
}

#[test]
fn a_report_as_hex_and_a_der_vcek_verify() {
    let Some(set) = RealSet::unexpired("virtee-sev-milan") else { return };
    assert!(set.vcek.ends_with("vcek.der"));
    set.verify_report(&set.dir.join("report.hex"), &[]).verifies();
}

#[test]
fn the_debug_report_is_rejected_unless_debug_is_allowed() {
    let Some(set) = RealSet::load(DEBUG_SET) else { return };
    if let Some(not_after) = set.expired_at() {
        // The chain's dates are checked before the policy.
        set.verify(&[]).rejects("expired");
        set.verify(&["--allow-debug"]).rejects("expired");
        println!("{DEBUG_SET}: VCEK expired at unix {not_after}; rejected as expired");
        return;
    }
    let json = set.verify(&[]).rejects("debug");
    assert!(json["reason"].as_str().unwrap().contains("DEBUG"), "{json}");
    assert_eq!(json["report"]["policy_debug"], true, "the signed fields are still shown: {json}");
    let human = redoubt(&["attest", "verify-snp", "--report", arg(&set.report), "--vcek", arg(&set.vcek)]).exits(1);
    assert!(human.stdout.starts_with("REJECTED (report): report policy has DEBUG set"), "{}", human.stdout);
    set.verify(&["--allow-debug"]).verifies();
}

#[test]
fn a_single_flipped_bit_is_rejected() {
    let Some(set) = RealSet::unexpired(BASE_SET) else { return };
    let genuine = std::fs::read(&set.report).unwrap();
    let tmp = TempDir::new().unwrap();
    // (field, byte offset, bit, rejection)
    let flips = [
        ("policy DEBUG bit", 0x0A, 3, "bad-signature"),
        ("report_data", 0x50, 0, "bad-signature"),
        ("measurement", 0x90, 7, "bad-signature"),
        ("host_data", 0xC0, 1, "bad-signature"),
        ("reported_tcb microcode", 0x187, 0, "tcb-mismatch"),
        ("chip_id", 0x1A0, 4, "chip-id-mismatch"),
        ("signature r", 0x2A0, 0, "bad-signature"),
    ];
    for (field, offset, bit, code) in flips {
        let mut report = genuine.clone();
        report[offset] ^= 1 << bit;
        let path = write(&tmp, "tampered.bin", &report);
        let json = set.verify_report(&path, &[]).rejects(code);
        assert!(json.get("report").is_none(), "{field}: no fields of an unsigned report are shown: {json}");
    }
}

#[test]
fn policy_arguments_are_enforced() {
    let Some(set) = RealSet::unexpired(BASE_SET) else { return };
    let report = set.verify(&[]).verifies()["report"].clone();
    let measurement = report["measurement"].as_str().unwrap();
    let other = "ab".repeat(48);
    set.verify(&["--measurement", &other]).rejects("measurement-not-allowed");
    set.verify(&["--measurement", &other, "--measurement", measurement]).verifies();

    set.verify(&["--vmpl", "1"]).rejects("vmpl-mismatch");
    set.verify(&["--vmpl", "0"]).verifies();

    // The Genoa report's report_data is all zeros.
    set.verify(&["--report-data", &"00".repeat(64)]).verifies();
    set.verify(&["--report-data", &format!("01{}", "00".repeat(63))]).rejects("report-data-mismatch");

    // Its reported TCB is bl=10 tee=0 snp=23 ucode=84.
    set.verify(&["--min-tcb", "bl=10,tee=0,snp=23,ucode=84"]).verifies();
    let json = set.verify(&["--min-tcb", "snp=23,ucode=85"]).rejects("tcb-below-minimum");
    assert!(json["reason"].as_str().unwrap().contains("microcode"), "{json}");
}

#[test]
fn an_ark_or_ask_that_is_not_amds_is_rejected() {
    let Some(set) = RealSet::unexpired(BASE_SET) else { return };
    let tmp = TempDir::new().unwrap();
    let test_ca = TestCa::new(Family::Genoa);
    let test_ark = write(&tmp, "test-ark.der", test_ca.ark_der());
    let test_ask = write(&tmp, "test-ask.der", test_ca.ask_der());
    set.verify(&["--ark", arg(&test_ark)]).rejects("untrusted-ark");
    set.verify(&["--ask", arg(&test_ask)]).rejects("chain-broken");
    set.verify(&["--ask", arg(&test_ask), "--ark", arg(&test_ark)]).rejects("untrusted-ark");
    // AMD's own chain of another family.
    let roots = snp_data().unwrap().join("amd-roots");
    set.verify(&["--ark", arg(&roots.join("milan_ark.pem"))]).rejects("untrusted-ark");
    set.verify(&["--ask", arg(&roots.join("milan_ask.pem"))]).rejects("chain-broken");
}

#[test]
fn a_vcek_of_another_chip_is_rejected() {
    let Some(genoa) = RealSet::unexpired(BASE_SET) else { return };
    let Some(milan) = RealSet::unexpired("msft-tav-milan") else { return };
    let Some(virtee) = RealSet::unexpired("virtee-sev-milan") else { return };
    milan.verify_report(&genoa.report, &[]).rejects("family-mismatch");
    // Same family, another chip (and TCB).
    let json = milan.verify_report(&virtee.report, &[]).exits(1).json();
    assert!(["tcb-mismatch", "chip-id-mismatch"].contains(&json["code"].as_str().unwrap()), "{json}");
}

#[test]
fn unreadable_input_and_bad_arguments_exit_2() {
    let Some(set) = RealSet::load(BASE_SET) else { return };
    let tmp = TempDir::new().unwrap();
    let missing = tmp.path().join("missing.bin");
    let garbage = write(&tmp, "garbage", b"not a report, not a certificate\n");
    set.verify_report(&missing, &[]).bad_input("missing.bin");
    set.verify_report(&garbage, &[]).bad_input("not an SEV-SNP report");
    set.verify(&["--ark", arg(&garbage)]).bad_input("ARK file");
    set.verify(&["--ask", arg(&missing)]).bad_input("ASK file");
    let garbage_vcek = ["attest", "verify-snp", "--report", arg(&set.report), "--vcek", arg(&garbage)];
    redoubt(&garbage_vcek).bad_input("not a certificate");
    // A bundle where one certificate is expected.
    set.verify(&["--ark", arg(&snp_data().unwrap().join("amd-roots/genoa_ask_ark_asvk.pem"))]).bad_input("found 3");
    // Malformed arguments are usage errors.
    for bad in [
        &["--measurement", "abcd"][..],
        &["--report-data", "zz"],
        &["--vmpl", "4"],
        &["--min-tcb", "pl=3"],
        &["--no-such-flag"],
    ] {
        let run = set.verify(bad).exits(2);
        assert!(run.stderr.starts_with("error: "), "{bad:?}: {}", run.stderr);
    }
    redoubt(&["attest", "verify-snp", "--vcek", arg(&set.vcek)]).exits(2);
}
