//! A reflecting host on 127.0.0.1: `/reflect/<form>` answers with the bearer credential it
//! received, written in `<form>` (an error page quoting the key, compressed, encoded, split),
//! the way a careless or hostile API would (`base64-deep`: nested twelve times, deeper than the
//! gate's check follows). `/clean/<coding>` answers an ordinary JSON body in a
//! content coding; `/bomb/<coding>` a decompression bomb; `/coding/<name>` a body labelled with an
//! unknown coding.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::io::Write;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The forms `/reflect/<form>` knows: the fifteen that reached agents before the deep check, and
/// more.
pub const FORMS: &[&str] = &[
    "raw",
    "gzip",
    "deflate",
    "br",
    "zstd",
    "raw-gzip",
    "reversed",
    "one-per-line",
    "spaced",
    "colon-hex",
    "html-entities",
    "utf-16",
    "rot13",
    "xor",
    "base64-short-lines",
    "base64-nested",
    "double-percent",
    "two-headers",
    "base32",
    "quoted-printable",
    "base64-of-reversed",
    "interleaved-in-html",
    "gzip-then-base64",
    "error-message-gzip",
];

/// A running reflector; stops when dropped.
pub struct Reflector {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Reflector {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Reflector {
    /// Starts one on a free port.
    pub async fn start() -> Reflector {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new()
            .route("/reflect/{form}", get(reflect))
            .route("/clean/{coding}", get(clean))
            .route("/bomb/{coding}", get(bomb))
            .route("/coding/{name}", get(unknown_coding));
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Reflector { addr, task }
    }

    /// `http://localhost:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.addr.port())
    }
}

async fn reflect(Path(form): Path<String>, headers: HeaderMap) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let token = auth.strip_prefix("Bearer ").unwrap_or(auth).as_bytes().to_vec();
    let (extra, body) = written(&form, &token);
    respond(extra, body)
}

/// The headers and body that carry `token` in `form`.
fn written(form: &str, t: &[u8]) -> (Vec<(&'static str, String)>, Vec<u8>) {
    let error = |inner: &[u8]| [b"{\"error\":\"invalid key ", inner, b"\"}"].concat();
    let rev: Vec<u8> = t.iter().rev().copied().collect();
    let pct = |b: &[u8]| b.iter().map(|b| format!("%{b:02X}")).collect::<String>();
    match form {
        "raw" => (vec![], error(t)),
        "gzip" => (vec![("content-encoding", "gzip".into())], gzip(&error(t))),
        "deflate" => (vec![("content-encoding", "deflate".into())], zlib(&error(t))),
        "br" => (vec![("content-encoding", "br".into())], brotli(&error(t))),
        "zstd" => (vec![("content-encoding", "zstd".into())], zstd::encode_all(&error(t)[..], 3).unwrap()),
        "raw-gzip" => (vec![("content-type", "application/octet-stream".into())], gzip(&error(t))),
        "reversed" => (vec![], error(&rev)),
        "one-per-line" => (vec![], t.iter().flat_map(|&b| [b, b'\n']).collect()),
        "spaced" => (vec![], t.iter().flat_map(|&b| [b, b' ']).collect()),
        "colon-hex" => (vec![], t.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":").into_bytes()),
        "html-entities" => (vec![], t.iter().map(|b| format!("&#{b};")).collect::<String>().into_bytes()),
        "utf-16" => (vec![], String::from_utf8_lossy(&error(t)).encode_utf16().flat_map(u16::to_le_bytes).collect()),
        "rot13" => (vec![], error(&t.iter().map(|&b| rot13(b)).collect::<Vec<_>>())),
        "xor" => (vec![], t.iter().map(|b| b ^ 0x37).collect()),
        "base64-short-lines" => (vec![], wrap(&STANDARD.encode(t), 6)),
        "base64-nested" => (vec![], error(STANDARD.encode(STANDARD.encode(t)).as_bytes())),
        "double-percent" => (vec![], error(pct(pct(t).as_bytes()).as_bytes())),
        "two-headers" => {
            let (a, b) = t.split_at(t.len() / 2);
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            (vec![("x-part-a", text(a)), ("x-part-b", text(b))], b"{}".to_vec())
        }
        "base32" => (vec![], error(data_encoding::BASE32.encode(t).as_bytes())),
        "quoted-printable" => (vec![], quoted_printable::encode(t.iter().map(|b| b ^ 0x80).collect::<Vec<_>>())),
        "base64-of-reversed" => (vec![], error(STANDARD.encode(&rev).as_bytes())),
        "interleaved-in-html" => {
            let (before, after) = ("<html><p>news </p>".repeat(500), "<p>more</p></html>".repeat(500));
            let page = [before.as_bytes(), b"<!-- ", t, b" -->", after.as_bytes()].concat();
            (vec![("content-type", "text/html".into())], page)
        }
        "base64-deep" => {
            let mut nested = t.to_vec();
            for _ in 0..12 {
                nested = STANDARD.encode(&nested).into_bytes();
            }
            (vec![], nested)
        }
        "gzip-then-base64" => (vec![], format!("{{\"blob\":\"{}\"}}", STANDARD.encode(gzip(t))).into_bytes()),
        "error-message-gzip" => {
            let message = [b"401 Unauthorized: invalid API key ", t, b"; check your dashboard"].concat();
            (vec![("content-encoding", "gzip".into()), ("content-type", "text/plain".into())], gzip(&message))
        }
        other => panic!("unknown form {other}"),
    }
}

async fn clean(Path(coding): Path<String>) -> Response {
    let body = br#"{"city":"Oslo","temp":21,"id":"7f3e9a1c-55d0-4b24-8e1b-3a6f0e5c2d91"}"#.to_vec();
    respond(vec![("content-encoding", coding.clone())], encode(&coding, &body))
}

async fn bomb(Path(coding): Path<String>) -> Response {
    respond(vec![("content-encoding", coding.clone())], encode(&coding, &vec![0u8; 16 << 20]))
}

async fn unknown_coding(Path(name): Path<String>) -> Response {
    respond(vec![("content-encoding", name)], b"\x1f\x9d\x90opaque".to_vec())
}

fn respond(extra: Vec<(&'static str, String)>, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    for (name, value) in extra {
        response.headers_mut().insert(HeaderName::from_static(name), HeaderValue::from_str(&value).unwrap());
    }
    response
}

fn encode(coding: &str, body: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => gzip(body),
        "deflate" => zlib(body),
        "br" => brotli(body),
        "zstd" => zstd::encode_all(body, 3).unwrap(),
        other => panic!("unknown coding {other}"),
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = ::brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(data).unwrap();
    }
    out
}

fn rot13(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
        b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
        _ => b,
    }
}

fn wrap(text: &str, width: usize) -> Vec<u8> {
    text.as_bytes().chunks(width).collect::<Vec<_>>().join(&b"\r\n"[..])
}
