//! Decoded views of a haystack: the same bytes with one layer of encoding undone, so that the
//! automaton can find a secret however the encoder mixed encoded and plain bytes.
//!
//! - percent-encoding: every `%XX` (either case) decoded, and a second view where `+` is a space
//!   (form encoding); this covers "every byte encoded", "only reserved bytes encoded" and any mix;
//! - JSON string escapes: `\/`, `\"`, `\uXXXX` (with surrogate pairs) and the rest;
//! - line-wrapped base64: line breaks (`\n`, `\r\n`, or the JSON escapes `\n`, `\r\n`) and the
//!   indentation after them removed where they cut a long run of base64 characters.
//!
//! Only escapes that produce a byte occurring in some pattern open a view, and a view covers only
//! the reach of the longest pattern around them, so ordinary text costs one `memchr` pass per layer.
//! Every view byte records the span of the haystack it came from, to report and redact there.

use super::Layer;
use std::ops::Range;

/// Which bytes (in either ASCII case) occur in some pattern.
pub(crate) type ByteSet = [bool; 256];

/// A line of at least this many base64 characters before a break marks wrapped base64.
const MIN_WRAPPED_LINE: usize = 16;
/// At most this much indentation after a line break is skipped.
const MAX_INDENT: usize = 16;

/// One decoded stretch of the haystack.
pub(crate) struct View {
    pub(crate) layer: Layer,
    pub(crate) bytes: Vec<u8>,
    /// Where the view's bytes came from, in view order.
    pieces: Vec<Piece>,
    /// For a line view whose breaks are all real (`\n` or `\r\n`, then spaces or tabs, no JSON
    /// escape), the haystack span it stands in for: every occurrence in that span that contains no
    /// break or indentation byte is in the view too, contiguous.
    pub(crate) stands_in_for: Option<Range<usize>>,
}

/// A run of view bytes: either copied from the haystack byte for byte, or decoded from one escape
/// (every byte of which maps to the whole escape).
struct Piece {
    view: usize,
    orig: usize,
    orig_len: usize,
    copied: bool,
}

impl View {
    fn new(layer: Layer, capacity: usize) -> View {
        View { layer, bytes: Vec::with_capacity(capacity), pieces: Vec::new(), stands_in_for: None }
    }

    /// Appends haystack bytes `h[from]` unchanged.
    fn copy(&mut self, h: &[u8], from: Range<usize>) {
        if from.is_empty() {
            return;
        }
        match self.pieces.last_mut() {
            Some(p) if p.copied && p.orig + p.orig_len == from.start => p.orig_len += from.len(),
            _ => {
                self.pieces.push(Piece { view: self.bytes.len(), orig: from.start, orig_len: from.len(), copied: true })
            }
        }
        self.bytes.extend_from_slice(&h[from]);
    }

    /// Appends `bytes` decoded from the escape at `from`.
    fn decoded(&mut self, bytes: &[u8], from: Range<usize>) {
        self.pieces.push(Piece { view: self.bytes.len(), orig: from.start, orig_len: from.len(), copied: false });
        self.bytes.extend_from_slice(bytes);
    }

    fn piece(&self, at: usize) -> &Piece {
        &self.pieces[self.pieces.partition_point(|p| p.view <= at) - 1]
    }

    /// The haystack span that produced the view bytes `r` (non-empty).
    pub(crate) fn original(&self, r: Range<usize>) -> Range<usize> {
        let first = self.piece(r.start);
        let last = self.piece(r.end - 1);
        let start = if first.copied { first.orig + (r.start - first.view) } else { first.orig };
        let end = if last.copied { last.orig + (r.end - 1 - last.view) + 1 } else { last.orig + last.orig_len };
        start..end
    }
}

/// Appends every view of `haystack` worth scanning to `out`. `max_len` is the longest pattern.
pub(crate) fn build(haystack: &[u8], interesting: &ByteSet, max_len: usize, out: &mut Vec<View>) {
    percent_views(haystack, interesting, max_len, out);
    json_views(haystack, interesting, max_len, out);
    line_views(haystack, max_len, out);
}

