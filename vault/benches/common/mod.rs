//! What the vault's benchmarks share: realistic 1 MiB bodies, random tokens, and the timing
//! method (medians of back-to-back calls, three passes through the rows, the fastest pass counts).

#![allow(dead_code)] // each benchmark uses part of it

use rand::Rng;
use rand::rngs::StdRng;
use std::time::{Duration, Instant};

pub const BODY_LEN: usize = 1 << 20;

pub const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
pub const WORDS: &[&str] = &[
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

pub fn token(rng: &mut StdRng, len: usize) -> Vec<u8> {
    (0..len).map(|_| TOKEN_CHARS[rng.gen_range(0..TOKEN_CHARS.len())]).collect()
}

pub fn sentence(rng: &mut StdRng) -> String {
    let n = rng.gen_range(6..30);
    (0..n).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect::<Vec<_>>().join(" ")
}

/// A 1 MiB JSON array of API-response-like records: ids, names, timestamps, URLs, prose, numbers.
pub fn json_body(rng: &mut StdRng) -> Vec<u8> {
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
pub fn form_body(rng: &mut StdRng) -> Vec<u8> {
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
pub fn mime_body(rng: &mut StdRng) -> Vec<u8> {
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
pub fn time(mut f: impl FnMut(), budget: Duration) -> Duration {
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
pub type Row<'a> = (&'a str, Box<dyn FnMut() + 'a>);

/// Each row's time: the median over about half a second of back-to-back calls (the body stays in
/// cache, as for a request just received), taken in three passes through all the rows; the
/// fastest pass counts, so that a slow spell of the shared machine does not land on one row only.
pub fn timed_rows<'a>(mut rows: Vec<Row<'a>>) -> (Vec<&'a str>, Vec<Duration>) {
    let mut best = vec![Duration::MAX; rows.len()];
    for _ in 0..3 {
        for ((_, f), best) in rows.iter_mut().zip(&mut best) {
            *best = (*best).min(time(f, Duration::from_millis(500)));
        }
    }
    (rows.into_iter().map(|(name, _)| name).collect(), best)
}
