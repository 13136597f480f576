//! The needles of the deep check: for each secret a few *readings* of it (as written, reversed,
//! ROT13, both, and with its separators removed), each searched whole and as every window long
//! enough to matter, ASCII-case-insensitively; and, for every single-byte XOR, the secret's
//! *difference sequence* (`b[i] ^ b[i+1]`), which XOR with a constant leaves unchanged, searched in
//! the difference sequence of the haystack. One Aho-Corasick automaton for each.
//!
//! Window length: half the secret, but at least 8 and at most 12 bytes (13 under XOR: a difference
//! sequence is a weaker fingerprint than the bytes themselves), so a secret of 24 bytes or more is
//! caught in pieces of 12. Pieces shorter than a window pass: no scanner stops a secret leaked a
//! few bytes at a time (see the README's threat model). A window is not a needle of its own when
//! it has fewer than four distinct bytes (`"00000000"` would match padding), or fewer than 8 bytes
//! outside the secret's public prefix (`sk-ant-api03-`, `github_pat_`: the part up to its last `-`
//! or `_` within the first 16 bytes), which documentation and error pages quote.

use super::Reading;
use crate::VaultError;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};
use zeroize::Zeroizing;

/// The shortest window of a reading, and the fewest bytes of it outside the public prefix.
const MIN_WINDOW: usize = 8;
/// The longest window of a reading: pieces of this length are caught.
const MAX_WINDOW: usize = 12;
/// The shortest window of a secret's bytes under XOR.
const MIN_XOR_WINDOW: usize = 13;
/// How far into a secret its public prefix may reach.
const PREFIX_REACH: usize = 16;
/// Fewest distinct bytes in a window that is not the whole reading.
const MIN_DISTINCT: usize = 4;

/// What a needle is a part of.
#[derive(Clone, Copy, Debug)]
pub(super) struct NeedleOf {
    /// Index of the secret.
    pub secret: usize,
    /// The reading of the secret.
    pub reading: Reading,
    /// The reading's length (the window is part of it when shorter).
    pub reading_len: usize,
    /// The window's length.
    pub len: usize,
    /// The reading's first byte of the window (for XOR: the key is a haystack byte XOR this).
    pub first: u8,
}

/// A needle found in a view.
#[derive(Clone, Copy, Debug)]
pub(super) struct Found {
    /// What it is a part of.
    pub of: NeedleOf,
    /// The XOR key, for a match of a difference sequence with a nonzero key.
    pub xor: Option<u8>,
}

/// Both automata and what their patterns are.
pub(super) struct Needles {
    readings: Option<(AhoCorasick, Vec<NeedleOf>)>,
    xor: Option<(AhoCorasick, Vec<NeedleOf>)>,
    shortest: usize,
}

impl Needles {
    /// The needles of `secrets` (values at least 8 bytes).
    pub fn new(secrets: &[&[u8]]) -> Result<Needles, VaultError> {
        let mut readings = Patterns::default();
        let mut xor = Patterns::default();
        for (secret, value) in secrets.iter().enumerate() {
            let prefix = public_prefix(value);
            for reading in Reading::ALL {
                let Some(bytes) = reading.of(value) else { continue };
                if bytes.len() < MIN_WINDOW || readings.holds_reading(secret, &bytes) {
                    continue;
                }
                let public = reading.span_of_prefix(value, prefix);
                // One window length per secret, from its own length (a reading without separators
                // is shorter, not easier to find).
                let len = window(value.len(), MIN_WINDOW, MAX_WINDOW).min(bytes.len());
                readings.windows(secret, reading, &bytes, len, &public);
                if matches!(reading, Reading::Plain | Reading::Reversed) && bytes.len() >= MIN_XOR_WINDOW {
                    let diff: Zeroizing<Vec<u8>> = Zeroizing::new(differences(&bytes));
                    let len = window(bytes.len(), MIN_XOR_WINDOW, MIN_XOR_WINDOW);
                    xor.windows_of_diff(secret, reading, &bytes, &diff, len - 1, &public);
                }
            }
        }
        let shortest = readings.shortest();
        Ok(Needles { readings: readings.build(true)?, xor: xor.build(false)?, shortest })
    }

    /// The shortest needle, in bytes (a decoded run shorter than this cannot hold one).
    pub fn shortest(&self) -> usize {
        self.shortest
    }

