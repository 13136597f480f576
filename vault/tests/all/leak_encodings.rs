//! The leak detector finds every encoding of a secret, at every alignment, however it is split or
//! escaped, and does not flag near misses. Encodings here are produced with the `base64`, `hex` and
//! `percent-encoding` crates directly, independently of the detector's own pattern code.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use redoubt_vault::{Alphabet, Form, Layer, LeakDetector};

/// A secret whose base64 uses '+' and '/' (and so differs between alphabets).
pub const SECRET: &[u8] = b"sk-\xfb\xef\xbe?>~token/value 0123";

fn detector() -> LeakDetector {
    LeakDetector::new([("api_key", SECRET), ("other", &b"an-unrelated-secret-0000"[..])]).unwrap()
}

/// The secret's encodings as an attacker (or an honest library) would write them.
pub fn independent_encodings(value: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("raw".to_string(), value.to_vec()),
        ("hex".to_string(), hex::encode(value).into_bytes()),
        ("HEX".to_string(), hex::encode_upper(value).into_bytes()),
    ];
    for (name, engine) in
        [("std", &STANDARD), ("std-nopad", &STANDARD_NO_PAD), ("url", &URL_SAFE), ("url-nopad", &URL_SAFE_NO_PAD)]
    {
        out.push((format!("base64 {name}"), engine.encode(value).into_bytes()));
        for k in 1..3usize {
            // The secret at byte offset k of a larger encoded buffer: the characters it alone decides.
            let mut buf = vec![0u8; k];
            buf.extend_from_slice(value);
            let enc = engine.encode(&buf).into_bytes();
            out.push((format!("base64 {name} at alignment {k}"), enc[(8 * k).div_ceil(6)..8 * buf.len() / 6].to_vec()));
        }
    }
    let every_byte: String = value.iter().map(|b| format!("%{b:02X}")).collect();
    out.push(("percent (every byte)".to_string(), every_byte.clone().into_bytes()));
    out.push(("percent (every byte, lowercase)".to_string(), every_byte.to_lowercase().into_bytes()));
    if let Ok(text) = std::str::from_utf8(value) {
        out.push((
            "percent (reserved only)".to_string(),
            utf8_percent_encode(text, NON_ALPHANUMERIC).to_string().into_bytes(),
        ));
    }
    out.push((
        "form-urlencoded".to_string(),
        url::form_urlencoded::byte_serialize(value).collect::<String>().into_bytes(),
    ));
    out
}

fn found_as(haystack: &[u8]) -> Vec<(String, Form, Option<Layer>)> {
    detector().scan_all(haystack).into_iter().map(|l| (l.secret, l.encoding.form, l.encoding.layer)).collect()
}

#[test]
fn every_independent_encoding_is_detected_in_context() {
    for (what, encoded) in independent_encodings(SECRET) {
        for (before, after) in [("", ""), ("GET /x?q=", " HTTP/1.1"), ("{\"data\":\"", "\"}"), ("prefix text ", "\n")] {
            let mut hay = before.as_bytes().to_vec();
            hay.extend_from_slice(&encoded);
            hay.extend_from_slice(after.as_bytes());
            let leak = detector().scan(&hay).unwrap_or_else(|| panic!("{what} not detected in {before:?}..{after:?}"));
            assert_eq!(leak.secret, "api_key", "{what}");
            let shown = leak.to_string();
            assert!(shown.contains("api_key") && !shown.contains("token/value"), "{shown}");
        }
    }
}

#[test]
fn base64_inside_a_larger_blob_is_found_at_every_alignment_in_both_alphabets_padded_or_not() {
    for k in 0..6usize {
        for tail in 0..4usize {
            let mut buf: Vec<u8> = (0..k as u8).map(|i| i.wrapping_mul(37)).collect();
            buf.extend_from_slice(SECRET);
            buf.extend((0..tail as u8).map(|i| i ^ 0xa5));
            for (alphabet, engine) in [
                (Alphabet::Standard, &STANDARD),
                (Alphabet::Standard, &STANDARD_NO_PAD),
                (Alphabet::UrlSafe, &URL_SAFE),
                (Alphabet::UrlSafe, &URL_SAFE_NO_PAD),
            ] {
                let hay = format!("payload={}&more=1", engine.encode(&buf));
                let found = found_as(hay.as_bytes());
                let expected = Form::Base64 { alphabet, alignment: (k % 3) as u8 };
                assert!(
                    found.iter().any(|(s, f, l)| s == "api_key" && *f == expected && l.is_none()),
                    "offset {k}, tail {tail}, {alphabet:?}: {found:?} in {hay}"
                );
            }
        }
    }
}