/// Adds `[at - reach, end + reach)` to the ascending, merged `windows`.
fn add_window(windows: &mut Vec<Range<usize>>, at: Range<usize>, reach: usize, len: usize) {
    let start = at.start.saturating_sub(reach);
    let end = at.end.saturating_add(reach).min(len);
    match windows.last_mut() {
        Some(w) if start <= w.end => w.end = w.end.max(end),
        _ => windows.push(start..end),
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The byte of the `%XX` escape at `i`, if there is one before `end`.
fn percent_at(h: &[u8], i: usize, end: usize) -> Option<u8> {
    if i + 3 > end || h[i] != b'%' {
        return None;
    }
    Some(hex_value(h[i + 1])? << 4 | hex_value(h[i + 2])?)
}

fn percent_views(h: &[u8], interesting: &ByteSet, max_len: usize, out: &mut Vec<View>) {
    let plus_matters = interesting[usize::from(b' ')];
    let reach = 3 * max_len;
    let mut windows = Vec::new();
    let mut visit = |i: usize| {
        let hit = match h[i] {
            b'%' => percent_at(h, i, h.len()).is_some_and(|b| interesting[usize::from(b)]).then_some(i..i + 3),
            _ => Some(i..i + 1), // '+', searched for only when a pattern holds a space
        };
        if let Some(at) = hit {
            add_window(&mut windows, at, reach, h.len());
        }
    };
    if plus_matters {
        memchr::memchr2_iter(b'%', b'+', h).for_each(&mut visit);
    } else {
        memchr::memchr_iter(b'%', h).for_each(&mut visit);
    }
    for w in windows {
        let has_plus = plus_matters && memchr::memchr(b'+', &h[w.clone()]).is_some();
        out.push(decode_percent(h, w.clone(), false));
        if has_plus {
            out.push(decode_percent(h, w, true));
        }
    }
}

fn decode_percent(h: &[u8], w: Range<usize>, plus_is_space: bool) -> View {
    let layer = if plus_is_space { Layer::FormUrlencoded } else { Layer::Percent };
    let mut view = View::new(layer, w.len());
    let mut plain = w.start;
    let mut j = w.start;
    while j < w.end {
        let decoded = match percent_at(h, j, w.end) {
            Some(b) => Some((b, 3)),
            None if plus_is_space && h[j] == b'+' => Some((b' ', 1)),
            None => None,
        };
        match decoded {
            Some((b, len)) => {
                view.copy(h, plain..j);
                view.decoded(&[b], j..j + len);
                j += len;
                plain = j;
            }
            None => j += 1,
        }
    }
    view.copy(h, plain..w.end);
    view
}

/// The bytes of the JSON escape at `i` (UTF-8 of the character) and the escape's length.
fn json_escape_at(h: &[u8], i: usize, end: usize) -> Option<([u8; 4], usize, usize)> {
    if i + 2 > end || h[i] != b'\\' {
        return None;
    }
    let single = match h[i + 1] {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => {
            let unit = |at: usize| -> Option<u16> {
                if at + 6 > end || h[at] != b'\\' || h[at + 1] != b'u' {
                    return None;
                }
                h[at + 2..at + 6].iter().try_fold(0u16, |acc, &b| Some(acc << 4 | u16::from(hex_value(b)?)))
            };
            let first = unit(i)?;
            let (c, consumed) = match char::decode_utf16([first]).next()? {
                Ok(c) => (c, 6),
                Err(_) => {
                    let second = unit(i + 6)?;
                    (char::decode_utf16([first, second]).next()?.ok()?, 12)
                }
            };
            let mut buf = [0u8; 4];
            let n = c.encode_utf8(&mut buf).len();
            return Some((buf, n, consumed));
        }
        _ => return None,
    };
    Some(([single, 0, 0, 0], 1, 2))
}

fn json_views(h: &[u8], interesting: &ByteSet, max_len: usize, out: &mut Vec<View>) {
    let reach = 6 * max_len;
    let mut windows = Vec::new();
    for i in memchr::memchr_iter(b'\\', h) {
        if let Some((bytes, n, consumed)) = json_escape_at(h, i, h.len())
            && bytes[..n].iter().any(|&b| interesting[usize::from(b)])
        {
            add_window(&mut windows, i..i + consumed, reach, h.len());
        }
    }
    for w in windows {
        let mut view = View::new(Layer::JsonEscaped, w.len());
        let mut plain = w.start;
        let mut j = w.start;
        while j < w.end {
            match json_escape_at(h, j, w.end) {
                Some((bytes, n, consumed)) => {
                    view.copy(h, plain..j);
                    view.decoded(&bytes[..n], j..j + consumed);
                    j += consumed;
                    plain = j;
                }
                None => j += 1,
            }
        }
        view.copy(h, plain..w.end);
        out.push(view);
    }
}

/// The characters of wrapped base64 (both alphabets), as a table: this runs on every line.
const WRAPPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'-' || c == b'_';
        b += 1;
    }
    table
};