    /// The first needle in `view`, a reading of a secret or a secret under XOR (when `binary`:
    /// views of bytes, not of text with separators taken out). `scratch` holds the view's
    /// difference sequence (kept between calls to save the allocation).
    pub fn find(&self, view: &[u8], binary: bool, scratch: &mut Vec<u8>) -> Option<Found> {
        if let Some((automaton, of)) = &self.readings
            && let Some(m) = automaton.find(view)
        {
            return Some(Found { of: of[m.pattern().as_usize()], xor: None });
        }
        let (automaton, of) = self.xor.as_ref().filter(|_| binary && view.len() > MIN_XOR_WINDOW)?;
        scratch.clear();
        scratch.extend(view.windows(2).map(|w| w[0] ^ w[1]));
        let m = automaton.find(&scratch[..])?;
        let of = of[m.pattern().as_usize()];
        let key = view[m.start()] ^ of.first;
        Some(Found { of, xor: (key != 0).then_some(key) })
    }
}

/// The window length for a reading of `len` bytes: half of it, within `min..=max`, at most all.
fn window(len: usize, min: usize, max: usize) -> usize {
    len.div_ceil(2).clamp(min, max).min(len)
}

/// The length of `value`'s public prefix: up to and including its last `-` or `_` within the
/// first [`PREFIX_REACH`] bytes (none when there is none).
fn public_prefix(value: &[u8]) -> usize {
    value[..value.len().min(PREFIX_REACH)].iter().rposition(|b| matches!(b, b'-' | b'_')).map_or(0, |i| i + 1)
}

/// How many bytes of `window` (at `offset` in its reading) lie outside `public`.
fn outside(offset: usize, len: usize, public: &std::ops::Range<usize>) -> usize {
    let overlap = public.end.min(offset + len).saturating_sub(public.start.max(offset));
    len - overlap
}

/// `b[i] ^ b[i+1]` for each adjacent pair.
fn differences(bytes: &[u8]) -> Vec<u8> {
    bytes.windows(2).map(|w| w[0] ^ w[1]).collect()
}

fn distinct(bytes: &[u8]) -> usize {
    let mut seen = [false; 256];
    bytes.iter().filter(|&&b| !std::mem::replace(&mut seen[usize::from(b)], true)).count()
}

/// Patterns being collected; their bytes are zeroized when dropped.
#[derive(Default)]
struct Patterns {
    bytes: Vec<Zeroizing<Vec<u8>>>,
    of: Vec<NeedleOf>,
    /// Pattern indexes by a hash of their case-folded bytes: a pattern two readings share is kept
    /// once, for the plainer reading (readings are added plainest first).
    by_hash: HashMap<u64, Vec<usize>>,
    /// The whole readings added so far, per secret (two readings may be equal: a secret without
    /// letters reads the same under ROT13).
    whole: Vec<(usize, Zeroizing<Vec<u8>>)>,
}

impl Patterns {
    fn holds_reading(&mut self, secret: usize, reading: &[u8]) -> bool {
        if self.whole.iter().any(|(s, w)| *s == secret && w.eq_ignore_ascii_case(reading)) {
            return true;
        }
        self.whole.push((secret, Zeroizing::new(reading.to_vec())));
        false
    }

    /// Every window of `len` bytes of `bytes` (the whole when `len` is its length) that carries
    /// enough of the secret: see the module's rules; `public` is where the public prefix lies.
    fn windows(&mut self, secret: usize, reading: Reading, bytes: &[u8], len: usize, public: &std::ops::Range<usize>) {
        let whole = NeedleOf { secret, reading, reading_len: bytes.len(), len: bytes.len(), first: bytes[0] };
        self.push(bytes.to_vec(), whole);
        for offset in 0..=bytes.len() - len {
            let w = &bytes[offset..offset + len];
            if len < bytes.len() && (distinct(w) < MIN_DISTINCT || outside(offset, len, public) < MIN_WINDOW) {
                continue;
            }
            self.push(w.to_vec(), NeedleOf { secret, reading, reading_len: bytes.len(), len, first: w[0] });
        }
    }

    /// Every window of `len` differences (a window of `len + 1` bytes of `bytes`).
    fn windows_of_diff(
        &mut self,
        secret: usize,
        reading: Reading,
        bytes: &[u8],
        diff: &[u8],
        len: usize,
        public: &std::ops::Range<usize>,
    ) {
        let whole = NeedleOf { secret, reading, reading_len: bytes.len(), len: bytes.len(), first: bytes[0] };
        self.push(diff.to_vec(), whole);
        for offset in 0..=diff.len() - len {
            let w = &diff[offset..offset + len];
            if distinct(w) < MIN_DISTINCT || outside(offset, len + 1, public) < MIN_WINDOW {
                continue;
            }
            let of = NeedleOf { secret, reading, reading_len: bytes.len(), len: len + 1, first: bytes[offset] };
            self.push(w.to_vec(), of);
        }
    }

