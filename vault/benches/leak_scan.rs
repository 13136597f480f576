//! Leak-scan throughput: 1,000 random token-like secrets (16 to 64 bytes) over a 1 MiB body of
//! realistic JSON, one core, against a plain `memchr::memmem` search for one secret (the floor) and
//! against single-stage Aho-Corasick automata over the same patterns.
//!
//! Run: `cargo bench -p redoubt-vault --bench leak_scan`

mod common;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use common::{BODY_LEN, Row, form_body, json_body, mime_body, time, timed_rows, token};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redoubt_vault::LeakDetector;
use redoubt_vault::leak::patterns_of;
use std::hint::black_box;
use std::time::{Duration, Instant};

const SECRETS: usize = 1000;
fn row(what: &str, t: Duration, floor: Duration) {
    let gbps = BODY_LEN as f64 / t.as_secs_f64() / 1e9;
    let ratio = t.as_secs_f64() / floor.as_secs_f64();
    println!("| {what:<58} | {:>10.1} µs | {gbps:>7.2} GB/s | {ratio:>6.1}x |", t.as_secs_f64() * 1e6);
}

fn main() {
    let mut rng = StdRng::seed_from_u64(0x5eed_1eaf);
    let secrets: Vec<(String, Vec<u8>)> = (0..SECRETS)
        .map(|i| {
            let len = rng.gen_range(16..=64);
            (format!("secret_{i:04}"), token(&mut rng, len))
        })
        .collect();
    let pairs = || secrets.iter().map(|(n, v)| (n.as_str(), v.as_slice()));
    let body = json_body(&mut rng);
    let mut dirty = body.clone();
    let planted = &secrets[SECRETS / 2].1;
    let at = BODY_LEN - 200;
    dirty[at..at + planted.len()].copy_from_slice(planted);
    let form = form_body(&mut rng);
    let mime = mime_body(&mut rng);

    let build = time(|| drop(black_box(LeakDetector::new(pairs()).unwrap())), Duration::from_secs(1));
    let detector = LeakDetector::new(pairs()).unwrap();
    assert_eq!(detector.scan(&body), None, "the clean body must be clean");
    assert_eq!(detector.scan(&form), None, "the form body must be clean");
    assert_eq!(detector.scan(&mime), None, "the MIME body must be clean");
    assert_eq!(detector.scan(&dirty).map(|l| (l.secret, l.offset)), Some((secrets[SECRETS / 2].0.clone(), at)));

    let finder = memchr::memmem::Finder::new(&secrets[0].1);
    let rows: Vec<Row<'_>> = vec![
        (
            "memchr::memmem::Finder, one secret (floor)",
            Box::new(|| assert!(black_box(finder.find(black_box(&body))).is_none())),
        ),
        ("LeakDetector::scan, JSON body, no secret", Box::new(|| assert!(detector.scan(black_box(&body)).is_none()))),
        (
            "LeakDetector::scan, JSON body, one secret near the end",
            Box::new(|| assert!(detector.scan(black_box(&dirty)).is_some())),
        ),
        ("LeakDetector::redact, JSON body, no secret", Box::new(|| drop(black_box(detector.redact(black_box(&body)))))),
        (
            "LeakDetector::redact, JSON body, one secret near the end",
            Box::new(|| drop(black_box(detector.redact(black_box(&dirty))))),
        ),
        (
            "LeakDetector::scan, form-urlencoded body (percent view)",
            Box::new(|| assert!(detector.scan(black_box(&form)).is_none())),
        ),
        (
            "LeakDetector::scan, MIME base64 body (line view)",
            Box::new(|| assert!(detector.scan(black_box(&mime)).is_none())),
        ),
    ];
    let (names, times) = timed_rows(rows);
    let floor = times[0];

    println!(
        "\nleak scan: {SECRETS} secrets of 16-64 bytes, {} patterns, 1 MiB body, one core",
        detector.pattern_count()
    );
    println!("detector build time: {:.1} ms (median)\n", build.as_secs_f64() * 1e3);
    println!("| {:<58} | {:>13} | {:>12} | {:>7} |", "scan", "time / MiB", "throughput", "vs floor");
    println!("|{:-<60}|{:-<15}|{:-<14}|{:-<9}|", "", "", "", "");
    for (name, t) in names.iter().zip(times) {
        row(name, t, floor);
    }

    // Single-stage baselines: the same patterns in one automaton, no prefilter of ours.
    let patterns: Vec<Vec<u8>> = secrets.iter().flat_map(|(_, v)| patterns_of(v).into_iter().map(|(_, p)| p)).collect();
    for (label, kind) in [
        ("aho-corasick alone, default kind", None),
        ("aho-corasick alone, ContiguousNFA", Some(AhoCorasickKind::ContiguousNFA)),
        ("aho-corasick alone, DFA", Some(AhoCorasickKind::DFA)),
    ] {
        let t = Instant::now();
        let built = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(&patterns);
        let built_in = t.elapsed();
        match built {
            Ok(ac) => row(
                &format!("{label} (built in {:.0} ms)", built_in.as_secs_f64() * 1e3),
                time(|| assert!(ac.find(black_box(&body[..])).is_none()), Duration::from_secs(1)),
                floor,
            ),
            Err(e) => println!("| {label}: build failed: {e}"),
        }
    }
}
