//! The deep check from the attacker's side: a secret reflected or re-encoded in every form an
//! agent could undo is found, and says how; a message too deep, too large or a decompression bomb
//! is refused, never passed unchecked.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use redoubt_vault::deep::{Reading, Step};
use redoubt_vault::{DeepError, DeepScanner};
use std::io::Write;

pub const SECRET: &[u8] = b"sk-live-4f9a2c7e1b8d3a6f0e5c";

pub fn scanner() -> DeepScanner {
    DeepScanner::new([("weather-key", SECRET)]).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

fn wrap(text: &str, width: usize) -> String {
    text.as_bytes().chunks(width).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n")
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn percent(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

fn rot13(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| match b {
            b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
            b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
            _ => b,
        })
        .collect()
}

fn reversed(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().rev().copied().collect()
}

fn text(s: &[u8]) -> &str {
    std::str::from_utf8(s).unwrap()
}

/// A realistic wrapper: an error page of a JSON API quoting what it received.
fn in_error(inner: &[u8]) -> Vec<u8> {
    [b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\r\n{\"error\":\"invalid key ", inner, b"\"}"]
        .concat()
}

/// Every form of the issue and more, each as the bytes a reflecting host would send.
pub fn forms() -> Vec<(&'static str, Vec<u8>)> {
    let s = SECRET;
    let hex = hex::encode(s);
    let mut f: Vec<(&'static str, Vec<u8>)> = vec![
        ("raw", in_error(s)),
        ("upper case", in_error(&s.to_ascii_uppercase())),
        ("hex", in_error(hex.as_bytes())),
        ("HEX", in_error(hex.to_uppercase().as_bytes())),
        ("percent", in_error(percent(s).as_bytes())),
        ("double percent", in_error(percent(percent(s).as_bytes()).as_bytes())),
        ("json \\u", in_error(s.iter().map(|b| format!("\\u{b:04x}")).collect::<String>().as_bytes())),
        ("html decimal entities", in_error(s.iter().map(|b| format!("&#{b};")).collect::<String>().as_bytes())),
        ("html hex entities", in_error(s.iter().map(|b| format!("&#x{b:x};")).collect::<String>().as_bytes())),
        ("base64", in_error(b64(s).as_bytes())),
        ("base64url", in_error(URL_SAFE_NO_PAD.encode(s).as_bytes())),
        ("base64 at 76 columns", wrap(&b64(&[&[7u8; 100][..], s, &[9u8; 100]].concat()), 76).into_bytes()),
        ("base64 at 4 columns", wrap(&b64(s), 4).into_bytes()),
        ("base64 at 7 columns", wrap(&b64(s), 7).into_bytes()),
        ("base64 nested twice", in_error(b64(b64(s).as_bytes()).as_bytes())),
        ("base64 of reversed", in_error(b64(&reversed(s)).as_bytes())),
        ("gzip body", gzip(&in_error(s))),
        ("gzip inside base64", in_error(b64(&gzip(s)).as_bytes())),
        ("zlib body", zlib(&in_error(s))),
        ("zstd body", zstd::encode_all(&in_error(s)[..], 3).unwrap()),
        ("reversed", in_error(&reversed(s))),
        ("one character per line", s.iter().flat_map(|&b| [b, b'\n']).collect()),
        ("spaces between characters", s.iter().flat_map(|&b| [b, b' ']).collect()),
        ("colon-separated hex", s.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":").into_bytes()),
        ("dash-separated characters", text(s).chars().map(String::from).collect::<Vec<_>>().join("|").into_bytes()),
        ("utf-16le", text(&in_error(s)).encode_utf16().flat_map(u16::to_le_bytes).collect()),
        ("utf-16be", text(&in_error(s)).encode_utf16().flat_map(u16::to_be_bytes).collect()),
        ("utf-32le", text(&in_error(s)).chars().flat_map(|c| (c as u32).to_le_bytes()).collect()),
        ("rot13", in_error(&rot13(s))),
        ("rot13 reversed", in_error(&reversed(&rot13(s)))),
        ("base32", in_error(data_encoding::BASE32.encode(s).as_bytes())),
        ("base32 lower case", in_error(data_encoding::BASE32_NOPAD.encode(s).to_lowercase().as_bytes())),
        ("quoted-printable", quoted_printable::encode(in_error(&s.iter().map(|b| b ^ 0x80).collect::<Vec<_>>()))),
        ("hex of reversed", in_error(hex::encode(reversed(s)).as_bytes())),
        ("percent-encoded base64", in_error(percent(b64(s).as_bytes()).as_bytes())),
        ("base64 in utf-16", b64(s).encode_utf16().flat_map(u16::to_le_bytes).collect()),
        ("a 12-byte piece", in_error(&s[10..22])),
        ("second half alone", in_error(&s[s.len() / 2..])),
        ("halves in two headers", [b"x-a: ", &s[..s.len() / 2], b"\r\nx-b: ", &s[s.len() / 2..], b"\r\n"].concat()),
        ("embedded in a long page", [&b"<p>lorem ipsum</p>".repeat(2000)[..], s, &b"<p>end</p>".repeat(2000)].concat()),
    ];
    for key in [0x01u8, 0x20, 0x5a, 0x80, 0xff] {
        f.push(("xor", s.iter().map(|b| b ^ key).collect()));
        f.push(("xor then base64", in_error(b64(&s.iter().map(|b| b ^ key).collect::<Vec<_>>()).as_bytes())));
    }
    f
}

#[test]
fn every_form_of_a_reflected_secret_is_found() {
    let scanner = scanner();
    let mut missed = Vec::new();
    for (name, message) in forms() {
        match scanner.check(&message) {
            Ok(Some(found)) => assert_eq!(found.secret, "weather-key"),
            other => missed.push(format!("{name}: {other:?}")),
        }
    }
    assert!(missed.is_empty(), "missed {} forms: {missed:#?}", missed.len());
}

#[test]
fn the_form_is_named() {
    let s = scanner();
    let found = |m: &[u8]| s.check(m).unwrap().unwrap();
    let f = found(&in_error(&gzip(b64(&reversed(SECRET)).as_bytes())));
    assert_eq!((f.reading, f.xor), (Reading::Reversed, None));
    assert!(f.form().contains("base64") && f.form().contains("reversed"), "{}", f.form());
    let f = found(hex::encode(b64(&reversed(SECRET))).as_bytes());
    assert_eq!((f.layers.clone(), f.reading, f.part), (vec![Step::Hex, Step::Base64], Reading::Reversed, false));
    assert_eq!(f.form(), "hex → base64 → reversed");
    let f = found(&SECRET.iter().map(|b| b ^ 0x5a).collect::<Vec<_>>());
    assert_eq!((f.xor, f.form()), (Some(0x5a), "as is, XOR 0x5a".to_string()));
    let f = found(&in_error(&SECRET[SECRET.len() / 2..]));
    assert!(f.part && f.form().ends_with("part of it"), "{}", f.form());
    assert!(!f.to_string().contains(text(SECRET)) && !f.to_string().contains(text(&SECRET[..8])));
}

#[test]
fn pieces_shorter_than_12_bytes_and_the_public_prefix_are_not_findings() {
    assert_eq!(scanner().check(&in_error(&SECRET[8..19])), Ok(None));
    assert_eq!(scanner().check(b"keys start with sk-live-4f9a (the first four are an example)"), Ok(None));
}

#[test]
fn a_gzip_bomb_is_refused() {
    let bomb = gzip(&vec![0u8; 32 << 20]);
    match scanner().check(&bomb) {
        Err(DeepError::Bomb(e)) => assert!(e.to_string().contains("decompression bomb"), "{e}"),
        other => panic!("{other:?}"),
    }
    let inside_base64 = in_error(b64(&gzip(&vec![b'a'; 24 << 20])).as_bytes());
    assert!(matches!(scanner().check(&inside_base64), Err(DeepError::Bomb(_))));
}

#[test]
fn nesting_deeper_than_the_check_follows_is_refused_not_passed() {
    let mut nested = SECRET.to_vec();
    for _ in 0..12 {
        nested = b64(&nested).into_bytes();
    }
    match scanner().check(&nested) {
        Err(DeepError::TooDeep { limit, layers }) => assert!(limit >= 4 && layers.contains("base64"), "{layers}"),
        other => panic!("{other:?}"),
    }
    // gzip of gzip keeps the inner stream in stored blocks: found, or refused, never passed.
    let mut gz = SECRET.to_vec();
    for _ in 0..10 {
        gz = gzip(&gz);
    }
    assert!(!matches!(scanner().check(&gz), Ok(None)));
}

#[test]
fn nesting_within_the_limit_is_followed() {
    let mut nested = SECRET.to_vec();
    for _ in 0..4 {
        nested = b64(&nested).into_bytes();
    }
    assert_eq!(scanner().check(&nested).unwrap().unwrap().layers, vec![Step::Base64; 4]);
}

#[test]
fn a_scanner_of_no_secret_passes_everything() {
    let empty = DeepScanner::new(std::iter::empty()).unwrap();
    assert_eq!(empty.check(SECRET), Ok(None));
}
