//! Encoded runs: maximal runs of base64, base32 (one letter case, as encoders write it) and hex
//! characters, found in one pass over a view, and decoded from each offset within an encoding
//! block (a run may begin with characters that are not part of the encoded data). Decoders are
//! data-encoding's.

use super::Step;
use data_encoding::{Encoding, HEXLOWER_PERMISSIVE, Specification};
use std::ops::Range;
use std::sync::OnceLock;

/// An alphabet whose runs are decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Alphabet {
    /// `A-Za-z0-9+/` and `-_` (either base64 alphabet).
    Base64,
    /// `A-Z2-7`.
    Base32Upper,
    /// `a-z2-7`.
    Base32Lower,
    /// `0-9a-fA-F`.
    Hex,
}

impl Alphabet {
    /// Every alphabet, in the order of their bits in [`CLASS`].
    pub const ALL: [Alphabet; 4] = [Alphabet::Base64, Alphabet::Base32Upper, Alphabet::Base32Lower, Alphabet::Hex];

    /// The step that undoes it.
    pub fn step(self) -> Step {
        match self {
            Alphabet::Base64 => Step::Base64,
            Alphabet::Base32Upper | Alphabet::Base32Lower => Step::Base32,
            Alphabet::Hex => Step::Hex,
        }
    }

    /// Characters per encoding block: the offsets a run is decoded from.
    pub fn block(self) -> usize {
        match self {
            Alphabet::Base64 => 4,
            Alphabet::Base32Upper | Alphabet::Base32Lower => 8,
            Alphabet::Hex => 2,
        }
    }

    /// The shortest run that can hold `shortest` decoded bytes.
    fn min_run(self, shortest: usize) -> usize {
        match self {
            Alphabet::Base64 => (shortest * 4).div_ceil(3),
            Alphabet::Base32Upper | Alphabet::Base32Lower => (shortest * 8).div_ceil(5),
            Alphabet::Hex => 2 * shortest,
        }
    }

    /// Decodes the longest valid prefix of `run` onto `out`.
    fn decode(self, run: &[u8], out: &mut Vec<u8>) {
        match self {
            Alphabet::Base64 => decode_prefix(base64(), run, &[0, 2, 3], 4, out),
            Alphabet::Base32Upper | Alphabet::Base32Lower => decode_prefix(base32(), run, &[0, 2, 4, 5, 7], 8, out),
            Alphabet::Hex => decode_prefix(&HEXLOWER_PERMISSIVE, run, &[0], 2, out),
        }
    }
}

/// For each byte, a bit per alphabet of [`Alphabet::ALL`] it belongs to.
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let (upper, lower, digit) = (c.is_ascii_uppercase(), c.is_ascii_lowercase(), c.is_ascii_digit());
        let b32_digit = c >= b'2' && c <= b'7';
        let mut bits = 0;
        if upper || lower || digit || c == b'+' || c == b'/' || c == b'-' || c == b'_' {
            bits |= 1;
        }
        if upper || b32_digit {
            bits |= 2;
        }
        if lower || b32_digit {
            bits |= 4;
        }
        if digit || (c >= b'a' && c <= b'f') || (c >= b'A' && c <= b'F') {
            bits |= 8;
        }
        class[b] = bits;
        b += 1;
    }
    class
};

/// Whether `b` is a base64 character (either alphabet).
pub(super) fn is_base64(b: u8) -> bool {
    CLASS[usize::from(b)] & 1 != 0
}

/// The runs of each alphabet long enough to hold `shortest` decoded bytes. One pass: every
/// alphabet is a subset of base64's, so the maximal base64 runs are found first (most bytes of
/// binary data end one at once) and only those long enough are read again for the others.
pub(super) fn find(bytes: &[u8], shortest: usize) -> [Vec<Range<usize>>; 4] {
    let min = Alphabet::ALL.map(|a| a.min_run(shortest));
    let least = min.iter().copied().min().unwrap_or(1);
    let mut runs: [Vec<Range<usize>>; 4] = Default::default();
    let mut i = 0;
    while i < bytes.len() {
        if CLASS[usize::from(bytes[i])] == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && CLASS[usize::from(bytes[i])] != 0 {
            i += 1;
        }
        if i - start < least {
            continue;
        }
        if i - start >= min[0] {
            runs[0].push(start..i);
        }
        for (a, runs) in runs.iter_mut().enumerate().skip(1) {
            sub_runs(bytes, start..i, 1 << a, min[a], runs);
        }
    }
    runs
}

