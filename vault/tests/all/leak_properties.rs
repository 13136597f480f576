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
