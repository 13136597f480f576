//! `Injection`: how a granted secret is placed into an outgoing request (header template, bearer,
//! basic auth, or query parameter), and the code that places it.

use crate::VaultError;
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use url::{Url, form_urlencoded};
use zeroize::Zeroizing;

/// The placeholder a header template must contain exactly once.
pub const PLACEHOLDER: &str = "{secret}";

/// Headers a secret may never be injected into: they frame or route the request.
const FORBIDDEN_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "keep-alive",
    "proxy-connection",
    "expect",
];

/// How a secret is injected. Serialized with a `kind` tag, e.g. `{"kind":"bearer"}` or
/// `{"kind":"header","name":"x-api-key","template":"{secret}"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "RawInjection")]
pub enum Injection {
    /// Header `name` set to `template` with `{secret}` (exactly once) replaced by the value.
    Header {
        /// Header name (not a framing or routing header such as `host` or `content-length`).
        name: String,
        /// Visible ASCII text containing `{secret}` exactly once.
        template: String,
    },
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// `Authorization: Basic base64(<username>:<secret>)`.
    Basic {
        /// The user id (no `:` and no control characters, per RFC 7617).
        username: String,
    },
    /// Query parameter `param` set to the form-urlencoded value (replacing any the agent set).
    Query {
        /// Parameter name.
        param: String,
    },
}

/// The serde input form, strict: exactly the fields of the named kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInjection {
    kind: String,
    name: Option<String>,
    template: Option<String>,
    username: Option<String>,
    param: Option<String>,
}

impl TryFrom<RawInjection> for Injection {
    type Error = String;
    fn try_from(raw: RawInjection) -> Result<Injection, String> {
        let injection = match (raw.kind.as_str(), raw.name, raw.template, raw.username, raw.param) {
            ("header", Some(name), Some(template), None, None) => Injection::Header { name, template },
            ("bearer", None, None, None, None) => Injection::Bearer,
            ("basic", None, None, Some(username), None) => Injection::Basic { username },
            ("query", None, None, None, Some(param)) => Injection::Query { param },
            (kind, ..) => {
                return Err(format!(
                    "injection kind {kind:?} with these fields is not one of: header (name, template), \
                     bearer, basic (username), query (param)"
                ));
            }
        };
        Ok(injection)
    }
}

/// The place in a request an injection writes to; two granted secrets may not share one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InjectionTarget {
    /// A header, by lowercase name.
    Header(String),
    /// A query parameter, by name.
    Query(String),
}

impl std::fmt::Display for InjectionTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InjectionTarget::Header(h) => write!(f, "header {h}"),
            InjectionTarget::Query(p) => write!(f, "query parameter {p:?}"),
        }
    }
}

impl Injection {
    /// Checks the injection is well formed.
    pub fn validate(&self) -> Result<(), VaultError> {
        let bad = |why: String| Err(VaultError::InvalidPolicy(why));
        match self {
            Injection::Header { name, template } => {
                let header = HeaderName::from_bytes(name.as_bytes());
                let Ok(header) = header else { return bad(format!("header name {name:?} is not a valid header name")) };
                if FORBIDDEN_HEADERS.contains(&header.as_str()) || header.as_str().starts_with("proxy-") {
                    return bad(format!("header {header} frames or routes the request; a secret may not go there"));
                }
                if template.matches(PLACEHOLDER).count() != 1 {
                    return bad(format!("header template must contain {PLACEHOLDER} exactly once"));
                }
                if HeaderValue::from_str(&template.replace(PLACEHOLDER, "")).is_err() {
                    return bad("header template must be visible ASCII, spaces or tabs".to_string());
                }
                Ok(())
            }
            Injection::Bearer => Ok(()),
            Injection::Basic { username } => {
                if username.contains(':') || username.chars().any(char::is_control) {
                    return bad("basic-auth username may not contain ':' or control characters".to_string());
                }
                Ok(())
            }
            Injection::Query { param } => {
                if param.is_empty() || param.len() > 256 {
                    return bad("query parameter name must be 1 to 256 characters".to_string());
                }
                Ok(())
            }
        }
    }

