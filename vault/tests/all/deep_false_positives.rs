//! The deep check must not trip on ordinary traffic: API responses full of random base64, hex,
//! UUIDs, JSON, HTML and prose, checked against ten secrets of the shapes real credentials have.
//! The rate is printed (`--nocapture`) and must be zero on this corpus.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redoubt_vault::DeepScanner;

const WORDS: &[&str] = &[
    "the",
    "weather",
    "in",
    "Oslo",
    "is",
    "sunny",
    "with",
    "light",
    "winds",
    "from",
    "north",
    "order",
    "shipped",
    "customer",
    "invoice",
    "total",
    "amount",
    "currency",
    "EUR",
    "status",
    "pending",
    "completed",
    "request",
    "response",
    "token",
    "expires",
    "refresh",
    "session",
    "created",
    "updated",
    "description",
    "international",
    "characterization",
    "responsibilities",
    "configuration",
    "authentication",
    "implementation",
];

fn alnum(rng: &mut StdRng, len: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len).map(|_| A[rng.gen_range(0..A.len())] as char).collect()
}

fn bytes(rng: &mut StdRng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.r#gen()).collect()
}

fn bytes_in(rng: &mut StdRng, len: std::ops::Range<usize>) -> Vec<u8> {
    let len = rng.gen_range(len);
    bytes(rng, len)
}

fn prose_in(rng: &mut StdRng, words: std::ops::Range<usize>) -> String {
    let words = rng.gen_range(words);
    prose(rng, words)
}

fn uuid(rng: &mut StdRng) -> String {
    let h = hex::encode(bytes(rng, 16));
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

fn prose(rng: &mut StdRng, words: usize) -> String {
    (0..words).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect::<Vec<_>>().join(" ")
}

/// One response of a randomly chosen kind, 200 bytes to 64 KiB.
fn response(rng: &mut StdRng) -> Vec<u8> {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: ";
    let body = match rng.gen_range(0..6) {
        0 => {
            let items: Vec<String> = (0..rng.gen_range(1..60))
                .map(|_| {
                    format!(
                        r#"{{"id":"{}","sha256":"{}","etag":"{}","note":"{}"}}"#,
                        uuid(rng),
                        hex::encode(bytes(rng, 32)),
                        STANDARD.encode(bytes(rng, 18)),
                        prose(rng, 12)
                    )
                })
                .collect();
            format!("[{}]", items.join(","))
        }
        1 => format!(r#"{{"image":"{}"}}"#, STANDARD.encode(bytes_in(rng, 1000..48000))),
        2 => {
            let b64 = STANDARD.encode(bytes_in(rng, 2000..30000));
            let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
            format!("--b\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--", lines.join("\r\n"))
        }
        3 => format!(
            "<html><body><h1>{}</h1><p>{}</p><a href=\"/q?x={}&amp;y=%2F{}\">more</a></body></html>",
            prose(rng, 5),
            prose_in(rng, 50..3000),
            alnum(rng, 24),
            hex::encode(bytes(rng, 8))
        ),
        4 => format!(
            r#"{{"access_token":"{}","refresh_token":"{}","jwt":"{}.{}.{}","url":"https:\/\/cdn.example\/{}"}}"#,
            alnum(rng, 40),
            alnum(rng, 64),
            STANDARD.encode(bytes(rng, 30)),
            STANDARD.encode(bytes(rng, 120)),
            STANDARD.encode(bytes(rng, 64)),
            uuid(rng)
        ),
        _ => hex::encode(bytes_in(rng, 100..20000)),
    };
    format!("{head}{}\r\n\r\n{body}", uuid(rng)).into_bytes()
}

fn secrets(rng: &mut StdRng) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for i in 0..10 {
        let value = match i % 5 {
            0 => format!("sk-proj-{}", alnum(rng, 40)),
            1 => format!("ghp_{}", alnum(rng, 36)),
            2 => format!("AKIA{}", alnum(rng, 16).to_uppercase()),
            3 => hex::encode(bytes(rng, 16)),
            _ => alnum(rng, 24),
        };
        out.push((format!("secret-{i}"), value.into_bytes()));
    }
    out
}

#[test]
fn ordinary_responses_do_not_trip_the_check() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let secrets = secrets(&mut rng);
    let scanner = DeepScanner::new(secrets.iter().map(|(n, v)| (n.as_str(), v.as_slice()))).unwrap();
    let (mut checked, mut bytes, mut tripped, mut refused) = (0, 0, Vec::new(), Vec::new());
    for _ in 0..600 {
        let response = response(&mut rng);
        bytes += response.len();
        checked += 1;
        match scanner.check(&response) {
            Ok(None) => {}
            Ok(Some(found)) => tripped.push(found.to_string()),
            Err(e) => refused.push(e.to_string()),
        }
    }
    println!(
        "deep check false positives: {}/{checked} responses ({} MiB) tripped, {} refused",
        tripped.len(),
        bytes >> 20,
        refused.len()
    );
    refused.sort();
    refused.dedup();
    assert!(tripped.is_empty() && refused.is_empty(), "tripped: {tripped:?}, refused: {refused:?}");
}
