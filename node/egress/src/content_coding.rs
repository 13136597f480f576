//! Step 8a: content codings. The gate owns them: it asks for the codings it can decode (the
//! agent's `Accept-Encoding` is replaced, see `headers`), decodes the response body itself, within
//! the response cap and a ratio cap (a decompression bomb is refused), and hands the agent the
//! decoded body without `Content-Encoding`. A coding it does not know is refused, never passed
//! through unscanned: compressed bytes cannot be checked for a reflected secret.

use crate::block::BlockReason;
use http::HeaderMap;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use redoubt_vault::deep::{Coding, InflateError, InflateLimits, inflate};

/// The `Accept-Encoding` the gate sends.
pub(crate) const ACCEPTED: &str = "gzip, deflate, br, zstd";

/// Most decoded bytes per encoded byte before a body counts as a decompression bomb.
const MAX_RATIO: usize = 250;

/// The body decoded from every coding `headers` lists (outermost last, as sent), with at most
/// `max_bytes` decoded bytes; the coding headers are removed from `headers`.
pub(crate) fn decode(headers: &mut HeaderMap, body: Vec<u8>, max_bytes: usize) -> Result<Vec<u8>, BlockReason> {
    let mut codings = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let value = value.to_str().map_err(|_| unsupported("(not text)"))?;
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name.eq_ignore_ascii_case("identity") {
                continue;
            }
            codings.push(Coding::from_http(name).ok_or_else(|| unsupported(name))?);
        }
    }
    if codings.is_empty() {
        return Ok(body);
    }
    headers.remove(CONTENT_ENCODING);
    headers.remove(CONTENT_LENGTH);
    let limits = InflateLimits { max_bytes, max_ratio: MAX_RATIO };
    let mut body = body;
    for coding in codings.into_iter().rev() {
        body = inflate_one(coding, &body, &limits)?;
    }
    Ok(body)
}

/// One coding undone; `deflate` is zlib by the standard and raw DEFLATE from some servers.
fn inflate_one(coding: Coding, body: &[u8], limits: &InflateLimits) -> Result<Vec<u8>, BlockReason> {
    let refused = |e: InflateError| BlockReason::ContentCoding { why: e.to_string() };
    let inflated = inflate(coding, body, limits).map_err(refused)?;
    match inflated.broken {
        None => Ok(inflated.bytes),
        Some(_) if coding == Coding::Zlib => inflate_one(Coding::RawDeflate, body, limits),
        Some(broken) => Err(refused(broken)),
    }
}

fn unsupported(name: &str) -> BlockReason {
    BlockReason::ContentCoding { why: format!("content coding {name:?} is not supported (gzip, deflate, br, zstd)") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use std::io::Write;

    fn headers(coding: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_ENCODING, HeaderValue::from_str(coding).unwrap());
        h.insert(CONTENT_LENGTH, HeaderValue::from_static("10"));
        h
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn stacked_codings_are_undone_in_reverse_and_the_headers_go() {
        let body = zstd::encode_all(&gzip(b"hello, world")[..], 1).unwrap();
        let mut h = headers("gzip, zstd");
        assert_eq!(decode(&mut h, body, 1 << 20).unwrap(), b"hello, world");
        assert!(h.get(CONTENT_ENCODING).is_none() && h.get(CONTENT_LENGTH).is_none());
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(b"raw deflate").unwrap();
        assert_eq!(decode(&mut headers("deflate"), raw.finish().unwrap(), 1 << 20).unwrap(), b"raw deflate");
        assert_eq!(decode(&mut HeaderMap::new(), b"plain".to_vec(), 1 << 20).unwrap(), b"plain");
    }

    #[test]
    fn unknown_codings_corrupt_streams_and_bombs_are_refused() {
        for (coding, body) in [("compress", b"x".to_vec()), ("gzip", b"not gzip".to_vec())] {
            let err = decode(&mut headers(coding), body, 1 << 20).unwrap_err();
            assert!(matches!(err, BlockReason::ContentCoding { .. }), "{err}");
        }
        let bomb = gzip(&vec![0; 16 << 20]);
        let err = decode(&mut headers("gzip"), bomb, 8 << 20).unwrap_err();
        assert!(err.to_string().contains("decompression bomb"), "{err}");
    }
}
