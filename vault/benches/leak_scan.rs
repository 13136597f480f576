//! Leak-scan throughput: 1,000 random token-like secrets (16 to 64 bytes) over a 1 MiB body of
//! realistic JSON, one core, against a plain `memchr::memmem` search for one secret (the floor) and
//! against single-stage Aho-Corasick automata over the same patterns.
//!
//! Run: `cargo bench -p redoubt-vault --bench leak_scan`

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redoubt_vault::LeakDetector;
use redoubt_vault::leak::patterns_of;
use std::hint::black_box;
use std::time::{Duration, Instant};

const BODY_LEN: usize = 1 << 20;
const SECRETS: usize = 1000;
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const WORDS: &[&str] = &[
    "the",
    "agent",
    "request",
    "returned",
    "a",
    "summary",
    "of",
    "weather",
    "for",
    "tomorrow",
    "with",
    "light",
    "rain",
    "and",
    "wind",
    "from",
    "north",
    "market",
    "job",
    "completed",
    "payment",
    "released",
    "to",
    "node",
    "after",
    "review",
    "error",
    "retrying",
    "connection",
    "timeout",
    "user",
    "asked",
    "about",
    "price",
    "history",
    "token",
    "balance",
    "account",
    "contract",
    "receipt",
    "signed",
    "verified",
    "batch",
    "anchored",
    "on",
    "chain",
    "model",
    "output",
    "tokens",
    "latency",
    "ms",
    "cache",
    "hit",
    "miss",
    "Please",
    "note",
    "that",
    "this",
    "is",
    "not",
];

fn token(rng: &mut StdRng, len: usize) -> Vec<u8> {
    (0..len).map(|_| TOKEN_CHARS[rng.gen_range(0..TOKEN_CHARS.len())]).collect()
}

fn sentence(rng: &mut StdRng) -> String {
    let n = rng.gen_range(6..30);
    (0..n).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect::<Vec<_>>().join(" ")
}

/// A 1 MiB JSON array of API-response-like records: ids, names, timestamps, URLs, prose, numbers.
fn json_body(rng: &mut StdRng) -> Vec<u8> {
    let mut out = b"[".to_vec();
    while out.len() < BODY_LEN {
        let record = serde_json::json!({
            "id": format!("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", rng.r#gen::<u32>(), rng.r#gen::<u16>(),
                rng.gen_range(0..0x1000), rng.gen_range(0..0x1000), rng.r#gen::<u64>() & 0xffff_ffff_ffff),
            "user": format!("user{}@example.com", rng.gen_range(0..100_000)),
            "created_at": format!("2026-0{}-{:02}T{:02}:{:02}:{:02}Z", rng.gen_range(1..10), rng.gen_range(1..29),
                rng.gen_range(0..24), rng.gen_range(0..60), rng.gen_range(0..60)),
            "url": format!("https://api.example.com/v1/jobs/{}/results?page={}", rng.gen_range(0..1_000_000), rng.gen_range(1..50)),
            "text": sentence(rng),
            "score": rng.r#gen::<f64>(),
            "tags": [WORDS[rng.gen_range(0..WORDS.len())], WORDS[rng.gen_range(0..WORDS.len())]],
            "ok": rng.gen_bool(0.9),
        });
        out.extend_from_slice(&serde_json::to_vec(&record).unwrap());
        out.push(b',');
    }
    out.truncate(BODY_LEN - 1);
    out.push(b']');
    out
}

/// A 1 MiB form-urlencoded body: many `%XX` escapes and `+` spaces, the percent view's worst case.
fn form_body(rng: &mut StdRng) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < BODY_LEN {
        let text = format!("{} / {}?", sentence(rng), rng.gen_range(0..1000));
        out.extend_from_slice(format!("f{}=", rng.gen_range(0..100)).as_bytes());
        out.extend(url::form_urlencoded::byte_serialize(text.as_bytes()).flat_map(|s| s.bytes()));
        out.push(b'&');
    }
    out.truncate(BODY_LEN);
    out
}

/// A 1 MiB MIME body: random bytes in base64 wrapped at 76 columns, the line view's worst case.
fn mime_body(rng: &mut StdRng) -> Vec<u8> {
    use base64::Engine;
    let raw: Vec<u8> = (0..BODY_LEN * 3 / 4).map(|_| rng.r#gen()).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
    let mut out = b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.truncate(BODY_LEN);
    out
}

/// Median time of `f` over enough runs to fill about `budget` (at least 5).
fn time(mut f: impl FnMut(), budget: Duration) -> Duration {
    f();
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 5 || (start.elapsed() < budget && samples.len() < 200) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

/// A named benchmark row: what it measures, and one call of it.
type Row<'a> = (&'a str, Box<dyn FnMut() + 'a>);

/// Each row's time: the median over about half a second of back-to-back calls (the body stays in
/// cache, as for a request just received), taken in three passes through all the rows; the
/// fastest pass counts, so that a slow spell of the shared machine does not land on one row only.
fn timed_rows<'a>(mut rows: Vec<Row<'a>>) -> (Vec<&'a str>, Vec<Duration>) {
    let mut best = vec![Duration::MAX; rows.len()];
    for _ in 0..3 {
        for ((_, f), best) in rows.iter_mut().zip(&mut best) {
            *best = (*best).min(time(f, Duration::from_millis(500)));
        }
    }
    (rows.into_iter().map(|(name, _)| name).collect(), best)
}

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