/// Whether `b` is a character of wrapped base64, as [`WRAPPED`] says, in a form the compiler
/// turns into vector instructions over a chunk.
#[inline(always)]
fn is_wrapped(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'+')
        | (b == b'/')
        | (b == b'-')
        | (b == b'_')
}

/// How many base64 characters end at `pos` (exclusive), counting at most `cap`. Runs on every
/// line of wrapped base64: whole 16-byte chunks are checked at once.
fn run_before(h: &[u8], pos: usize, cap: usize) -> usize {
    const CHUNK: usize = 16;
    let start = pos.saturating_sub(cap);
    let mut end = pos;
    while end - start >= CHUNK && h[end - CHUNK..end].iter().fold(true, |all, &b| all & is_wrapped(b)) {
        end -= CHUNK;
    }
    pos - end + h[start..end].iter().rev().take_while(|&&b| WRAPPED[usize::from(b)]).count()
}

/// A line break inside wrapped base64: `cut` is removed (break and indentation); `run` base64
/// characters (at most the cap) end where it starts.
struct Break {
    cut: Range<usize>,
    run: usize,
}

fn line_breaks(h: &[u8], cap: usize) -> Vec<Break> {
    let mut breaks = Vec::new();
    for i in memchr::memchr2_iter(b'\n', b'\\', h) {
        let (start, end) = match h[i] {
            b'\n' if i > 0 && h[i - 1] == b'\r' => (i - 1, i + 1),
            b'\n' => (i, i + 1),
            _ if h.get(i + 1) == Some(&b'n') => match i >= 2 && &h[i - 2..i] == b"\\r" {
                true => (i - 2, i + 2),
                false => (i, i + 2),
            },
            _ => continue,
        };
        if start == 0 || !WRAPPED[usize::from(h[start - 1])] {
            continue;
        }
        let next = end + h[end..].iter().take(MAX_INDENT).take_while(|&&b| b == b' ' || b == b'\t').count();
        if next >= h.len() || !WRAPPED[usize::from(h[next])] {
            continue;
        }
        let run = run_before(h, start, cap);
        if run >= MIN_WRAPPED_LINE {
            breaks.push(Break { cut: start..next, run });
        }
    }
    breaks
}

