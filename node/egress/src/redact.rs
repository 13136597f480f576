//! Step 8: redaction of the response before the agent sees it. Every vault secret, not only those
//! injected into this request, in every encoding the leak detector knows, is replaced by
//! `[REDACTED:<name>]` in header names, header values and the body.
//!
//! Why all secrets: the agent may hold none of them. An injected credential reflected by the
//! server is the common case, but a server may also return another vault secret it happens to know
//! (a shared upstream, a misconfigured API); that secret would then be in the agent's hands, ready
//! for a channel the gate does not see (job output, a delegated job). Scanning for all secrets
//! costs the same as scanning for a few: it is one automaton either way.

use http::HeaderMap;
use redoubt_vault::LeakDetector;

/// Header names and values as strings (non-UTF-8 bytes replaced), redacted.
pub(crate) fn headers(detector: &LeakDetector, headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (text(detector, name.as_str().as_bytes()), text(detector, value.as_bytes())))
        .collect()
}

/// The body, redacted.
pub(crate) fn body(detector: &LeakDetector, body: Vec<u8>) -> Vec<u8> {
    match detector.redact(&body) {
        std::borrow::Cow::Borrowed(_) => body,
        std::borrow::Cow::Owned(redacted) => redacted,
    }
}

fn text(detector: &LeakDetector, bytes: &[u8]) -> String {
    String::from_utf8_lossy(&detector.redact(bytes)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use http::HeaderValue;

    const A: &[u8] = b"token-A-7f3e9a1c55";
    const B: &[u8] = b"token-B-0d4b8e2f66";

    fn detector() -> LeakDetector {
        LeakDetector::new([("a", A), ("b", B)]).unwrap()
    }

    #[test]
    fn every_secret_in_every_place_is_redacted() {
        let d = detector();
        let mut h = HeaderMap::new();
        h.insert("x-echo", HeaderValue::from_bytes(&[b"Bearer ", A].concat()).unwrap());
        h.insert("x-other", HeaderValue::from_str(&hex::encode(B)).unwrap());
        h.insert("content-type", HeaderValue::from_static("text/plain"));
        let out = headers(&d, &h);
        assert!(out.contains(&("x-echo".into(), "Bearer [REDACTED:a]".into())), "{out:?}");
        assert!(out.contains(&("x-other".into(), "[REDACTED:b]".into())), "{out:?}");
        assert!(out.contains(&("content-type".into(), "text/plain".into())));
        let b64 = base64::engine::general_purpose::STANDARD.encode([b"auth=", A].concat());
        let body =
            body(&d, format!("{{\"seen\":\"{b64}\",\"also\":\"{}\"}}", std::str::from_utf8(B).unwrap()).into_bytes());
        let body = String::from_utf8(body).unwrap();
        assert!(body.contains("[REDACTED:a]") && body.contains("[REDACTED:b]"), "{body}");
        assert!(d.scan(body.as_bytes()).is_none());
    }

    #[test]
    fn clean_bodies_are_untouched() {
        let body = b"{\"temp\": 21}".to_vec();
        assert_eq!(super::body(&detector(), body.clone()), body);
    }
}
