//! The leak detector: finds any vault secret, in any of its encodings, in bytes about to leave the
//! node (requests before injection, job outputs, log lines, API responses), and redacts it.
//!
//! Design: one Aho-Corasick automaton behind a prefilter, run over the haystack and over decoded
//! views of it.
//! 1. for every secret the automaton holds its raw bytes, its hex, and the base64 "cores" at the
//!    three byte alignments in both alphabets (see `forms`), all matched ASCII-case-insensitively,
//!    so lower, upper and mixed-case hex are one pattern;
//! 2. a sampled 8-gram Bloom filter, confirmed by an exact table of the patterns' 8-grams (see
//!    `prefilter`), picks the few windows where a pattern may start, and only those are handed to
//!    the automaton; ordinary text is read once, 8 bytes every `shortest pattern - 7` bytes;
//! 3. layers that interleave encoded and plain bytes (percent-encoding in either case, `+` for
//!    space, JSON escapes, line-wrapped base64) are undone on the haystack, around the escapes that
//!    matter only, and the decoded views are scanned the same way (see `views`); where a view of
//!    wrapped base64 holds every occurrence a span of the haystack does, the plain scan skips the
//!    inside of that span, so a MIME body is read about once, not twice.
//!
//! What it does not catch, by design: encodings applied twice (`%252F`, base64 of hex), bytes
//! interleaved with separators (`de:ad:be:ef`, `d e a d`), base64 wrapped at fewer than 16
//! characters per line, and the 2 to 4 bits at each end of a base64 core (a string differing from
//! a secret only there still matches; that is a false positive, never a miss). A secret encrypted
//! or compressed is out of reach of any scanner; the agent only ever sees secrets reflected back by
//! a server, and responses are redacted before it does.
//!
//! The automaton and filter are built from the secrets and so hold secret-derived bytes for the
//! detector's lifetime; they live in process memory, which under SEV-SNP is encrypted, and cannot be
//! zeroized (the automaton's tables belong to `aho-corasick`). The pattern buffers built on the
//! way are zeroized.

mod forms;
mod prefilter;
mod redact;
mod views;

pub use forms::{Alphabet, Form, patterns_of};

use crate::VaultError;
use crate::rules::validate_value_len;
use aho_corasick::{AhoCorasick, Input, MatchKind};
use prefilter::Prefilter;
use std::borrow::Cow;
use std::ops::Range;
use views::ByteSet;
use zeroize::Zeroizing;

/// A layer of encoding that was undone before the secret was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    /// `%XX` escapes (either case), on some or all bytes.
    Percent,
    /// Form encoding: `%XX` escapes and `+` for space.
    FormUrlencoded,
    /// JSON string escapes (`\/`, `\"`, `\uXXXX`, ...).
    JsonEscaped,
    /// Split across line breaks (base64 wrapped at a line width).
    LineWrapped,
}

/// How a leaked secret was written: a form, possibly inside one layer of encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Encoding {
    /// The form the secret's bytes took.
    pub form: Form,
    /// The layer around it, if one had to be undone.
    pub layer: Option<Layer>,
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.form)?;
        match self.layer {
            None => Ok(()),
            Some(Layer::Percent) => f.write_str(", percent-encoded"),
            Some(Layer::FormUrlencoded) => f.write_str(", form-urlencoded"),
            Some(Layer::JsonEscaped) => f.write_str(", JSON-escaped"),
            Some(Layer::LineWrapped) => f.write_str(", split across lines"),
        }
    }
}

/// One place a secret was found. Names the secret and the encoding, never the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// The secret's name.
    pub secret: String,
    /// How it was encoded.
    pub encoding: Encoding,
    /// Byte offset in the haystack where the occurrence starts.
    pub offset: usize,
    /// Length in the haystack of the occurrence.
    pub len: usize,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "secret {:?} found ({}) at byte {}", self.secret, self.encoding, self.offset)
    }
}

/// One pattern of the automaton.
struct Pattern {
    secret: usize,
    form: Form,
}

/// An occurrence, located in the haystack, with the span redaction must cover.
struct Hit {
    secret: usize,
    encoding: Encoding,
    found: Range<usize>,
    redact: Range<usize>,
}

