//! Views of a message: what it reads as once one layer of encoding is undone. Each view yields
//! its children, the deep check searches them breadth first, so the plainest reading of a
//! secret is found first and a layer is undone only where its marks are present:
//!
//! - compressed streams by magic number: gzip (`1f 8b 08`) and zstd anywhere, zlib at the start;
//! - runs of base64 (either alphabet), base32 and hex long enough to hold a needle, each decoded
//!   at every alignment (a run may start with bytes that are not part of the encoded data);
//! - `%XX`, quoted-printable, HTML/XML entities and JSON escapes wherever they occur;
//! - UTF-16 and UTF-32 when a quarter of the bytes are NUL;
//! - whitespace removed, and every separator removed: not layers but normalisations, applied to
//!   each decoded view once.
//!
//! Every decoder is a crate's: flate2, zstd, data-encoding, percent-encoding, quoted_printable,
//! html-escape, serde_json, encoding_rs.

use super::inflate::{Coding, InflateLimits, inflate};
use super::runs::{self, Alphabet};
use super::{DeepError, Step};
use memchr::memmem;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

/// One reading of the message.
pub(super) struct View<'a> {
    /// Its bytes.
    pub bytes: Cow<'a, [u8]>,
    /// The steps that produced it from the message, outermost first.
    pub path: Vec<Step>,
    /// How many of those steps were decodings (not whitespace or separator removal).
    pub layers: usize,
    /// Whether separators or whitespace were taken out last (its bytes are then text with holes,
    /// not bytes to XOR).
    pub stripped: bool,
    /// When `stripped`: where bytes were taken out (each index is where the kept byte after the
    /// removed ones now stands).
    joins: Vec<usize>,
}

impl<'a> View<'a> {
    /// The message itself.
    pub fn root(bytes: &'a [u8]) -> View<'a> {
        View { bytes: Cow::Borrowed(bytes), path: Vec::new(), layers: 0, stripped: false, joins: Vec::new() }
    }

    fn child(&self, steps: &[Step], bytes: Vec<u8>) -> View<'static> {
        let mut path = self.path.clone();
        path.extend_from_slice(steps);
        View { bytes: Cow::Owned(bytes), path, layers: self.layers + steps.len(), stripped: false, joins: Vec::new() }
    }

    /// This view with every byte `remove` picks taken out, and where they were; `None` when
    /// nothing is.
    fn stripped(&self, step: Step, remove: fn(u8) -> bool) -> Option<View<'static>> {
        let mut bytes = Vec::with_capacity(self.bytes.len());
        let mut joins = Vec::new();
        let mut removed = false;
        for &b in self.bytes.iter() {
            if remove(b) {
                removed = true;
                continue;
            }
            if removed && !bytes.is_empty() {
                joins.push(bytes.len());
            }
            removed = false;
            bytes.push(b);
        }
        if bytes.len() == self.bytes.len() {
            return None;
        }
        let mut path = self.path.clone();
        path.push(step);
        Some(View { bytes: Cow::Owned(bytes), path, layers: self.layers, stripped: true, joins })
    }

    /// The encoded runs worth decoding: all of them in a view as it came; in a view with bytes
    /// taken out, only those inside the parts a removal joined at a fixed width (text wrapped or
    /// spread out: see [`fixed_width_parts`]). Other runs of such a view stood whole in the view it
    /// came from, which read them already; prose joined into long runs is not decoded again.
    fn runs_to_decode(&self, shortest: usize) -> [Vec<Range<usize>>; 4] {
        if !self.stripped {
            return runs::find(&self.bytes, shortest);
        }
        let mut found: [Vec<Range<usize>>; 4] = Default::default();
        for part in fixed_width_parts(0..self.bytes.len(), &self.joins) {
            let within = runs::find(&self.bytes[part.clone()], shortest);
            for (all, runs) in found.iter_mut().zip(within) {
                all.extend(runs.into_iter().map(|r| r.start + part.start..r.end + part.start));
            }
        }
        found
    }
}

/// Most compressed streams tried per view and format (each found by its magic number).
const MAX_STREAMS: usize = 4;

