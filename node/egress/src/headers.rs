//! Step 6 (request side): the method and the headers the agent set. The gate frames and routes
//! every request itself, so an agent header that would change routing, framing or the protocol is
//! refused, and one that merely restates what the gate does is dropped:
//!
//! | header | treatment |
//! |---|---|
//! | `host` naming the URL's own host and port | dropped (the gate writes it) |
//! | `host` naming anything else | refused: it would route the request elsewhere on a shared front end |
//! | `content-length` equal to the body's length | dropped (the gate writes it) |
//! | `content-length` of another value | refused: request smuggling |
//! | `transfer-encoding`, `te`, `trailer`, `upgrade`, `expect`, `proxy-*` | refused |
//! | `connection`, `keep-alive` | dropped: hop-by-hop, the gate manages its own connection |
//! | `accept-encoding` | replaced by the codings the gate decodes itself (see `content_coding`) |
//! | anything with an invalid name or value (CR, LF, NUL) | refused |
//!
//! Methods: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS. CONNECT (a tunnel past the gate) and
//! TRACE (echoes the request, injected credentials included) are refused, as are extension methods.

use crate::block::BlockReason;
use http::header::{ACCEPT_ENCODING, HeaderName, HeaderValue};
use http::{HeaderMap, Method};

const METHODS: [Method; 7] =
    [Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::OPTIONS];

const REFUSED: &[(&str, &str)] = &[
    ("transfer-encoding", "the gate frames the body itself"),
    ("te", "the gate negotiates transfer codings itself"),
    ("trailer", "trailers are not sent"),
    ("upgrade", "switching protocols would leave the gate's control"),
    ("expect", "the gate sends the body itself"),
];

const DROPPED: &[&str] = &["connection", "keep-alive"];

/// The method, checked.
pub(crate) fn method(method: &str) -> Result<Method, BlockReason> {
    let refused = || BlockReason::MethodRefused { method: method.to_string() };
    let parsed = Method::from_bytes(method.as_bytes()).map_err(|_| refused())?;
    METHODS.contains(&parsed).then_some(parsed).ok_or_else(refused)
}

/// The headers to send: the agent's, after the rules above, plus the gate's `accept-encoding`.
/// `authority` is what the gate will send as `Host`.
pub(crate) fn prepare(
    headers: &[(String, String)],
    body_len: usize,
    authority: &str,
) -> Result<HeaderMap, BlockReason> {
    let mut out = HeaderMap::with_capacity(headers.len() + 1);
    for (name, value) in headers {
        let refuse = |why: &'static str| BlockReason::HeaderRefused { name: name.to_ascii_lowercase(), why };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| refuse("not a valid header name"))?;
        let value = HeaderValue::from_str(value).map_err(|_| refuse("the value has control characters"))?;
        let lower = header.as_str();
        if let Some((_, why)) = REFUSED.iter().find(|(n, _)| *n == lower) {
            return Err(refuse(why));
        }
        if lower.starts_with("proxy-") {
            return Err(refuse("proxy headers are the gate's, not the agent's"));
        }
        if lower == "host" {
            if !value.as_bytes().eq_ignore_ascii_case(authority.as_bytes()) {
                return Err(refuse("it names another host than the URL (routing override)"));
            }
            continue;
        }
        if lower == "content-length" {
            if value.to_str().ok().and_then(|v| v.trim().parse::<usize>().ok()) != Some(body_len) {
                return Err(refuse("it does not match the body's length"));
            }
            continue;
        }
        if DROPPED.contains(&lower) || header == ACCEPT_ENCODING {
            continue;
        }
        out.append(header, value);
    }
    out.insert(ACCEPT_ENCODING, HeaderValue::from_static(crate::content_coding::ACCEPTED));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn refused(list: &[(&str, &str)], body_len: usize) -> &'static str {
        match prepare(&h(list), body_len, "api.example.com") {
            Err(BlockReason::HeaderRefused { why, .. }) => why,
            other => panic!("{list:?} accepted: {other:?}"),
        }
    }

    #[test]
    fn routing_and_framing_overrides_are_refused() {
        refused(&[("Host", "169.254.169.254")], 0);
        refused(&[("host", "internal.example.com")], 0);
        refused(&[("Content-Length", "5")], 10);
        refused(&[("content-length", "10, 10")], 10);
        refused(&[("Transfer-Encoding", "chunked")], 0);
        refused(&[("TE", "trailers")], 0);
        refused(&[("Upgrade", "websocket")], 0);
        refused(&[("Expect", "100-continue")], 0);
        refused(&[("Proxy-Authorization", "Basic Zm9vOmJhcg==")], 0);
        refused(&[("Trailer", "x-checksum")], 0);
        refused(&[("bad header", "1")], 0);
        refused(&[("x-smuggle", "a\r\nHost: evil")], 0);
    }

    #[test]
    fn restatements_are_dropped_and_the_gates_encodings_are_asked_for() {
        let out = prepare(
            &h(&[
                ("Host", "API.example.com"),
                ("Content-Length", "3"),
                ("Connection", "keep-alive, authorization"),
                ("Keep-Alive", "timeout=5"),
                ("Accept-Encoding", "compress"),
                ("Accept", "application/json"),
                ("X-Multi", "a"),
                ("x-multi", "b"),
            ]),
            3,
            "api.example.com",
        )
        .unwrap();
        assert!(out.get("host").is_none() && out.get("content-length").is_none() && out.get("connection").is_none());
        assert!(out.get("keep-alive").is_none());
        assert_eq!(out.get("accept-encoding").unwrap(), "gzip, deflate, br, zstd");
        assert_eq!(out.get("accept").unwrap(), "application/json");
        assert_eq!(out.get_all("x-multi").iter().count(), 2);
    }

    #[test]
    fn methods() {
        for ok in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            assert!(method(ok).is_ok(), "{ok}");
        }
        for bad in ["CONNECT", "TRACE", "TRACK", "get", "PROPFIND", "", "GET /x HTTP/1.1"] {
            assert!(matches!(method(bad), Err(BlockReason::MethodRefused { .. })), "{bad}");
        }
    }
}