#[test]
fn hex_is_found_in_lower_upper_and_mixed_case() {
    let lower = hex::encode(SECRET);
    let mixed: String =
        lower.chars().enumerate().map(|(i, c)| if i % 3 == 0 { c.to_ascii_uppercase() } else { c }).collect();
    for hex in [lower.clone(), lower.to_uppercase(), mixed] {
        let found = found_as(format!("digest: {hex}.").as_bytes());
        assert_eq!(found, vec![("api_key".to_string(), Form::Hex, None)], "{hex}");
    }
}

#[test]
fn percent_encoding_is_found_in_every_mix_and_case() {
    let text = std::str::from_utf8(&SECRET[..3]).unwrap(); // "sk-"
    let rest = &SECRET[3..];
    let mut partly = text.to_string();
    partly.extend(
        rest.iter().map(|b| if b.is_ascii_alphanumeric() { (*b as char).to_string() } else { format!("%{b:02x}") }),
    );
    let upper_slash = partly.replace("%2f", "%2F");
    for (what, hay) in [
        ("reserved bytes only, lowercase", format!("/v1?key={partly}")),
        ("reserved bytes only, %2F", format!("/v1?key={upper_slash}")),
        ("every byte", format!("/v1?key={}", SECRET.iter().map(|b| format!("%{b:02X}")).collect::<String>())),
        (
            "mixed case escapes",
            format!(
                "/v1?key={}",
                SECRET
                    .iter()
                    .enumerate()
                    .map(|(i, b)| if i % 2 == 0 { format!("%{b:02x}") } else { format!("%{b:02X}") })
                    .collect::<String>()
            ),
        ),
    ] {
        let found = found_as(hay.as_bytes());
        assert!(
            found.iter().any(|(s, f, l)| s == "api_key" && *f == Form::Raw && *l == Some(Layer::Percent)),
            "{what}: {found:?}"
        );
    }
    // Form encoding: space as '+', '+' itself as %2B.
    let form: String = url::form_urlencoded::byte_serialize(SECRET).collect();
    assert!(form.contains('+'), "{form}");
    let found = found_as(format!("a=1&key={form}").as_bytes());
    assert!(found.iter().any(|(s, _, l)| s == "api_key" && *l == Some(Layer::FormUrlencoded)), "{found:?}");
    // Base64 whose '+' and '/' were percent-encoded in a query string.
    let b64 = STANDARD.encode(SECRET).replace('+', "%2B").replace('/', "%2f").replace('=', "%3D");
    let found = found_as(format!("?token={b64}").as_bytes());
    assert!(found.iter().any(|(_, f, l)| matches!(f, Form::Base64 { .. }) && *l == Some(Layer::Percent)), "{found:?}");
}

#[test]
fn base64_split_across_line_breaks_is_found() {
    // Put the secret where a wrap falls inside its encoding, for several line widths and breaks.
    for width in [16usize, 19, 64, 76] {
        for prefix in 0..6usize {
            let mut buf = vec![b'p'; 30 + prefix];
            buf.extend_from_slice(SECRET);
            buf.extend_from_slice(&[b's'; 40]);
            let enc = STANDARD.encode(&buf);
            for brk in ["\n", "\r\n", "\\n", "\\r\\n", "\n    "] {
                let wrapped: Vec<String> =
                    enc.as_bytes().chunks(width).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
                let hay = format!("-----BEGIN DATA-----\n{}\n-----END DATA-----", wrapped.join(brk));
                let found = found_as(hay.as_bytes());
                assert!(
                    found.iter().any(|(s, _, _)| s == "api_key"),
                    "width {width} prefix {prefix} break {brk:?}: {hay}"
                );
            }
        }
    }
    // The raw secret's hex, wrapped, too.
    let hex = hex::encode(SECRET);
    let hay = format!("{}\n{}", &hex[..20], &hex[20..]);
    let found = found_as(hay.as_bytes());
    assert!(found.contains(&("api_key".to_string(), Form::Hex, Some(Layer::LineWrapped))), "{found:?}");
}