/// Finds and redacts secrets in outgoing bytes. Cheap to share (`Arc`); `Debug` shows only counts.
pub struct LeakDetector {
    names: Vec<String>,
    lengths: Vec<usize>,
    patterns: Vec<Pattern>,
    automaton: Option<AhoCorasick>,
    prefilter: Prefilter,
    interesting: ByteSet,
}

impl LeakDetector {
    /// A detector for the given `(name, value)` pairs. Values must be 8 to 8192 bytes, like vault
    /// values (shorter ones would match ordinary text).
    pub fn new<'a, I>(secrets: I) -> Result<LeakDetector, VaultError>
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        let mut names = Vec::new();
        let mut lengths = Vec::new();
        let mut patterns = Vec::new();
        let mut bytes: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        let mut interesting = [false; 256];
        for (index, (name, value)) in secrets.into_iter().enumerate() {
            validate_value_len(name, value.len())?;
            names.push(name.to_string());
            lengths.push(value.len());
            for (form, pattern) in patterns_of(value) {
                for &b in &pattern {
                    interesting[usize::from(b.to_ascii_lowercase())] = true;
                    interesting[usize::from(b.to_ascii_uppercase())] = true;
                }
                patterns.push(Pattern { secret: index, form });
                bytes.push(Zeroizing::new(pattern));
            }
        }
        let slices: Vec<&[u8]> = bytes.iter().map(|b| b.as_slice()).collect();
        let automaton = match slices.is_empty() {
            true => None,
            false => Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .build(&slices)
                    .map_err(|e| VaultError::Detector(e.to_string()))?,
            ),
        };
        let prefilter = Prefilter::new(&slices);
        Ok(LeakDetector { names, lengths, patterns, automaton, prefilter, interesting })
    }

    /// A detector that knows no secrets (finds nothing).
    pub fn empty() -> LeakDetector {
        LeakDetector::new(std::iter::empty()).expect("an empty detector always builds")
    }

    /// Number of secrets.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the detector knows no secrets.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Number of patterns in the automaton.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// The leftmost leak in `haystack`, if any. Scan whole messages (URL, each header value, the
    /// whole body): a secret split across two calls is not seen.
    pub fn scan(&self, haystack: &[u8]) -> Option<Leak> {
        self.scan_all(haystack).into_iter().next()
    }

    /// Every leak in `haystack`, by offset (overlapping occurrences included).
    pub fn scan_all(&self, haystack: &[u8]) -> Vec<Leak> {
        self.hits(haystack)
            .into_iter()
            .map(|h| Leak {
                secret: self.names[h.secret].clone(),
                encoding: h.encoding,
                offset: h.found.start,
                len: h.found.len(),
            })
            .collect()
    }

    /// `haystack` with every occurrence of every secret, in any encoding, replaced by
    /// `[REDACTED:<name>]`. Borrowed when nothing was found.
    pub fn redact<'h>(&self, haystack: &'h [u8]) -> Cow<'h, [u8]> {
        self.redact_where(haystack, |_| true)
    }

    /// Like [`LeakDetector::redact`], for the named secrets only.
    pub fn redact_only<'h>(&self, haystack: &'h [u8], names: &[&str]) -> Cow<'h, [u8]> {
        self.redact_where(haystack, |secret| names.contains(&secret))
    }

    fn redact_where<'h>(&self, haystack: &'h [u8], wanted: impl Fn(&str) -> bool) -> Cow<'h, [u8]> {
        let spans: Vec<(Range<usize>, usize)> = self
            .hits(haystack)
            .into_iter()
            .filter(|h| wanted(&self.names[h.secret]))
            .map(|h| (h.redact, h.secret))
            .collect();
        if spans.is_empty() {
            return Cow::Borrowed(haystack);
        }
        let (out, markers) = redact::replace(haystack, spans, &self.names);
        // Bytes outside the markers are the input's, so a match in the output that was not in the
        // input must overlap a marker: only a secret that is part of a marker's text could do that.
        // Check around each marker, as far as any match can reach (a JSON `\uXXXX` escape turns 6
        // bytes into 1), and withhold everything rather than return a match.
        let reach = 6 * self.prefilter.max_len() + 64;
        let mut around: Vec<Range<usize>> = Vec::new();
        for m in markers {
            let window = m.start.saturating_sub(reach)..(m.end + reach).min(out.len());
            match around.last_mut() {
                Some(last) if window.start <= last.end => last.end = window.end,
                _ => around.push(window),
            }
        }
        if around.into_iter().any(|w| self.hits(&out[w]).iter().any(|h| wanted(&self.names[h.secret]))) {
            return Cow::Owned(Vec::new());
        }
        Cow::Owned(out)
    }

    /// Every occurrence, sorted by position, each reported once.
    fn hits(&self, haystack: &[u8]) -> Vec<Hit> {
        let Some(automaton) = &self.automaton else { return Vec::new() };
        let mut decoded = Vec::new();
        views::build(haystack, &self.interesting, self.prefilter.max_len(), &mut decoded);
        let mut hits = Vec::new();
        for segment in self.plain_segments(haystack.len(), &decoded) {
            self.search(automaton, haystack, segment, |pattern, found| {
                let redact = self.redaction_span(pattern, haystack, found.clone());
                hits.push(Hit {
                    secret: pattern.secret,
                    encoding: Encoding { form: pattern.form, layer: None },
                    found,
                    redact,
                });
            });
        }
        for view in &decoded {
            self.search(automaton, &view.bytes, 0..view.bytes.len(), |pattern, in_view| {
                let found = view.original(in_view.clone());
                // No escape inside: the bytes stand in the haystack as they are.
                let layer = (view.bytes[in_view.clone()] != haystack[found.clone()]).then_some(view.layer);
                let redact = view.original(self.redaction_span(pattern, &view.bytes, in_view));
                let encoding = Encoding { form: pattern.form, layer };
                hits.push(Hit { secret: pattern.secret, encoding, found, redact });
            });
        }
        hits.sort_by_key(|h| (h.found.start, h.found.end, h.secret));
        hits.dedup_by_key(|h| (h.found.start, h.found.end, h.secret));
        hits
    }

    /// The parts of a haystack of `len` bytes the plain scan must read. A line view that stands in
    /// for a span holds every occurrence inside it that contains no break or indentation byte;
    /// when no pattern holds such a byte, the plain scan skips the span but for `max_len` bytes at
    /// each end (where an occurrence may start inside and end outside, or the reverse). Sampling
    /// every position outside the skipped parts keeps the prefilter's guarantee (see `prefilter`).
    fn plain_segments(&self, len: usize, views: &[views::View]) -> Vec<Range<usize>> {
        if [b'\n', b'\r', b' ', b'\t'].iter().any(|&b| self.interesting[usize::from(b)]) {
            return std::iter::once(0..len).collect();
        }
        let margin = self.prefilter.max_len();
        let mut segments = Vec::new();
        let mut from = 0;
        for span in views.iter().filter_map(|v| v.stands_in_for.clone()) {
            let skip = span.start.saturating_add(margin)..span.end.saturating_sub(margin);
            if skip.start < skip.end && skip.start >= from {
                segments.push(from..skip.start);
                from = skip.end;
            }
        }
        segments.push(from..len);
        segments
    }

    /// Runs the automaton over the windows the prefilter opens in `buf`, sampling `within` only.
    fn search(
        &self,
        automaton: &AhoCorasick,
        buf: &[u8],
        within: Range<usize>,
        mut found: impl FnMut(&Pattern, Range<usize>),
    ) {
        let mut windows = Vec::new();
        self.prefilter.windows(buf, within, &mut windows);
        for window in windows {
            for m in automaton.find_overlapping_iter(Input::new(buf).range(window)) {
                found(&self.patterns[m.pattern().as_usize()], m.range());
            }
        }
    }

    /// The span to redact for a match: a base64 core grows by its partially-determined neighbour
    /// characters and padding, which also carry bits of the secret.
    fn redaction_span(&self, pattern: &Pattern, buf: &[u8], found: Range<usize>) -> Range<usize> {
        let Some((before, after, alphabet)) = pattern.form.base64_edges(self.lengths[pattern.secret]) else {
            return found;
        };
        let mut span = found;
        if before && span.start > 0 && forms::is_base64_char(buf[span.start - 1], alphabet) {
            span.start -= 1;
        }
        if after && span.end < buf.len() && forms::is_base64_char(buf[span.end], alphabet) {
            span.end += 1;
        }
        while after && span.end < buf.len() && buf[span.end] == b'=' {
            span.end += 1;
        }
        span
    }
}

impl std::fmt::Debug for LeakDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeakDetector")
            .field("secrets", &self.names.len())
            .field("patterns", &self.patterns.len())
            .finish()
    }
}
