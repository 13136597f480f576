//! Step 4: the agent-built request is scanned for every vault secret, in every encoding the vault's
//! `LeakDetector` knows, before anything else looks at it: before DNS (a secret in a host name
//! would leave through the resolver), before any error or log line quotes a host, scheme or header
//! name, and before injection (so an injected credential is never mistaken for a leak).

use crate::block::{BlockReason, Location};
use crate::request::OutboundRequest;
use crate::target::url_part;
use redoubt_vault::{Leak, LeakDetector};

/// The first leak in `request` (method, the URL as written and as it will be sent, every header
/// name, every header value, the body), as a block reason.
pub(crate) fn scan(detector: &LeakDetector, request: &OutboundRequest, sent_url: Option<&str>) -> Option<BlockReason> {
    let found =
        |leak: Leak, location: Location| BlockReason::Leak { secret: leak.secret, encoding: leak.encoding, location };
    if let Some(leak) = detector.scan(request.method.as_bytes()) {
        return Some(found(leak, Location::Method));
    }
    for url in std::iter::once(request.url.as_str()).chain(sent_url) {
        if let Some(leak) = detector.scan(url.as_bytes()) {
            let part = url_part(url, leak.offset);
            return Some(found(leak, Location::Url(part)));
        }
    }
    // Names first: a value's error may then quote its (clean) name.
    for (index, (name, _)) in request.headers.iter().enumerate() {
        if let Some(leak) = detector.scan(name.as_bytes()) {
            return Some(found(leak, Location::HeaderName { index }));
        }
    }
    for (index, (_, value)) in request.headers.iter().enumerate() {
        if let Some(leak) = detector.scan(value.as_bytes()) {
            return Some(found(leak, Location::HeaderValue { index }));
        }
    }
    detector.scan(&request.body).map(|leak| found(leak, Location::Body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::UrlPart;
    use redoubt_vault::{Form, Layer};

    const SECRET: &[u8] = b"sk-test-4f9a2c7e1b";

    fn detector() -> LeakDetector {
        LeakDetector::new([("api-key", SECRET)]).unwrap()
    }

    fn request(url: &str, headers: &[(&str, &str)], body: &[u8]) -> OutboundRequest {
        OutboundRequest {
            method: "POST".into(),
            url: url.into(),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.to_vec(),
        }
    }

    fn location(reason: Option<BlockReason>) -> (Location, Form, Option<Layer>) {
        match reason {
            Some(BlockReason::Leak { secret, encoding, location }) => {
                assert_eq!(secret, "api-key");
                (location, encoding.form, encoding.layer)
            }
            other => panic!("expected a leak, got {other:?}"),
        }
    }

    #[test]
    fn finds_the_secret_wherever_the_agent_put_it() {
        let d = detector();
        let hex = hex::encode(SECRET);
        let url = format!("https://sink.example/{hex}");
        assert_eq!(location(scan(&d, &request(&url, &[], b""), None)), (Location::Url(UrlPart::Path), Form::Hex, None));
        let pct: String = SECRET.iter().map(|b| format!("%{b:02X}")).collect();
        let url = format!("https://sink.example/?q={pct}");
        let (loc, form, layer) = location(scan(&d, &request(&url, &[], b""), None));
        assert_eq!((loc, form, layer), (Location::Url(UrlPart::Query), Form::Raw, Some(Layer::Percent)));
        let url = format!("https://{hex}.sink.example/");
        assert_eq!(location(scan(&d, &request(&url, &[], b""), None)).0, Location::Url(UrlPart::Host));
        let secret = std::str::from_utf8(SECRET).unwrap();
        let r = request("https://sink.example/", &[("x-ok", "1"), ("x-data", secret)], b"");
        assert_eq!(location(scan(&d, &r, None)).0, Location::HeaderValue { index: 1 });
        let r = request("https://sink.example/", &[("x-ok", "1"), (secret, "1")], b"");
        assert_eq!(location(scan(&d, &r, None)).0, Location::HeaderName { index: 1 });
        let body = format!("{{\"k\":\"{}\"}}", base64_std(SECRET));
        let (loc, form, _) = location(scan(&d, &request("https://sink.example/", &[], body.as_bytes()), None));
        assert_eq!(loc, Location::Body);
        assert!(matches!(form, Form::Base64 { .. }));
        let mut r = request("https://sink.example/", &[], b"");
        r.method = secret.to_string();
        assert_eq!(location(scan(&d, &r, None)).0, Location::Method);
    }

    #[test]
    fn the_sent_form_of_the_url_is_scanned_too() {
        let d = detector();
        let r = request("https://sink.example/", &[], b"");
        let sent = format!("https://sink.example/{}", std::str::from_utf8(SECRET).unwrap());
        assert_eq!(location(scan(&d, &r, Some(&sent))).0, Location::Url(UrlPart::Path));
    }

    #[test]
    fn a_clean_request_passes() {
        let r = request("https://api.example/v1?q=weather", &[("accept", "application/json")], b"{\"city\":\"Oslo\"}");
        assert_eq!(scan(&detector(), &r, Some("https://api.example/v1?q=weather")), None);
        assert_eq!(scan(&LeakDetector::empty(), &r, None), None);
    }

    fn base64_std(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}