fn line_views(h: &[u8], max_len: usize, out: &mut Vec<View>) {
    let cap = max_len.max(MIN_WRAPPED_LINE);
    let breaks = line_breaks(h, cap);
    let mut i = 0;
    while i < breaks.len() {
        // A chain: breaks separated only by whole lines of base64 characters (a line longer than
        // the cap ends the chain: no pattern spans it).
        let mut j = i;
        while j + 1 < breaks.len() && breaks[j + 1].cut.start - breaks[j].cut.end <= breaks[j + 1].run {
            j += 1;
        }
        let head = breaks[i].cut.start - breaks[i].run;
        let last = &breaks[j].cut;
        let tail = last.end + h[last.end..].iter().take(cap).take_while(|&&b| WRAPPED[usize::from(b)]).count();
        let mut view = View::new(Layer::LineWrapped, tail - head);
        let mut pos = head;
        for b in &breaks[i..=j] {
            view.copy(h, pos..b.cut.start);
            pos = b.cut.end;
        }
        view.copy(h, pos..tail);
        if breaks[i..=j].iter().all(|b| h[b.cut.start] != b'\\') {
            view.stands_in_for = Some(head..tail);
        }
        out.push(view);
        i = j + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_bytes() -> ByteSet {
        [true; 256]
    }

    fn texts(h: &[u8], set: &ByteSet) -> Vec<(Layer, String)> {
        let mut views = Vec::new();
        build(h, set, 12, &mut views);
        views.into_iter().map(|v| (v.layer, String::from_utf8_lossy(&v.bytes).into_owned())).collect()
    }

    #[test]
    fn percent_views_decode_any_mix_and_both_cases() {
        let v = texts(b"q=a%2fb%2Fc%41+d", &all_bytes());
        assert!(v.contains(&(Layer::Percent, "q=a/b/cA+d".into())), "{v:?}");
        assert!(v.contains(&(Layer::FormUrlencoded, "q=a/b/cA d".into())), "{v:?}");
    }

    #[test]
    fn uninteresting_escapes_open_no_view() {
        let mut set = [false; 256];
        for b in b"abc" {
            set[usize::from(*b)] = true;
        }
        assert!(texts(b"50% off, a%20b, x+y, \"q\\\"uote\\n\"", &set).is_empty());
        assert_eq!(texts(b"x%61y", &set), vec![(Layer::Percent, "xay".into())]);
    }

    #[test]
    fn json_views_decode_escapes_and_surrogate_pairs() {
        let v = texts(br#""a\/b\u0041\ud83d\ude00\"""#, &all_bytes());
        assert_eq!(v, vec![(Layer::JsonEscaped, "\"a/bA\u{1F600}\"\"".into())]);
    }

    #[test]
    fn line_views_join_wrapped_base64_and_map_back() {
        let h = b"data: QUJDREVGR0hJSktMTU5PUFFS\r\n  U1RVVldYWVo=\nnext line";
        let mut views = Vec::new();
        build(h, &[false; 256], 12, &mut views);
        assert_eq!(views.len(), 1);
        let v = &views[0];
        assert_eq!(v.layer, Layer::LineWrapped);
        let text = String::from_utf8_lossy(&v.bytes);
        assert!(text.contains("UFFSU1RV"), "{text}");
        let at = text.find("UFFSU1RV").unwrap();
        let orig = v.original(at..at + 8);
        assert_eq!(&h[orig], b"UFFS\r\n  U1RV");
    }

    #[test]
    fn the_chunked_run_count_agrees_with_the_table() {
        assert!((0..=255u8).all(|b| is_wrapped(b) == WRAPPED[usize::from(b)]));
        let h = b"xx ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_ end";
        for pos in 0..h.len() {
            for cap in [0, 1, 15, 16, 17, 40, 100] {
                let simple = h[..pos].iter().rev().take(cap).take_while(|&&b| WRAPPED[usize::from(b)]).count();
                assert_eq!(run_before(h, pos, cap), simple, "pos {pos} cap {cap}");
            }
        }
    }

    #[test]
    fn prose_and_json_lines_do_not_count_as_wrapped() {
        let h = b"{\n  \"name\": \"value\",\n  \"n\": 1\n}\nThe end of a sentence.\nAnother line here\n";
        assert!(texts(h, &[false; 256]).is_empty());
    }
}