/// The maximal runs of bytes whose class has `bit`, inside `within`, at least `min` long.
fn sub_runs(bytes: &[u8], within: Range<usize>, bit: u8, min: usize, out: &mut Vec<Range<usize>>) {
    let mut i = within.start;
    while i < within.end {
        if CLASS[usize::from(bytes[i])] & bit == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < within.end && CLASS[usize::from(bytes[i])] & bit != 0 {
            i += 1;
        }
        if i - start >= min {
            out.push(start..i);
        }
    }
}

/// Every run in `runs` decoded from its `offset`-th character, concatenated; `None` when no run
/// is long enough for that offset.
pub(super) fn decode(bytes: &[u8], runs: &[Range<usize>], alphabet: Alphabet, offset: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for run in runs.iter().filter(|r| r.len() > offset) {
        alphabet.decode(&bytes[run.start + offset..run.end], &mut out);
    }
    (!out.is_empty()).then_some(out)
}

/// Base64 with either alphabet (`-_` read as `+/`), no padding, trailing bits ignored.
fn base64() -> &'static Encoding {
    static BASE64: OnceLock<Encoding> = OnceLock::new();
    BASE64.get_or_init(|| {
        let mut spec = Specification::new();
        spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        spec.translate.from.push_str("-_");
        spec.translate.to.push_str("+/");
        spec.check_trailing_bits = false;
        spec.encoding().expect("a valid base64 specification")
    })
}

/// Base32 (RFC 4648) in either case, no padding, trailing bits ignored.
fn base32() -> &'static Encoding {
    static BASE32: OnceLock<Encoding> = OnceLock::new();
    BASE32.get_or_init(|| {
        let mut spec = Specification::new();
        spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
        spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        spec.check_trailing_bits = false;
        spec.encoding().expect("a valid base32 specification")
    })
}

/// Decodes the longest prefix of `run` whose length modulo `block` is in `valid`.
fn decode_prefix(encoding: &Encoding, run: &[u8], valid: &[usize], block: usize, out: &mut Vec<u8>) {
    let mut len = run.len();
    while len > 0 && !valid.contains(&(len % block)) {
        len -= 1;
    }
    let input = &run[..len];
    let Ok(size) = encoding.decode_len(input.len()) else { return };
    let start = out.len();
    out.resize(start + size, 0);
    match encoding.decode_mut(input, &mut out[start..]) {
        Ok(written) => out.truncate(start + written),
        Err(_) => out.truncate(start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_each_alphabet_are_found_in_one_pass() {
        let text = b"id: 736b2d6c6976652d31 key=ONVS23DJOZSS2MJS and c2stbGl2ZS0xMjM0;";
        let [b64, upper, lower, hex] = find(text, 8);
        let at = |r: &[Range<usize>]| r.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>();
        assert_eq!(at(&hex), [&b"736b2d6c6976652d31"[..]]);
        assert_eq!(at(&upper), [&b"ONVS23DJOZSS2MJS"[..]]);
        assert!(lower.is_empty());
        assert_eq!(at(&b64), [&b"736b2d6c6976652d31"[..], b"ONVS23DJOZSS2MJS", b"c2stbGl2ZS0xMjM0"]);
        assert_eq!(decode(text, &hex, Alphabet::Hex, 0).unwrap(), b"sk-live-1");
    }

    #[test]
    fn a_run_at_the_end_counts() {
        let [.., hex] = find(b"x 0123456789abcdef", 8);
        assert_eq!(hex, vec![2..18]);
    }
}
