//! The byte strings the leak detector searches for: a secret raw, in hex, and the part of its
//! base64 encoding that depends only on the secret's bytes, at each of the three byte alignments and
//! in both alphabets. Percent-encoding, JSON escapes and line-wrapping are undone on the haystack
//! instead (see `views`), which catches every mix of encoded and plain bytes.
//!
//! Why base64 "cores" and not whole encodings: inside a larger base64'd buffer a secret at offset
//! `k mod 3` shares its first and last sextets with its neighbours. The core is the run of
//! characters fully determined by the secret; it is a substring of every encoding of the secret,
//! padded or not, alone or inside a blob, so matching it detects all of them. Redaction then also
//! swallows the one partially-determined character on each side and any `=` padding.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// The base64 alphabet of a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alphabet {
    /// `+` and `/` (RFC 4648 §4).
    Standard,
    /// `-` and `_` (RFC 4648 §5).
    UrlSafe,
}

/// How a secret's bytes were written where they were found (before any layer such as
/// percent-encoding is undone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// The bytes themselves (letters in any case).
    Raw,
    /// Hexadecimal, either case or mixed.
    Hex,
    /// Base64, padded or not, with the secret at byte offset `alignment` (mod 3) of the encoded data.
    Base64 {
        /// Alphabet.
        alphabet: Alphabet,
        /// 0, 1 or 2.
        alignment: u8,
    },
}

impl std::fmt::Display for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Form::Raw => f.write_str("raw"),
            Form::Hex => f.write_str("hex"),
            Form::Base64 { alphabet: Alphabet::Standard, alignment } => write!(f, "base64 (alignment {alignment})"),
            Form::Base64 { alphabet: Alphabet::UrlSafe, alignment } => {
                write!(f, "base64url (alignment {alignment})")
            }
        }
    }
}

impl Form {
    /// For a base64 core of a secret of `secret_len` bytes: whether one partially-determined
    /// character precedes it, whether one follows it, and the alphabet.
    pub(crate) fn base64_edges(self, secret_len: usize) -> Option<(bool, bool, Alphabet)> {
        match self {
            Form::Base64 { alphabet, alignment } => {
                let bits = 8 * (usize::from(alignment) + secret_len);
                Some((alignment != 0, !bits.is_multiple_of(6), alphabet))
            }
            _ => None,
        }
    }
}

/// Whether `b` is a character of `alphabet` (padding excluded).
pub(crate) fn is_base64_char(b: u8, alphabet: Alphabet) -> bool {
    b.is_ascii_alphanumeric()
        || match alphabet {
            Alphabet::Standard => b == b'+' || b == b'/',
            Alphabet::UrlSafe => b == b'-' || b == b'_',
        }
}

/// Every form the detector searches for, with its bytes (hex in lowercase; the automaton matches
/// letters case-insensitively). Forms whose bytes coincide are listed once.
pub fn patterns_of(value: &[u8]) -> Vec<(Form, Vec<u8>)> {
    let mut out: Vec<(Form, Vec<u8>)> = vec![(Form::Raw, value.to_vec()), (Form::Hex, hex::encode(value).into_bytes())];
    for alphabet in [Alphabet::Standard, Alphabet::UrlSafe] {
        for alignment in 0..3u8 {
            let core = base64_core(value, alignment, alphabet);
            if !out.iter().any(|(_, bytes)| bytes.eq_ignore_ascii_case(&core)) {
                out.push((Form::Base64 { alphabet, alignment }, core));
            }
        }
    }
    out
}

/// The characters of base64(`alignment` filler bytes ‖ `value`) determined by `value` alone.
fn base64_core(value: &[u8], alignment: u8, alphabet: Alphabet) -> Vec<u8> {
    let k = usize::from(alignment);
    let mut input = vec![0u8; k];
    input.extend_from_slice(value);
    let engine = match alphabet {
        Alphabet::Standard => &STANDARD_NO_PAD,
        Alphabet::UrlSafe => &URL_SAFE_NO_PAD,
    };
    let encoded = engine.encode(&input).into_bytes();
    let skip = (8 * k).div_ceil(6);
    let full = 8 * input.len() / 6;
    encoded[skip..full].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};

    /// The core at each alignment is a substring of the encoding of any buffer holding the secret
    /// at that alignment, whatever the neighbouring bytes and whether padded or not.
    #[test]
    fn cores_occur_in_every_surrounding_encoding() {
        let secret = b"\xfb\xff\xfe sk-proj-0123456789 ?>~";
        for alignment in 0..3u8 {
            for (alphabet, engine) in [(Alphabet::Standard, &STANDARD), (Alphabet::UrlSafe, &URL_SAFE)] {
                let core = base64_core(secret, alignment, alphabet);
                for prefix_groups in 0..3 {
                    for suffix in [&b""[..], b"x", b"xy", b"\xff\xff\xff"] {
                        let mut buf = vec![0x5a; 3 * prefix_groups + usize::from(alignment)];
                        buf.extend_from_slice(secret);
                        buf.extend_from_slice(suffix);
                        let enc = engine.encode(&buf);
                        assert!(
                            enc.as_bytes().windows(core.len()).any(|w| w == core.as_slice()),
                            "alignment {alignment} {alphabet:?} missing in {enc}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn cores_have_the_expected_lengths() {
        let secret = [7u8; 8];
        assert_eq!(base64_core(&secret, 0, Alphabet::Standard).len(), 10); // 64 bits -> 10 full sextets
        assert_eq!(base64_core(&secret, 1, Alphabet::Standard).len(), 10); // 72 bits: 12 chars, 2 skipped
        assert_eq!(base64_core(&secret, 2, Alphabet::Standard).len(), 10); // 80 bits: 13 chars, 3 skipped
    }

    #[test]
    fn identical_forms_are_listed_once() {
        // No byte produces '+', '/', '-' or '_' here, so both alphabets agree.
        let forms = patterns_of(b"AAAAAAAAAAAA");
        let b64 = forms.iter().filter(|(f, _)| matches!(f, Form::Base64 { .. })).count();
        assert_eq!(b64, 3);
        assert_eq!(forms[1].1, b"414141414141414141414141");
    }
}