    /// Where in the request this injection writes.
    pub fn target(&self) -> InjectionTarget {
        match self {
            Injection::Header { name, .. } => InjectionTarget::Header(name.to_ascii_lowercase()),
            Injection::Bearer | Injection::Basic { .. } => InjectionTarget::Header("authorization".to_string()),
            Injection::Query { param } => InjectionTarget::Query(param.clone()),
        }
    }

    /// Writes `value` (the plaintext of `secret`) into the request.
    pub(crate) fn apply(
        &self,
        secret: &str,
        value: &[u8],
        url: &mut Url,
        headers: &mut HeaderMap,
    ) -> Result<(), VaultError> {
        // Buffers are sized up front: a reallocation would leave a copy of the value un-zeroized.
        let mut text = Zeroizing::new(Vec::<u8>::with_capacity(self.rendered_len(value.len())));
        let header = match self {
            Injection::Header { name, template } => {
                let (before, after) = template.split_once(PLACEHOLDER).ok_or_else(|| invalid(secret))?;
                text.extend_from_slice(before.as_bytes());
                text.extend_from_slice(value);
                text.extend_from_slice(after.as_bytes());
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid(secret))?
            }
            Injection::Bearer => {
                text.extend_from_slice(b"Bearer ");
                text.extend_from_slice(value);
                http::header::AUTHORIZATION
            }
            Injection::Basic { username } => {
                let mut credentials = Zeroizing::new(Vec::with_capacity(username.len() + 1 + value.len()));
                credentials.extend_from_slice(username.as_bytes());
                credentials.push(b':');
                credentials.extend_from_slice(value);
                let mut encoded = Zeroizing::new(String::with_capacity(base64_len(credentials.len())));
                base64::engine::general_purpose::STANDARD.encode_string(credentials.as_slice(), &mut encoded);
                text.extend_from_slice(b"Basic ");
                text.extend_from_slice(encoded.as_bytes());
                http::header::AUTHORIZATION
            }
            Injection::Query { param } => {
                set_query_param(url, param, value);
                return Ok(());
            }
        };
        let mut header_value = HeaderValue::from_bytes(&text).map_err(|_| header_bytes_error(secret))?;
        header_value.set_sensitive(true);
        headers.insert(header, header_value);
        Ok(())
    }

    /// Checks `value` can be injected this way: header forms carry it as-is, so it may hold no
    /// control characters. Checked when a value or policy is stored, not first at request time.
    pub(crate) fn check_value(&self, secret: &str, value: &[u8]) -> Result<(), VaultError> {
        let carried_raw = matches!(self, Injection::Header { .. } | Injection::Bearer);
        if carried_raw && !value.iter().all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f)) {
            return Err(header_bytes_error(secret));
        }
        Ok(())
    }

    /// Length of the header text for a value of `len` bytes (0 for query parameters).
    fn rendered_len(&self, len: usize) -> usize {
        match self {
            Injection::Header { template, .. } => template.len() - PLACEHOLDER.len() + len,
            Injection::Bearer => "Bearer ".len() + len,
            Injection::Basic { username } => "Basic ".len() + base64_len(username.len() + 1 + len),
            Injection::Query { .. } => 0,
        }
    }
}

fn base64_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}

fn header_bytes_error(secret: &str) -> VaultError {
    VaultError::Injection {
        name: secret.to_string(),
        reason: "the value contains bytes not allowed in an HTTP header value (control characters)",
    }
}

fn invalid(secret: &str) -> VaultError {
    VaultError::Injection { name: secret.to_string(), reason: "the policy's injection form is invalid" }
}