/// Appends to `out` the views one step beneath `view`. `shortest` is the shortest needle: an
/// encoded run too short to hold one is left alone.
pub(super) fn children(
    view: &View<'_>,
    shortest: usize,
    inflate_limits: &InflateLimits,
    out: &mut Vec<View<'static>>,
) -> Result<(), DeepError> {
    let bytes = &view.bytes[..];
    // Text layers are undone on text only: in binary bytes their marks are noise.
    let text = is_text(bytes);
    if text && !view.stripped {
        let long_enough = |v: &View<'_>| v.bytes.len() >= shortest;
        out.extend(view.stripped(Step::WhitespaceRemoved, is_space).filter(long_enough));
        out.extend(view.stripped(Step::SeparatorsRemoved, is_separator).filter(long_enough));
    }
    let mut add = |steps: &[Step], child: Option<Vec<u8>>| {
        if let Some(child) = child.filter(|c| c.len() >= shortest && c[..] != *bytes) {
            out.push(view.child(steps, child));
        }
    };
    for (step, stream) in compressed_streams(bytes) {
        let coding = match step {
            Step::Gzip => Coding::Gzip,
            Step::Zlib => Coding::Zlib,
            _ => Coding::Zstd,
        };
        add(&[step], Some(inflate(coding, stream, inflate_limits)?.bytes));
    }
    // Base64 is not read once separators are gone (`+` and `/` went with them); base32 only in
    // runs of one letter case, as encoders write it.
    let separators_gone = view.path.last() == Some(&Step::SeparatorsRemoved);
    for (alphabet, runs_of) in Alphabet::ALL.into_iter().zip(view.runs_to_decode(shortest)) {
        if runs_of.is_empty() || (alphabet == Alphabet::Base64 && separators_gone) {
            continue;
        }
        for offset in 0..alphabet.block() {
            add(&[alphabet.step()], runs::decode(bytes, &runs_of, alphabet, offset));
        }
    }
    // Escapes are undone before whitespace or separators are taken out, never after: a view with
    // them taken out reaches its encoded runs only.
    if text && !view.stripped {
        let (steps, unescaped) = unescape(bytes);
        add(&steps, unescaped);
        add(&[Step::QuotedPrintable], quoted_printable(bytes));
    }
    if nul_heavy(bytes) {
        add(&[Step::NulsRemoved], Some(bytes.iter().copied().filter(|&b| b != 0).collect()));
        add(&[Step::Utf16], Some(utf16(bytes, encoding_rs::UTF_16LE)));
        add(&[Step::Utf16], Some(utf16(bytes, encoding_rs::UTF_16BE)));
    }
    Ok(())
}

/// Whether a view at the layer limit still reads as an encoding a reader could undo (so the
/// check would have to go deeper to vouch for it): a compressed stream, or mostly base64, hex,
/// percent escapes or entities, long enough to hold a needle.
pub(super) fn still_encoded(view: &View<'_>, shortest: usize) -> bool {
    let bytes = &view.bytes[..];
    if compressed_streams(bytes).next().is_some() {
        return true;
    }
    let dense = bytes.iter().filter(|&&b| !is_space(b)).count();
    let mostly = |n: usize| dense >= base64_run(shortest) && n * 10 >= dense * 9;
    let in_long_runs = bytes
        .split(|&b| !runs::is_base64(b))
        .map(<[u8]>::len)
        .filter(|&len| len >= base64_run(shortest).max(16))
        .sum::<usize>();
    let escapes = bytes.windows(3).filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    mostly(in_long_runs) || mostly(escapes.count() * 3) || mostly(memmem::find_iter(bytes, b"&#").count() * 5)
}

/// The compressed streams in `bytes`, by magic number, with the step that undoes each.
fn compressed_streams(bytes: &[u8]) -> impl Iterator<Item = (Step, &[u8])> {
    static GZIP: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    static ZSTD: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    let gzip = GZIP.get_or_init(|| memmem::Finder::new(b"\x1f\x8b\x08"));
    let zstd = ZSTD.get_or_init(|| memmem::Finder::new(b"\x28\xb5\x2f\xfd"));
    let zlib = (bytes.len() >= 2 && bytes[0] == 0x78 && u16::from_be_bytes([bytes[0], bytes[1]]).is_multiple_of(31))
        .then_some((Step::Zlib, bytes));
    let at = move |finder: &'static memmem::Finder<'static>, step: Step| {
        finder.find_iter(bytes).take(MAX_STREAMS).map(move |i| (step, &bytes[i..]))
    };
    zlib.into_iter().chain(at(gzip, Step::Gzip)).chain(at(zstd, Step::Zstd))
}