    fn push(&mut self, pattern: Vec<u8>, of: NeedleOf) {
        let pattern = Zeroizing::new(pattern);
        let mut hasher = DefaultHasher::new();
        pattern.iter().map(u8::to_ascii_lowercase).for_each(|b| hasher.write_u8(b));
        let same = self.by_hash.entry(hasher.finish()).or_default();
        if same.iter().any(|&i| self.bytes[i].eq_ignore_ascii_case(&pattern)) {
            return;
        }
        same.push(self.bytes.len());
        self.bytes.push(pattern);
        self.of.push(of);
    }

    fn shortest(&self) -> usize {
        self.bytes.iter().map(|b| b.len()).min().unwrap_or(MIN_WINDOW)
    }

    fn build(self, case_insensitive: bool) -> Result<Option<(AhoCorasick, Vec<NeedleOf>)>, VaultError> {
        if self.bytes.is_empty() {
            return Ok(None);
        }
        let automaton = AhoCorasick::builder()
            // The leftmost match, and the longest of those: a whole reading is reported whole, not
            // as its first window.
            .match_kind(MatchKind::LeftmostLongest)
            // A DFA: a few thousand short patterns make a table of a few MB, scanned at memory
            // speed, where the default NFA was several times slower on the megabytes of views.
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(case_insensitive)
            .build(self.bytes.iter().map(|b| b.as_slice()))
            .map_err(|e| VaultError::Detector(e.to_string()))?;
        Ok(Some((automaton, self.of)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"sk-live-7f3e9a1c55d0b24e";

    fn needles() -> Needles {
        Needles::new(&[SECRET]).unwrap()
    }

    #[test]
    fn whole_and_half_of_each_reading_are_found() {
        let n = needles();
        let half = &SECRET[SECRET.len() / 2..];
        assert!(n.find(&[b"x ", half, b" y"].concat(), false, &mut Vec::new()).is_some());
        let reversed: Vec<u8> = SECRET.iter().rev().copied().collect();
        assert!(matches!(
            n.find(&reversed, false, &mut Vec::new()),
            Some(Found { of: NeedleOf { reading: Reading::Reversed, .. }, .. })
        ));
        assert!(n.find(&SECRET.to_ascii_uppercase(), false, &mut Vec::new()).is_some());
        assert!(n.find(&SECRET[SECRET.len() - 11..], false, &mut Vec::new()).is_none(), "11 bytes are not a needle");
        assert!(n.find(&SECRET[SECRET.len() - 12..], false, &mut Vec::new()).is_some(), "12 bytes are");
    }

    #[test]
    fn the_public_prefix_alone_is_not_a_needle() {
        let n = Needles::new(&[b"sk-ant-api03-Xq9Lm2Vt7Rw4Zp8Kd3Hf6"]).unwrap();
        assert!(n.find(b"keys look like sk-ant-api03-...", true, &mut Vec::new()).is_none());
        assert!(n.find(b"sk-ant-api03-Xq9Lm2Vt", true, &mut Vec::new()).is_some());
        assert_eq!(public_prefix(b"sk-ant-api03-Xq9Lm2Vt7Rw4Zp8Kd3Hf6"), 13);
        assert_eq!(public_prefix(b"Xq9Lm2Vt7Rw4Zp8Kd3Hf6-tail"), 0);
    }

    #[test]
    fn every_single_byte_xor_is_found_with_its_key() {
        let n = needles();
        for key in [1u8, 0x20, 0x5a, 0xff] {
            let xored: Vec<u8> = SECRET.iter().map(|b| b ^ key).collect();
            let found = n.find(&[b"\x00\x01", &xored[..], b"\x02"].concat(), true, &mut Vec::new()).unwrap();
            assert!(found.xor == Some(key) || (key == 0x20 && found.xor.is_none()), "{key}: {found:?}");
        }
        let xored: Vec<u8> = SECRET.iter().map(|b| b ^ 0x5a).collect();
        assert!(n.find(&xored, false, &mut Vec::new()).is_none(), "XOR is only looked for in byte views");
    }

    #[test]
    fn low_diversity_windows_are_not_needles() {
        let n = Needles::new(&[b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaXq9"]).unwrap();
        assert!(n.find(&[b'a'; 64], true, &mut Vec::new()).is_none());
        assert!(n.find(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaXq9", true, &mut Vec::new()).is_some());
    }
}
