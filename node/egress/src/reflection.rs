//! Steps 4b and 8b: the deep check for the secrets the agent may use (those its manifest declares;
//! the ones injected into this request among them). The agent's request is checked before any
//! name is resolved (a secret in a host label would leave through the resolver), and the
//! response before the agent sees any of it. Each is checked as one message: status or request
//! line, every header name and value, the values again concatenated in order (a secret split
//! across two headers), trailers, then the body, already decoded from its content coding.
//!
//! A response that carries a secret in any form the check undoes is refused, not redacted: a
//! redaction that misses one form hands the agent the secret, and a host that reflects
//! credentials is not one to keep talking to. The vault's redaction of every other secret (step
//! 8c, `redact`) still runs on what passes.

use crate::block::BlockReason;
use crate::request::OutboundRequest;
use http::{HeaderMap, StatusCode};
use redoubt_vault::DeepScanner;

/// Where a message is going.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// The agent's request, before it leaves.
    Request,
    /// The host's response, before the agent sees it.
    Response,
}

impl Place {
    fn name(self) -> &'static str {
        match self {
            Place::Request => "request",
            Place::Response => "response",
        }
    }
}

/// Refuses `message` if it carries one of the scanner's secrets, or cannot be checked.
pub(crate) fn check(scanner: &DeepScanner, message: &[u8], place: Place) -> Result<(), BlockReason> {
    match scanner.check(message) {
        Ok(None) => Ok(()),
        Ok(Some(found)) => {
            Err(BlockReason::Reflected { secret: found.secret.clone(), form: found.form(), place: place.name() })
        }
        Err(e) => Err(BlockReason::Uncheckable { why: e.to_string(), place: place.name() }),
    }
}

/// The request as one message: method, the URL as written and as it will be sent, headers, body.
pub(crate) fn request_message(request: &OutboundRequest, sent_url: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(request.url.len() * 2 + request.body.len() + 256);
    for part in [request.method.as_str(), " ", &request.url, "\r\n", sent_url.unwrap_or_default(), "\r\n"] {
        out.extend_from_slice(part.as_bytes());
    }
    let headers: Vec<_> = request.headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())).collect();
    fields(&mut out, &headers);
    out.extend_from_slice(&request.body);
    out
}

/// The response as one message: status line, headers, trailers, decoded body.
pub(crate) fn response_message(status: StatusCode, headers: &HeaderMap, trailers: &HeaderMap, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 1024);
    out.extend_from_slice(format!("HTTP/1.1 {status}\r\n").as_bytes());
    for map in [headers, trailers] {
        let map: Vec<_> = map.iter().map(|(n, v)| (n.as_str().as_bytes(), v.as_bytes())).collect();
        fields(&mut out, &map);
    }
    out.extend_from_slice(body);
    out
}

/// `name: value` lines, then every value concatenated in order, then a blank line.
fn fields(out: &mut Vec<u8>, fields: &[(&[u8], &[u8])]) {
    for (name, value) in fields {
        for part in [name, &b": "[..], value, b"\r\n"] {
            out.extend_from_slice(part);
        }
    }
    for (_, value) in fields {
        out.extend_from_slice(value);
    }
    out.extend_from_slice(b"\r\n\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const SECRET: &[u8] = b"tok-9f8e7d6c5b4a3210";

    fn scanner() -> DeepScanner {
        DeepScanner::new([("api", SECRET)]).unwrap()
    }

    #[test]
    fn a_secret_split_across_two_headers_is_refused_with_its_form() {
        let mut h = HeaderMap::new();
        h.insert("x-a", HeaderValue::from_static("tok-9f8e7"));
        h.insert("x-b", HeaderValue::from_static("d6c5b4a3210"));
        let message = response_message(StatusCode::OK, &h, &HeaderMap::new(), b"{}");
        match check(&scanner(), &message, Place::Response) {
            Err(BlockReason::Reflected { secret, place, .. }) => {
                assert_eq!((secret.as_str(), place), ("api", "response"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_secret_in_a_trailer_or_the_request_is_found() {
        let mut t = HeaderMap::new();
        t.insert("x-t", HeaderValue::from_str(&hex::encode(SECRET)).unwrap());
        let message = response_message(StatusCode::OK, &HeaderMap::new(), &t, b"");
        assert!(check(&scanner(), &message, Place::Response).is_err());
        let labels = hex::encode(SECRET);
        let request = OutboundRequest {
            method: "GET".into(),
            url: format!("https://{}.{}.zone.example/", &labels[..20], &labels[20..]),
            headers: vec![],
            body: vec![],
        };
        let refused = check(&scanner(), &request_message(&request, None), Place::Request).unwrap_err();
        assert!(matches!(refused, BlockReason::Reflected { place: "request", .. }), "{refused}");
    }

    #[test]
    fn clean_messages_pass() {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        let message = response_message(StatusCode::OK, &h, &HeaderMap::new(), br#"{"temp":21,"city":"Oslo"}"#);
        assert_eq!(check(&scanner(), &message, Place::Response), Ok(()));
    }
}