#[test]
fn json_escaped_secrets_are_found() {
    // '/' escaped as "\/" (PHP's default), a control-free secret with \u escapes (Python's ascii mode).
    let secret = "tok/abc/def/0123456789";
    let d = LeakDetector::new([("s", secret.as_bytes())]).unwrap();
    let php = secret.replace('/', "\\/");
    let leak = d.scan(format!("{{\"token\":\"{php}\"}}").as_bytes()).unwrap();
    assert_eq!(leak.encoding.layer, Some(Layer::JsonEscaped));
    let unicode: String = secret.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
    assert!(d.scan(format!("{{\"t\":\"{unicode}\"}}").as_bytes()).is_some());
    let non_ascii = LeakDetector::new([("u", "pässwörd-ünïcode".as_bytes())]).unwrap();
    let json = serde_json::to_string("pässwörd-ünïcode").unwrap(); // raw UTF-8: found directly
    assert!(non_ascii.scan(json.as_bytes()).is_some());
    let escaped = "p\\u00e4ssw\\u00f6rd-\\u00fcn\\u00efcode";
    assert!(non_ascii.scan(escaped.as_bytes()).is_some());
}

#[test]
fn letter_case_changes_of_the_raw_secret_are_found() {
    let d = LeakDetector::new([("s", &b"AbCdEf-0123-gHiJ"[..])]).unwrap();
    assert!(d.scan(b"x abcdef-0123-ghij x").is_some());
    assert!(d.scan(b"x ABCDEF-0123-GHIJ x").is_some());
}

#[test]
fn near_misses_and_ordinary_text_are_not_flagged() {
    let d = detector();
    // One bit flipped mid-secret. (A flip in the last 2 to 4 bits of the last byte, or the first
    // bits of the first byte, would still match: base64 cores omit the bits a neighbouring byte
    // shares a character with, by design.)
    let mut near = SECRET.to_vec();
    near[SECRET.len() / 2] ^= 1;
    let mut benign: Vec<Vec<u8>> = vec![
        SECRET[..SECRET.len() - 1].to_vec(),
        SECRET[1..].to_vec(),
        near.clone(),
        hex::encode(&SECRET[..SECRET.len() - 1]).into_bytes(),
        hex::encode(&near).into_bytes(),
        STANDARD.encode(&SECRET[..SECRET.len() - 1]).into_bytes(),
        STANDARD.encode(&near).into_bytes(),
        URL_SAFE.encode(&SECRET[1..]).into_bytes(),
        b"an-unrelated-secret-000".to_vec(),
        b"an-unrelated-secret-0001".to_vec(),
        b"an_unrelated_secret_0000".to_vec(),
    ];
    benign.push(include_bytes!("main.rs").to_vec());
    benign.push(
        br#"{"users":[{"id":"7f0c2a4e-3b9d-4c1e-9a8f-2d6b5e4c3a21","name":"Ana","token_hint":"sk-...0123"}]}"#.to_vec(),
    );
    benign.push(b"GET /search?q=token%2Fvalue&page=2 HTTP/1.1\r\nAuthorization: Bearer sk-abc\r\n\r\n".to_vec());
    for hay in benign {
        assert_eq!(d.scan(&hay), None, "{:?}", String::from_utf8_lossy(&hay));
    }
}

#[test]
fn detector_refuses_secrets_too_short_to_scan_for() {
    assert!(LeakDetector::new([("s", &b"1234567"[..])]).is_err());
    assert!(LeakDetector::empty().scan(b"anything").is_none());
    assert!(LeakDetector::empty().is_empty());
}
