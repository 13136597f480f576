//! Property tests: for arbitrary secrets in arbitrary surroundings, every encoding is found and
//! redaction removes it; arbitrary text without the secret is not flagged.

use crate::leak_encodings::independent_encodings;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proptest::collection::vec;
use proptest::prelude::*;
use redoubt_vault::LeakDetector;

fn contains_ignoring_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_encoding_in_any_context_is_found_and_redacted(
        secret in vec(any::<u8>(), 8..48),
        prefix in vec(any::<u8>(), 0..32),
        suffix in vec(any::<u8>(), 0..32),
    ) {
        let d = LeakDetector::new([("s", &secret[..])]).unwrap();
        for (what, encoded) in independent_encodings(&secret) {
            let hay = [&prefix[..], &encoded, &suffix].concat();
            prop_assert!(d.scan(&hay).is_some(), "{} not found", what);
            let out = d.redact(&hay);
            prop_assert!(!contains_ignoring_case(&out, &encoded), "{} left after redaction", what);
            prop_assert!(d.scan(&out).is_none(), "{} still detected after redaction", what);
        }
    }

    #[test]
    fn base64_of_any_buffer_holding_the_secret_is_found_and_redacted(
        secret in vec(any::<u8>(), 8..48),
        before in vec(any::<u8>(), 0..20),
        after in vec(any::<u8>(), 0..20),
        wrap in prop_oneof![Just(0usize), 16usize..80],
    ) {
        let d = LeakDetector::new([("s", &secret[..])]).unwrap();
        let buf = [&before[..], &secret, &after].concat();
        for encoded in [STANDARD.encode(&buf), URL_SAFE_NO_PAD.encode(&buf)] {
            let text = match wrap {
                0 => encoded,
                w => encoded.as_bytes().chunks(w).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("\r\n"),
            };
            let hay = format!("body: {text}\n");
            prop_assert!(d.scan(hay.as_bytes()).is_some(), "not found in {}", hay);
            let out = d.redact(hay.as_bytes());
            prop_assert!(d.scan(&out).is_none(), "still detected in {}", String::from_utf8_lossy(&out));
        }
    }

    /// A long body of wrapped base64 is read mostly through its line view (the plain scan skips
    /// the inside of the span the view stands in for): a secret anywhere in it, inside a line,
    /// across a break, or near either end of the span, is still found and redacted.
    #[test]
    fn a_secret_anywhere_in_a_long_wrapped_body_is_found_and_redacted(
        secrets in vec("[A-Za-z0-9+/]{16,64}", 1..4),
        which in any::<prop::sample::Index>(),
        stream in "[A-Za-z0-9+/]{200,2500}",
        at in any::<prop::sample::Index>(),
        width in 16usize..100,
        crlf in any::<bool>(),
        indent in 0usize..3,
    ) {
        let pairs: Vec<(String, &[u8])> =
            secrets.iter().enumerate().map(|(i, s)| (format!("s{i}"), s.as_bytes())).collect();
        let d = LeakDetector::new(pairs.iter().map(|(n, v)| (n.as_str(), *v))).unwrap();
        let planted = which.get(&secrets);
        let at = at.index(stream.len() + 1);
        let unwrapped = format!("{}{planted}{}", &stream[..at], &stream[at..]);
        let eol = format!("{}{}", if crlf { "\r\n" } else { "\n" }, " ".repeat(indent));
        let lines: Vec<&str> = unwrapped.as_bytes().chunks(width).map(|c| std::str::from_utf8(c).unwrap()).collect();
        let hay = format!("Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--boundary--\r\n", lines.join(&eol));
        let name = &pairs[secrets.iter().position(|s| s == planted).unwrap()].0;
        prop_assert!(
            d.scan_all(hay.as_bytes()).iter().any(|l| &l.secret == name),
            "{} at {} (width {}) not found", name, at, width
        );
        let out = d.redact(hay.as_bytes());
        prop_assert!(!d.scan_all(&out).iter().any(|l| &l.secret == name), "still detected after redaction");
    }

    #[test]
    fn text_without_the_secret_is_not_flagged(
        secret in "[A-Za-z0-9_-]{16,40}",
        text in "[ -~\n]{0,3000}",
    ) {
        prop_assume!(!text.to_ascii_lowercase().contains(&secret.to_ascii_lowercase()));
        let d = LeakDetector::new([("s", secret.as_bytes())]).unwrap();
        prop_assert!(d.scan(text.as_bytes()).is_none());
    }
}
