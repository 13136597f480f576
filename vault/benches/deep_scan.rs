//! The deep check's cost per response: a 1 MiB body (JSON, form-urlencoded, MIME base64) with the
//! secrets of one job (1 and 10), against today's leak scan of the same body in the same run
//! (`LeakDetector::scan` over 1,000 vault secrets, the scan every response already gets); and per
//! call on the small responses most API calls return.
//!
//! Run: `cargo bench -p redoubt-vault --bench deep_scan`

mod common;

use common::{BODY_LEN, Row, form_body, json_body, mime_body, time, timed_rows, token};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redoubt_vault::{DeepScanner, LeakDetector};
use std::hint::black_box;
use std::time::Duration;

const VAULT_SECRETS: usize = 1000;

fn main() {
    let mut rng = StdRng::seed_from_u64(0xdee9_5ca4);
    let secrets: Vec<(String, Vec<u8>)> = (0..VAULT_SECRETS)
        .map(|i| {
            let len = rng.gen_range(24..=48);
            (format!("secret_{i:04}"), token(&mut rng, len))
        })
        .collect();
    let vault = LeakDetector::new(secrets.iter().map(|(n, v)| (n.as_str(), v.as_slice()))).unwrap();
    let job = |n: usize| DeepScanner::new(secrets[..n].iter().map(|(n, v)| (n.as_str(), v.as_slice()))).unwrap();
    let (one, ten) = (job(1), job(10));
    let bodies =
        [("JSON", json_body(&mut rng)), ("form-urlencoded", form_body(&mut rng)), ("MIME base64", mime_body(&mut rng))];
    let small = br#"{"city":"Oslo","temp":21.5,"wind":{"speed":4.2,"dir":"NW"},"updated":"2026-12-07T05:00:00Z","id":"7f3e9a1c-55d0-4b24-8e1b-3a6f0e5c2d91"}"#;
    for (name, body) in &bodies {
        assert_eq!(one.check(body), Ok(None), "{name} must be clean");
        assert_eq!(ten.check(body), Ok(None), "{name} must be clean");
    }

    let mut rows: Vec<Row<'_>> = Vec::new();
    let vault = &vault;
    for (name, body) in &bodies {
        let body = body.as_slice();
        let label = |what: &str| -> &'static str { Box::leak(format!("{what}, {name}").into_boxed_str()) };
        rows.push((
            label("today: LeakDetector::scan, 1,000 secrets"),
            Box::new(move || drop(black_box(vault.scan(body)))),
        ));
        let (one, ten) = (&one, &ten);
        rows.push((label("deep check, 1 secret"), Box::new(move || drop(black_box(one.check(body))))));
        rows.push((label("deep check, 10 secrets"), Box::new(move || drop(black_box(ten.check(body))))));
    }
    let (names, times) = timed_rows(rows);

    println!("\ndeep check: 1 MiB bodies, one core; ratio against today's scan of the same body\n");
    println!("| {:<58} | {:>12} | {:>10} | {:>8} |", "scan", "time / MiB", "MB/s", "vs today");
    println!("|{:-<60}|{:-<14}|{:-<12}|{:-<10}|", "", "", "", "");
    for (i, (name, t)) in names.iter().zip(&times).enumerate() {
        let today = times[i - i % 3];
        let mbps = BODY_LEN as f64 / t.as_secs_f64() / 1e6;
        let ratio = t.as_secs_f64() / today.as_secs_f64();
        println!("| {name:<58} | {:>9.2} ms | {mbps:>10.0} | {ratio:>7.1}x |", t.as_secs_f64() * 1e3);
    }

    let per_call = |f: &dyn Fn()| time(f, Duration::from_secs(1));
    let today = per_call(&|| drop(black_box(vault.scan(black_box(small)))));
    let deep_one = per_call(&|| drop(black_box(one.check(black_box(small)))));
    let deep_ten = per_call(&|| drop(black_box(ten.check(black_box(small)))));
    println!("\nper call on a {}-byte JSON response:", small.len());
    println!(
        "  today's scan {:.2} µs; deep check {:.2} µs (1 secret), {:.2} µs (10 secrets)",
        us(today),
        us(deep_one),
        us(deep_ten)
    );
    // The egress gate benchmark's request: a 1 KiB POST of prose, as the gate checks it.
    let prose = format!(
        "POST http://127.0.0.1:8080/v1/query\r\nhttp://127.0.0.1:8080/v1/query\r\ncontent-type: application/json\r\n\
         application/json\r\n\r\n{{\"query\":\"{}\"}}",
        "weather in Oslo tomorrow ".repeat(40)
    );
    let gate_request = per_call(&|| drop(black_box(one.check(black_box(prose.as_bytes())))));
    println!("  deep check of the gate benchmark's 1 KiB request: {:.2} µs (1 secret)", us(gate_request));
    let build = time(|| drop(black_box(job(10))), Duration::from_secs(1));
    println!("  building the deep check of 10 secrets: {:.2} ms (once per agent, kept by the vault)", us(build) / 1e3);
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