/// Pieces this wide (the hex of 12 bytes; base64 and base32 need fewer) hold a whole needle of a
/// secret that crosses into the next piece: the view they came from decoded each of them.
const WHOLE_PIECE: usize = 24;

/// The parts of `run` made of two or more consecutive pieces of one length, narrower than
/// [`WHOLE_PIECE`], between `joins` (and a shorter last piece): text wrapped at a short width,
/// spaced-out characters, `de:ad:be:ef`. Prose (words of varied lengths) has almost none.
fn fixed_width_parts(run: Range<usize>, joins: &[usize]) -> Vec<Range<usize>> {
    let first = joins.partition_point(|&j| j <= run.start);
    let inside = joins[first..].iter().copied().take_while(|&j| j < run.end);
    let bounds: Vec<usize> = std::iter::once(run.start).chain(inside).chain(std::iter::once(run.end)).collect();
    let pieces: Vec<Range<usize>> = bounds.windows(2).map(|w| w[0]..w[1]).collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let width = pieces[i].len();
        let mut j = i + 1;
        while j < pieces.len() && pieces[j].len() == width {
            j += 1;
        }
        let end = if j < pieces.len() && pieces[j].len() < width { j + 1 } else { j };
        if j - i >= 2 && width < WHOLE_PIECE {
            parts.push(pieces[i].start..pieces[end - 1].end);
        }
        i = j;
    }
    parts
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// ASCII that is neither a letter nor a digit (non-ASCII bytes are kept: UTF-8 secrets).
fn is_separator(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_alphanumeric()
}

/// Fewest base64 characters that can hold `shortest` bytes.
fn base64_run(shortest: usize) -> usize {
    (shortest * 4).div_ceil(3)
}

/// A text layer's decoder: the text undone, or `None` where its marks are absent.
type Decoder = fn(&[u8]) -> Option<Vec<u8>>;

/// Percent-encoding, HTML entities and JSON escapes undone in turn, each where its marks are, as
/// one child (separate children for each and each order would decode the same page many times
/// over; an escape of an escape is undone at the next layer): the steps that changed something.
fn unescape(bytes: &[u8]) -> (Vec<Step>, Option<Vec<u8>>) {
    let mut steps = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let decoders: [(Step, Decoder); 3] =
        [(Step::Percent, percent), (Step::Entities, entities), (Step::JsonEscapes, json_escapes)];
    for (step, decode) in decoders {
        let input = current.as_deref().unwrap_or(bytes);
        if let Some(decoded) = decode(input).filter(|d| d[..] != *input) {
            steps.push(step);
            current = Some(decoded);
        }
    }
    (steps, current)
}

fn percent(bytes: &[u8]) -> Option<Vec<u8>> {
    let escaped = bytes.windows(3).any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    escaped.then(|| percent_encoding::percent_decode(bytes).collect())
}

/// Quoted-printable, when its marks are plain: a soft line break, or `=XX` escapes throughout (a
/// query string's `id=42` is not one).
fn quoted_printable(bytes: &[u8]) -> Option<Vec<u8>> {
    let escapes = bytes.windows(3).filter(|w| w[0] == b'=' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    let soft_break = memmem::find(bytes, b"=\n").is_some() || memmem::find(bytes, b"=\r\n").is_some();
    let escaped = soft_break || escapes.count() * 12 >= bytes.len();
    if !escaped {
        return None;
    }
    quoted_printable::decode(bytes, quoted_printable::ParseMode::Robust).ok()
}

fn entities(bytes: &[u8]) -> Option<Vec<u8>> {
    let amp = memchr::memchr(b'&', bytes)?;
    memchr::memchr(b';', &bytes[amp..])?;
    let text = String::from_utf8_lossy(bytes);
    Some(html_escape::decode_html_entities(&text).into_owned().into_bytes())
}

/// JSON string escapes undone over the whole view: the text is made one JSON string (its quotes,
/// control bytes and lone backslashes escaped, its valid escapes kept) and serde_json reads it.
fn json_escapes(bytes: &[u8]) -> Option<Vec<u8>> {
    memmem::find(bytes, b"\\u").or_else(|| memmem::find(bytes, b"\\/"))?;
    let text = String::from_utf8_lossy(bytes);
    let mut literal = String::with_capacity(text.len() + 2);
    literal.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => {
                    literal.push('\\');
                    literal.push(chars.next().expect("peeked"));
                }
                Some('u') => literal.push('\\'),
                _ => literal.push_str("\\\\"),
            },
            '"' => literal.push_str("\\\""),
            c if (c as u32) < 0x20 => literal.push_str(&format!("\\u{:04x}", c as u32)),
            c => literal.push(c),
        }
    }
    literal.push('"');
    // A `\u` not followed by four hex digits makes the whole literal invalid: then keep the view.
    serde_json::from_str::<String>(&literal).ok().map(String::into_bytes)
}

