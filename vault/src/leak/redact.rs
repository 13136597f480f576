//! Building the redacted copy: overlapping spans merge, each merged span becomes one
//! `[REDACTED:<names>]` marker.

use std::ops::Range;

/// `haystack` with each span replaced by a marker naming its secrets (sorted, comma-separated),
/// and where the markers are in the output.
pub(super) fn replace(
    haystack: &[u8],
    mut spans: Vec<(Range<usize>, usize)>,
    names: &[String],
) -> (Vec<u8>, Vec<Range<usize>>) {
    spans.sort_by_key(|(r, _)| (r.start, r.end));
    let mut merged: Vec<(Range<usize>, Vec<usize>)> = Vec::new();
    for (range, secret) in spans {
        match merged.last_mut() {
            Some((last, secrets)) if range.start < last.end => {
                last.end = last.end.max(range.end);
                secrets.push(secret);
            }
            _ => merged.push((range, vec![secret])),
        }
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut markers = Vec::with_capacity(merged.len());
    let mut pos = 0;
    for (range, secrets) in merged {
        out.extend_from_slice(&haystack[pos..range.start]);
        let marker_start = out.len();
        let mut labels: Vec<&str> = secrets.iter().map(|&s| names[s].as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        out.extend_from_slice(b"[REDACTED:");
        out.extend_from_slice(labels.join(",").as_bytes());
        out.push(b']');
        markers.push(marker_start..out.len());
        pos = range.end;
    }
    out.extend_from_slice(&haystack[pos..]);
    (out, markers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_spans_merge_and_name_every_secret() {
        let names = vec!["b".to_string(), "a".to_string()];
        let (out, markers) = replace(b"0123456789", vec![(2..5, 0), (4..7, 1), (8..9, 0)], &names);
        assert_eq!(out, b"01[REDACTED:a,b]7[REDACTED:b]9");
        assert_eq!(markers, vec![2..16, 17..29]);
    }

    #[test]
    fn adjacent_spans_stay_separate() {
        let names = vec!["x".to_string()];
        let (out, _) = replace(b"abcd", vec![(0..2, 0), (2..4, 0)], &names);
        assert_eq!(out, b"[REDACTED:x][REDACTED:x]");
    }
}
