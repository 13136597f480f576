//! Stage one of the scan: a sampled 8-gram Bloom filter that finds the few windows of a haystack
//! where a pattern might start, so the Aho-Corasick automaton (stage two) only reads those.
//!
//! Every pattern is at least `min_len` bytes long. Sampling the haystack every
//! `stride = min_len - 7` bytes guarantees that each occurrence of a pattern contains a sample
//! position `i` with the 8 bytes at `i` lying within the pattern's first `min_len` bytes. The filter
//! holds, for every pattern, its 8-grams at offsets `0..stride` (ASCII letters folded to lowercase,
//! matching the case-insensitive automaton). A sample that hits opens the window
//! `[i - (stride - 1), i + len)`, which contains every occurrence that sample could belong to.
//! A Bloom hit is confirmed in an exact table of the 8-grams (which also gives `len`, the longest
//! pattern holding that 8-gram), so the automaton only reads windows where a pattern's 8-gram
//! really occurs. No occurrence is missed, and a miss costs one load, one multiply and one probe of
//! a cache-resident bit array.

use std::collections::HashMap;
use std::ops::Range;

/// Bytes per sample.
const K: usize = 8;
/// Sets bit 5 of every byte: folds ASCII uppercase onto lowercase (and maps some other bytes
/// together, which only adds false positives that stage two discards).
const FOLD: u64 = 0x2020_2020_2020_2020;
/// Filter bits per stored 8-gram (two bits set per 8-gram, in one 64-bit word).
const BITS_PER_ENTRY: usize = 24;

/// The sampled 8-gram filter.
pub(crate) struct Prefilter {
    words: Vec<u64>,
    shift: u32,
    stride: usize,
    min_len: usize,
    max_len: usize,
    /// Every stored 8-gram, with the length of the longest pattern it starts a sample of.
    exact: HashMap<u64, usize>,
}

impl Prefilter {
    /// A filter for `patterns`, each at least 8 bytes long.
    pub(crate) fn new(patterns: &[&[u8]]) -> Prefilter {
        let min_len = patterns.iter().map(|p| p.len()).min().unwrap_or(usize::MAX);
        let max_len = patterns.iter().map(|p| p.len()).max().unwrap_or(0);
        assert!(patterns.is_empty() || min_len >= K, "patterns shorter than 8 bytes cannot be prefiltered");
        let stride = if patterns.is_empty() { 1 } else { min_len - K + 1 };
        let entries = patterns.len() * stride;
        let word_count = (entries * BITS_PER_ENTRY / 64).max(1).next_power_of_two();
        let mut filter = Prefilter {
            words: vec![0; word_count],
            shift: 64 - word_count.trailing_zeros(),
            stride,
            min_len,
            max_len,
            exact: HashMap::with_capacity(entries),
        };
        for pattern in patterns {
            for offset in 0..stride {
                let g = gram(&pattern[offset..offset + K]);
                let (word, mask) = filter.slot(g);
                filter.words[word] |= mask;
                let reach = filter.exact.entry(g).or_insert(0);
                *reach = (*reach).max(pattern.len());
            }
        }
        filter
    }

    #[inline(always)]
    fn slot(&self, gram: u64) -> (usize, u64) {
        let h = (gram ^ (gram >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // The top bits of a multiplicative hash depend on every input bit: the word index comes
        // from the highest ones and the two bit positions from the next twelve.
        let word = if self.shift == 64 { 0 } else { (h >> self.shift) as usize };
        let b1 = (h >> 20) & 63;
        let b2 = (h >> 26) & 63;
        (word, (1u64 << b1) | (1u64 << b2))
    }

    /// Appends to `out` the merged windows of `haystack` that may contain an occurrence whose
    /// first `stride` bytes lie in `within` (all of them, for `within` = the whole haystack).
    pub(crate) fn windows(&self, haystack: &[u8], within: Range<usize>, out: &mut Vec<Range<usize>>) {
        if haystack.len() < self.min_len || within.is_empty() {
            return;
        }
        let last = (haystack.len() - K).min(within.end.saturating_sub(1));
        let back = self.stride - 1;
        let mut i = within.start;
        while i <= last {
            let g = u64::from_le_bytes(haystack[i..i + K].try_into().expect("8 bytes"));
            let g = g | FOLD;
            let (word, mask) = self.slot(g);
            if self.words[word] & mask == mask
                && let Some(&reach) = self.exact.get(&g)
            {
                let start = i.saturating_sub(back);
                let end = (i + reach).min(haystack.len());
                match out.last_mut() {
                    Some(w) if start <= w.end => w.end = w.end.max(end),
                    _ => out.push(start..end),
                }
            }
            i += self.stride;
        }
    }

    /// The longest pattern, in bytes.
    pub(crate) fn max_len(&self) -> usize {
        self.max_len
    }
}

fn gram(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().expect("8 bytes")) | FOLD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(windows: &[Range<usize>], at: Range<usize>) -> bool {
        windows.iter().any(|w| w.start <= at.start && at.end <= w.end)
    }

    #[test]
    fn every_occurrence_at_every_offset_is_inside_a_window() {
        let patterns: Vec<&[u8]> = vec![b"Secret-Token-0001", b"another-longer-pattern-XYZ", b"8bytes!!"];
        let filter = Prefilter::new(&patterns);
        for p in &patterns {
            for offset in 0..40 {
                let mut hay = vec![b' '; offset];
                hay.extend_from_slice(&p.to_ascii_uppercase());
                hay.extend_from_slice(b" trailing text");
                let mut windows = Vec::new();
                filter.windows(&hay, 0..hay.len(), &mut windows);
                assert!(covered(&windows, offset..offset + p.len()), "{offset} {:?}", String::from_utf8_lossy(p));
            }
        }
    }

    #[test]
    fn ordinary_text_opens_few_windows() {
        let owned: Vec<Vec<u8>> =
            (0..1000u32).map(|i| format!("tok_{i:04}_{}", "q9Zx".repeat(4)).into_bytes()).collect();
        let patterns: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        let filter = Prefilter::new(&patterns);
        let text = "The quick brown fox jumps over the lazy dog, 12345 times. ".repeat(2000);
        let mut windows = Vec::new();
        filter.windows(text.as_bytes(), 0..text.len(), &mut windows);
        let covered: usize = windows.iter().map(|w| w.len()).sum();
        assert!(covered < text.len() / 20, "{covered} of {} bytes need stage two", text.len());
    }

    #[test]
    fn empty_filter_opens_nothing() {
        let filter = Prefilter::new(&[]);
        let mut windows = Vec::new();
        filter.windows(b"anything at all, long enough", 0..28, &mut windows);
        assert!(windows.is_empty());
    }
}
