//! Decompression with hard limits: the one place compressed bytes are inflated, for the egress
//! gate's `Content-Encoding` and for streams the deep check finds inside a message. A stream that
//! would inflate past its size cap or its ratio cap stops there and is an error: a decompression
//! bomb costs at most the cap.

use std::io::Read;

/// A compression format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coding {
    /// gzip (RFC 1952); concatenated members are read as one stream.
    Gzip,
    /// zlib (RFC 1950), what HTTP calls `deflate`.
    Zlib,
    /// Raw DEFLATE (RFC 1951), what some servers send as `deflate`.
    RawDeflate,
    /// Brotli (RFC 7932).
    Brotli,
    /// Zstandard (RFC 8878).
    Zstd,
}

impl Coding {
    /// The HTTP content-coding token for `name` (`gzip`, `x-gzip`, `deflate`, `br`, `zstd`).
    pub fn from_http(name: &str) -> Option<Coding> {
        match name.trim().to_ascii_lowercase().as_str() {
            "gzip" | "x-gzip" => Some(Coding::Gzip),
            "deflate" => Some(Coding::Zlib),
            "br" => Some(Coding::Brotli),
            "zstd" => Some(Coding::Zstd),
            _ => None,
        }
    }
}

impl std::fmt::Display for Coding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Coding::Gzip => "gzip",
            Coding::Zlib => "deflate (zlib)",
            Coding::RawDeflate => "deflate (raw)",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        })
    }
}

/// How far a stream may inflate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InflateLimits {
    /// Most decoded bytes.
    pub max_bytes: usize,
    /// Most decoded bytes per compressed byte (plus `max_bytes / 64` of slack for short streams).
    pub max_ratio: usize,
}

impl Default for InflateLimits {
    fn default() -> InflateLimits {
        InflateLimits { max_bytes: 16 << 20, max_ratio: 250 }
    }
}

impl InflateLimits {
    /// The cap for a stream of `compressed` bytes.
    pub fn cap(&self, compressed: usize) -> usize {
        compressed.saturating_mul(self.max_ratio).saturating_add(self.max_bytes / 64).min(self.max_bytes)
    }
}

/// Why a stream was not inflated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InflateError {
    /// It inflated past its cap.
    #[error("{coding} stream of {compressed} bytes inflates past {cap} bytes (decompression bomb)")]
    TooLarge {
        /// The format.
        coding: Coding,
        /// Its compressed size.
        compressed: usize,
        /// The cap it reached.
        cap: usize,
    },
    /// It is not a valid stream of its format.
    #[error("corrupt {coding} stream: {why}")]
    Corrupt {
        /// The format.
        coding: Coding,
        /// The decoder's message.
        why: String,
    },
}

/// What a stream inflated to.
pub struct Inflated {
    /// The decoded bytes (all of them, or those before the point where the stream broke).
    pub bytes: Vec<u8>,
    /// Why decoding stopped early, when the stream is corrupt or truncated.
    pub broken: Option<InflateError>,
}

/// Inflates `data` as `coding` within `limits`. A stream past its cap is an error; a corrupt or
/// truncated one returns what decoded before the break, and why it broke.
pub fn inflate(coding: Coding, data: &[u8], limits: &InflateLimits) -> Result<Inflated, InflateError> {
    let cap = limits.cap(data.len());
    let reader: Box<dyn Read + '_> = match coding {
        Coding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(data)),
        Coding::Zlib => Box::new(flate2::read::ZlibDecoder::new(data)),
        Coding::RawDeflate => Box::new(flate2::read::DeflateDecoder::new(data)),
        Coding::Brotli => Box::new(brotli_decompressor::Decompressor::new(data, 4096)),
        Coding::Zstd => match zstd::stream::read::Decoder::with_buffer(data) {
            Ok(decoder) => Box::new(decoder),
            Err(e) => return Ok(Inflated { bytes: Vec::new(), broken: Some(corrupt(coding, e)) }),
        },
    };
    let mut bytes = Vec::new();
    let outcome = reader.take(cap as u64 + 1).read_to_end(&mut bytes);
    if bytes.len() > cap {
        return Err(InflateError::TooLarge { coding, compressed: data.len(), cap });
    }
    Ok(Inflated { bytes, broken: outcome.err().map(|e| corrupt(coding, e)) })
}

fn corrupt(coding: Coding, e: std::io::Error) -> InflateError {
    InflateError::Corrupt { coding, why: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn every_coding_round_trips() {
        let text = b"the quick brown fox jumps over the lazy dog ".repeat(20);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(&text).unwrap();
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&text).unwrap();
        let mut br = Vec::new();
        brotli_compress(&text, &mut br);
        let zstd = zstd::encode_all(&text[..], 3).unwrap();
        let limits = InflateLimits::default();
        for (coding, data) in [
            (Coding::Gzip, gzip(&text)),
            (Coding::Zlib, zlib.finish().unwrap()),
            (Coding::RawDeflate, raw.finish().unwrap()),
            (Coding::Brotli, br),
            (Coding::Zstd, zstd),
        ] {
            let out = inflate(coding, &data, &limits).unwrap();
            assert_eq!((out.bytes, out.broken), (text.clone(), None), "{coding}");
        }
    }

    #[test]
    fn a_bomb_stops_at_its_cap() {
        let bomb = gzip(&vec![0u8; 64 << 20]);
        let limits = InflateLimits { max_bytes: 1 << 20, max_ratio: 250 };
        match inflate(Coding::Gzip, &bomb, &limits) {
            Err(InflateError::TooLarge { cap, .. }) => assert_eq!(cap, 1 << 20),
            other => panic!("{:?}", other.map(|o| o.bytes.len())),
        }
        // The ratio cap holds even under the size cap.
        let small = gzip(&vec![0u8; 512 << 10]);
        assert!(matches!(inflate(Coding::Gzip, &small, &limits), Err(InflateError::TooLarge { .. })));
    }

    #[test]
    fn a_truncated_stream_gives_what_decoded_before_the_break() {
        let text = b"sk-live-0123456789abcdef and more text after it".repeat(4);
        let data = gzip(&text);
        let out = inflate(Coding::Gzip, &data[..data.len() - 12], &InflateLimits::default()).unwrap();
        assert!(out.broken.is_some());
        assert!(text.starts_with(&out.bytes) && !out.bytes.is_empty());
        assert!(inflate(Coding::Zstd, b"not zstd", &InflateLimits::default()).unwrap().broken.is_some());
    }

    fn brotli_compress(data: &[u8], out: &mut Vec<u8>) {
        // The node only decodes (brotli-decompressor); the encoder is a dev-dependency.
        let mut w = brotli::CompressorWriter::new(out, 4096, 5, 22);
        w.write_all(data).unwrap();
    }
}
