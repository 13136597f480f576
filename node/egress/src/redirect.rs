//! Step 7: redirects, followed by hand. A redirect becomes a new agent-level request that goes
//! through every step again (leak scan of the new URL, allowlist, DNS and address checks,
//! injection for the new host only). Nothing injected is carried: each hop starts from the agent's
//! own headers, and the gate injects afresh what that hop's host allows.
//!
//! A secret the gate injected as a query parameter is taken out of the next URL first: a
//! `Location` that keeps the query (or is relative to a URL holding it) must not carry it on.
//!
//! Method and body follow RFC 9110 as browsers apply it: 303 turns anything but HEAD into a GET
//! without body, 301 and 302 turn a POST into a GET without body, 307 and 308 keep both. When the
//! origin changes, the agent's own `authorization`, `cookie` and `proxy-authorization` headers are
//! dropped too, as browsers and curl do.

use crate::block::BlockReason;
use crate::request::OutboundRequest;
use http::header::LOCATION;
use http::{HeaderMap, StatusCode};
use url::Url;

/// Headers that describe a body, dropped with it.
const BODY_HEADERS: &[&str] = &["content-type", "content-length", "content-encoding", "content-language"];
/// The agent's credentials, not sent to another origin.
const ORIGIN_HEADERS: &[&str] = &["authorization", "cookie", "proxy-authorization"];

/// Where a response redirects to: `None` when it is not a redirect (a 3xx without `Location` is an
/// ordinary response), else the absolute URL or why it is unusable.
pub(crate) fn location(status: StatusCode, headers: &HeaderMap, current: &Url) -> Option<Result<Url, BlockReason>> {
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let value = headers.get(LOCATION)?;
    let invalid = |why: String| BlockReason::InvalidUrl { why: format!("redirect location: {why}") };
    let next = value
        .to_str()
        .map_err(|_| invalid("not visible ASCII".to_string()))
        .and_then(|text| current.join(text).map_err(|e| invalid(e.to_string())));
    Some(next)
}

/// `url` without the query parameters named in `params` (the others kept byte for byte).
pub(crate) fn without_params(mut url: Url, params: &[String]) -> Url {
    let Some(query) = url.query() else { return url };
    let injected = |pair: &&str| {
        url::form_urlencoded::parse(pair.as_bytes()).next().is_some_and(|(name, _)| params.iter().any(|p| *p == name))
    };
    if !query.split('&').any(|pair| injected(&pair)) {
        return url;
    }
    let kept: Vec<&str> = query.split('&').filter(|pair| !pair.is_empty() && !injected(pair)).collect();
    let kept = kept.join("&");
    url.set_query(if kept.is_empty() { None } else { Some(&kept) });
    url
}

/// The request for the next hop: `previous` sent to `next`, after a `status` redirect.
pub(crate) fn follow(previous: &OutboundRequest, status: StatusCode, next: &Url, same_origin: bool) -> OutboundRequest {
    let to_get = match status.as_u16() {
        303 => previous.method != "HEAD",
        301 | 302 => previous.method == "POST",
        _ => false,
    };
    let dropped = |name: &str| {
        let name = name.to_ascii_lowercase();
        (to_get && BODY_HEADERS.contains(&name.as_str())) || (!same_origin && ORIGIN_HEADERS.contains(&name.as_str()))
    };
    OutboundRequest {
        method: if to_get { "GET".to_string() } else { previous.method.clone() },
        url: next.to_string(),
        headers: previous.headers.iter().filter(|(name, _)| !dropped(name)).cloned().collect(),
        body: if to_get { Vec::new() } else { previous.body.clone() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(location: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LOCATION, HeaderValue::from_str(location).unwrap());
        h
    }

    fn post() -> OutboundRequest {
        OutboundRequest {
            method: "POST".into(),
            url: "https://a.example/form".into(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Authorization".into(), "Bearer agent-own-token".into()),
                ("Cookie".into(), "s=1".into()),
                ("X-Trace".into(), "7".into()),
            ],
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn locations_resolve_against_the_current_url() {
        let current = Url::parse("https://a.example/dir/page?x=1").unwrap();
        let next = |s: StatusCode, loc: &str| location(s, &headers(loc), &current);
        assert_eq!(next(StatusCode::FOUND, "other").unwrap().unwrap().as_str(), "https://a.example/dir/other");
        assert_eq!(
            next(StatusCode::MOVED_PERMANENTLY, "//b.example/x").unwrap().unwrap().as_str(),
            "https://b.example/x"
        );
        assert_eq!(next(StatusCode::SEE_OTHER, "http://127.0.0.1/").unwrap().unwrap().as_str(), "http://127.0.0.1/");
        assert!(next(StatusCode::OK, "/elsewhere").is_none());
        assert!(next(StatusCode::NOT_MODIFIED, "/elsewhere").is_none());
        assert!(location(StatusCode::FOUND, &HeaderMap::new(), &current).is_none());
        assert!(matches!(next(StatusCode::FOUND, "https://[::1"), Some(Err(BlockReason::InvalidUrl { .. }))));
    }

    #[test]
    fn method_and_body_follow_the_status() {
        let next = Url::parse("https://a.example/done").unwrap();
        let r = follow(&post(), StatusCode::SEE_OTHER, &next, true);
        assert_eq!((r.method.as_str(), r.body.len()), ("GET", 0));
        assert!(!r.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")));
        let r = follow(&post(), StatusCode::FOUND, &next, true);
        assert_eq!(r.method, "GET");
        let r = follow(&post(), StatusCode::TEMPORARY_REDIRECT, &next, true);
        assert_eq!((r.method.as_str(), r.body.as_slice()), ("POST", &b"{}"[..]));
        assert_eq!(r.url, "https://a.example/done");
        let r = follow(&post(), StatusCode::PERMANENT_REDIRECT, &next, true);
        assert_eq!(r.headers.len(), 4, "same origin keeps the agent's headers");
    }

    #[test]
    fn injected_query_parameters_are_taken_out() {
        let url = Url::parse("https://a.example/x?q=1&key=s3cr%26t&b=x%20y").unwrap();
        let out = without_params(url.clone(), &["key".to_string()]);
        assert_eq!(out.as_str(), "https://a.example/x?q=1&b=x%20y");
        assert_eq!(without_params(url.clone(), &[]).as_str(), url.as_str());
        let only = Url::parse("https://a.example/x?key=v").unwrap();
        assert_eq!(without_params(only, &["key".to_string()]).as_str(), "https://a.example/x");
    }

    #[test]
    fn another_origin_loses_the_agents_credentials() {
        let next = Url::parse("https://b.example/").unwrap();
        let r = follow(&post(), StatusCode::TEMPORARY_REDIRECT, &next, false);
        let names: Vec<_> = r.headers.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
        assert_eq!(names, ["content-type", "x-trace"]);
    }
}