/// Sets `param` to `value` in the query, dropping any pair with that name and keeping the others
/// byte for byte.
fn set_query_param(url: &mut Url, param: &str, value: &[u8]) {
    let existing = url.query().unwrap_or("");
    let capacity = existing.len() + 3 * (param.len() + value.len()) + 2;
    let mut query = Zeroizing::new(String::with_capacity(capacity));
    for pair in existing.split('&').filter(|p| !p.is_empty()) {
        let same = form_urlencoded::parse(pair.as_bytes()).next().is_some_and(|(k, _)| k == param);
        if !same {
            query.push_str(pair);
            query.push('&');
        }
    }
    query.extend(form_urlencoded::byte_serialize(param.as_bytes()));
    query.push('=');
    query.extend(form_urlencoded::byte_serialize(value));
    debug_assert!(query.len() <= capacity);
    url.set_query(Some(&query));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(inj: &Injection, value: &[u8]) -> (Url, HeaderMap) {
        inj.validate().unwrap();
        let mut url = Url::parse("https://api.example.com/v1?a=1&key=agent-set&b=x%20y").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("agent-provided"));
        inj.apply("s", value, &mut url, &mut headers).unwrap();
        (url, headers)
    }

    #[test]
    fn header_template_is_filled_and_marked_sensitive() {
        let inj = Injection::Header { name: "X-Api-Key".into(), template: "Token {secret};v=1".into() };
        let (_, h) = apply(&inj, b"abcdefgh12");
        let v = h.get("x-api-key").unwrap();
        assert_eq!(v.as_bytes(), b"Token abcdefgh12;v=1");
        assert!(v.is_sensitive());
    }

    #[test]
    fn bearer_and_basic_replace_the_agents_authorization() {
        let (_, h) = apply(&Injection::Bearer, b"tok-12345678");
        assert_eq!(h.get_all("authorization").iter().count(), 1);
        assert_eq!(h.get("authorization").unwrap().as_bytes(), b"Bearer tok-12345678");
        assert!(h.get("authorization").unwrap().is_sensitive());
        let (_, h) = apply(&Injection::Basic { username: "alice".into() }, b"open sesame");
        assert_eq!(h.get("authorization").unwrap().as_bytes(), b"Basic YWxpY2U6b3BlbiBzZXNhbWU=");
    }

    #[test]
    fn query_param_replaces_the_agents_value_and_keeps_the_rest() {
        let (url, _) = apply(&Injection::Query { param: "key".into() }, b"s3cr&t=+/ val");
        assert_eq!(url.query().unwrap(), "a=1&b=x%20y&key=s3cr%26t%3D%2B%2F+val");
        let pairs: Vec<_> = url.query_pairs().collect();
        assert_eq!(pairs.iter().filter(|(k, _)| k == "key").count(), 1);
        assert!(pairs.contains(&("key".into(), "s3cr&t=+/ val".into())));
    }

    #[test]
    fn a_value_that_would_split_a_header_is_refused() {
        let mut url = Url::parse("https://a.example/").unwrap();
        let mut headers = HeaderMap::new();
        assert!(Injection::Bearer.check_value("s", b"abc\r\nX-Evil: 1").is_err());
        assert!(Injection::Query { param: "k".into() }.check_value("s", b"abc\r\nX-Evil: 1").is_ok());
        let err = Injection::Bearer.apply("s", b"abc\r\nX-Evil: 1", &mut url, &mut headers).unwrap_err();
        assert!(matches!(err, VaultError::Injection { .. }));
        assert!(!err.to_string().contains("X-Evil"));
        assert!(headers.is_empty());
    }

    #[test]
    fn malformed_injections_are_refused() {
        let h = |name: &str, template: &str| Injection::Header { name: name.into(), template: template.into() };
        for bad in [
            h("x-key", "no placeholder"),
            h("x-key", "{secret}{secret}"),
            h("x-key", "{secret}\n"),
            h("Host", "{secret}"),
            h("content-length", "{secret}"),
            h("proxy-authorization", "{secret}"),
            h("bad header", "{secret}"),
            Injection::Basic { username: "a:b".into() },
            Injection::Query { param: String::new() },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serde_form_is_tagged_and_strict() {
        let inj: Injection = serde_json::from_str(r#"{"kind":"basic","username":"u"}"#).unwrap();
        assert_eq!(inj, Injection::Basic { username: "u".into() });
        assert!(serde_json::from_str::<Injection>(r#"{"kind":"bearer","extra":1}"#).is_err());
        assert!(serde_json::from_str::<Injection>(r#"{"kind":"cookie"}"#).is_err());
        assert!(serde_json::from_str::<Injection>(r#"{"kind":"bearer","param":"p"}"#).is_err());
        assert!(serde_json::from_str::<Injection>(r#"{"kind":"header","name":"x"}"#).is_err());
        let round = Injection::Header { name: "x-key".into(), template: "k={secret}".into() };
        let json = serde_json::to_string(&round).unwrap();
        assert_eq!(json, r#"{"kind":"header","name":"x-key","template":"k={secret}"}"#);
        assert_eq!(serde_json::from_str::<Injection>(&json).unwrap(), round);
    }
}