/// Whether `bytes` read as text: at least 9 in 10 are printable ASCII, whitespace, or part of
/// valid UTF-8.
fn is_text(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() {
        return true;
    }
    let printable = bytes.iter().filter(|&&b| (0x20..0x7f).contains(&b) || is_space(b)).count();
    printable * 10 >= bytes.len() * 9
}

fn nul_heavy(bytes: &[u8]) -> bool {
    bytes.len() >= 16 && memchr::memchr_iter(0, bytes).count() * 4 >= bytes.len()
}

fn utf16(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
    encoding.decode_without_bom_handling(bytes).0.into_owned().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(bytes: &[u8]) -> Vec<(Step, Vec<u8>)> {
        let mut out = Vec::new();
        children(&View::root(bytes), 8, &InflateLimits::default(), &mut out).unwrap();
        out.into_iter().map(|v| (*v.path.last().unwrap(), v.bytes.into_owned())).collect()
    }

    fn has(bytes: &[u8], step: Step, want: &[u8]) -> bool {
        steps(bytes).iter().any(|(s, b)| *s == step && memmem::find(b, want).is_some())
    }

    #[test]
    fn each_layer_is_undone_where_its_marks_are() {
        assert!(has(b"x=c2stbGl2ZS0xMjM0NTY3OA==;", Step::Base64, b"sk-live-12345678"));
        assert!(has(b"ONVS23DJOZSS2MJSGM2DKNRXHA", Step::Base32, b"sk-live-12345678"));
        assert!(has(b"keyonvs23djozss2mjsgm2dknrxha", Step::Base32, b"sk-live-12345678"));
        assert!(has(b"id:736b2d6c6976652d3132333435363738", Step::Hex, b"sk-live-12345678"));
        assert!(has(b"a=%73%6b%2d%6c%69%76%65%2d%31%32", Step::Percent, b"sk-live-12"));
        assert!(has(b"=73=6B=2D=6C=69=76=65=2D=31=32", Step::QuotedPrintable, b"sk-live-12"));
        assert!(has(b"&#115;&#x6b;&#45;live&#45;12345678", Step::Entities, b"sk-live-12345678"));
        assert!(has(br#"{"k":"\u0073\u006b-live-12345678"}"#, Step::JsonEscapes, b"sk-live-12345678"));
        assert!(has(
            b"s\x00k\x00-\x00l\x00i\x00v\x00e\x00-\x001\x002\x003\x004\x00",
            Step::NulsRemoved,
            b"sk-live-1234"
        ));
        assert!(has(b"s k - l i v e - 1 2 3 4", Step::WhitespaceRemoved, b"sk-live-1234"));
        assert!(has(b"73:6b:2d:6c:69:76:65:2d", Step::SeparatorsRemoved, b"736b2d6c6976652d"));
    }

    #[test]
    fn only_fixed_width_joins_are_decoded_again() {
        // Lines of 6 with a shorter last one, after a prefix of words: the lines, not the words.
        let joins = [7, 10, 16, 22, 28];
        assert_eq!(fixed_width_parts(0..31, &joins), vec![10..31]);
        // Prose: words of different lengths.
        assert!(fixed_width_parts(0..24, &[7, 9, 13]).is_empty());
        // Spaced-out characters.
        assert_eq!(fixed_width_parts(0..5, &[1, 2, 3, 4]), vec![0..5]);
    }

    #[test]
    fn plain_text_yields_no_decoded_layer() {
        let out = steps(b"The weather in Oslo is 21 degrees.");
        assert!(out.iter().all(|(s, _)| matches!(s, Step::WhitespaceRemoved | Step::SeparatorsRemoved)), "{:?}", out);
    }

    #[test]
    fn a_view_at_the_limit_that_still_reads_as_an_encoding_is_flagged() {
        let view = View::root(b"c2stbGl2ZS0xMjM0NTY3OGFiY2RlZmdoaWprbG1u");
        assert!(still_encoded(&view, 8));
        assert!(!still_encoded(&View::root(b"The weather in Oslo is 21 degrees, sunny."), 8));
    }
}
