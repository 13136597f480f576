//! Redaction leaves no encoding of a secret behind, covers partial base64 characters and padding,
//! and can be limited to named secrets.

use crate::leak_encodings::{SECRET, independent_encodings};
use crate::support::*;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use redoubt_vault::{LeakDetector, Vault};
use std::borrow::Cow;

fn detector() -> LeakDetector {
    LeakDetector::new([("api_key", SECRET), ("db_password", &b"correct horse battery staple"[..])]).unwrap()
}

fn assert_clean(out: &[u8], context: &str) {
    for (what, needle) in independent_encodings(SECRET) {
        assert!(
            !out.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(&needle)),
            "{context}: {what} left in {:?}",
            String::from_utf8_lossy(out)
        );
    }
    let left: Vec<_> = detector().scan_all(out).into_iter().filter(|l| l.secret == "api_key").collect();
    assert!(left.is_empty(), "{context}: {left:?}");
}

#[test]
fn every_encoding_is_redacted_completely() {
    let d = detector();
    for (what, encoded) in independent_encodings(SECRET) {
        let mut hay = b"before ".to_vec();
        hay.extend_from_slice(&encoded);
        hay.extend_from_slice(b" after");
        let out = d.redact(&hay);
        assert_clean(&out, &what);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("before [REDACTED:api_key]"), "{what}: {text}");
        assert!(text.ends_with(" after"), "{what}: {text}");
    }
}

#[test]
fn a_whole_base64_value_goes_with_its_padding_and_edge_characters() {
    let d = detector();
    for k in 0..3usize {
        let mut buf = vec![0x11u8; k];
        buf.extend_from_slice(SECRET);
        let enc = STANDARD.encode(&buf);
        let out = d.redact(format!("x={enc};").as_bytes()).into_owned();
        let text = String::from_utf8(out).unwrap();
        // What remains of the encoding is only the characters the prefix bytes alone decide.
        let kept = (8 * k) / 6;
        assert_eq!(text, format!("x={}[REDACTED:api_key];", &enc[..kept]), "alignment {k}");
    }
}

#[test]
fn many_occurrences_in_many_encodings_in_one_body_all_go() {
    let mut body = Vec::new();
    for (i, (_, encoded)) in independent_encodings(SECRET).into_iter().enumerate() {
        body.extend_from_slice(format!("line {i}: ").as_bytes());
        body.extend_from_slice(&encoded);
        body.extend_from_slice(b" correct horse battery staple\n");
    }
    let wrapped: Vec<String> = STANDARD
        .encode([&b"xy"[..], SECRET, b"tail"].concat())
        .as_bytes()
        .chunks(16)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    body.extend_from_slice(wrapped.join("\r\n").as_bytes());
    let out = detector().redact(&body);
    assert_clean(&out, "mixed body");
    assert_eq!(detector().scan(&out), None);
    assert!(!out.windows(12).any(|w| w == b"correct hors"));
}

#[test]
fn redact_only_touches_the_named_secrets() {
    let d = detector();
    let hay = [b"a ", SECRET, b" b correct horse battery staple c"].concat();
    let out = d.redact_only(&hay, &["db_password"]);
    assert!(out.windows(SECRET.len()).any(|w| w == SECRET));
    assert!(String::from_utf8_lossy(&out).contains("[REDACTED:db_password]"));
    let out = d.redact_only(&hay, &["api_key"]);
    assert_clean(&out, "redact_only");
    assert!(String::from_utf8_lossy(&out).contains("correct horse battery staple"));
}

#[test]
fn clean_input_is_returned_borrowed_and_unchanged() {
    let d = detector();
    let hay = b"{\"status\":\"ok\",\"items\":[1,2,3],\"note\":\"nothing secret here\"}";
    assert!(matches!(d.redact(hay), Cow::Borrowed(_)));
    let overlapping = LeakDetector::new([("a", &b"abcdefgh-1"[..]), ("b", &b"gh-1234567"[..])]).unwrap();
    assert_eq!(&*overlapping.redact(b"<abcdefgh-1234567>"), b"<[REDACTED:a,b]>");
}

#[test]
fn a_secret_that_a_marker_would_reintroduce_withholds_the_output() {
    let d = LeakDetector::new([("REDACTED", &b"[REDACTED"[..])]).unwrap();
    assert_eq!(&*d.redact(b"x [REDACTED y"), b"");
}

#[test]
fn the_vault_keeps_its_detector_current() {
    let (_d, path) = vault_path();
    let mut v = Vault::create(&path, sealed_key()).unwrap();
    let before = v.leak_detector();
    v.add("tok", value("first-value-12345"), bearer_policy()).unwrap();
    assert!(before.is_empty(), "a detector handed out earlier is a snapshot");
    assert_eq!(v.leak_detector().scan(b"..first-value-12345..").unwrap().secret, "tok");
    v.rotate("tok", value("second-value-6789")).unwrap();
    assert!(v.leak_detector().scan(b"..second-value-6789..").is_some());
    let b64 = URL_SAFE_NO_PAD.encode("second-value-6789");
    assert!(v.leak_detector().scan(b64.as_bytes()).is_some());
    v.set_policy("tok", policy(&["*.example.com"], &["name:bot"], redoubt_vault::Injection::Bearer)).unwrap();
    assert!(v.leak_detector().scan(b"..second-value-6789..").is_some());
    v.remove("tok").unwrap();
    assert!(v.leak_detector().is_empty());
}
