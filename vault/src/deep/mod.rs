//! The deep check: whether bytes carry one of a *few* secrets in any form an agent could undo.
//!
//! The [`crate::LeakDetector`] scans for every vault secret at gigabytes a second and knows the
//! forms a leak is usually written in. The deep check is for the secrets one job was granted: a
//! host that reflects the credential it received (an error page quoting the key, a debug echo), an
//! agent that encodes a credential it holds into its output, its logs, its key-value store or its
//! next request. There are few needles, so every message can afford a thorough look:
//!
//! - needles (`needles`): each secret as written, reversed, ROT13, both, and with its separators
//!   removed, whole and as every window of half its length (at least 8, at most 12 bytes: halves
//!   in two headers, pieces of 12 in five requests), ASCII-case-insensitively; and under every
//!   single-byte XOR;
//! - views (`decode`): the message is searched as it is and after undoing, in any order and up
//!   to [`DeepLimits::max_layers`] deep, gzip, zlib and zstd (by their magic numbers), base64
//!   (either alphabet, any line width), base32, hex, percent-encoding, quoted-printable, HTML and
//!   XML entities, JSON escapes, UTF-16 and UTF-32, and after removing whitespace or every
//!   separator. Every decoder is a well-kept crate's.
//!
//! A message that decodes beyond the limits (more layers than are followed, more decoded bytes than
//! the budget, a compressed stream that inflates past its cap) is an error, never a pass: the
//! caller refuses what could not be checked.
//!
//! What no scanner can catch: a secret encrypted, or transformed by any keyed function, under a key
//! the reader knows. Against a host that does that, the defences are the secret's host binding and
//! the operator's allowlist.

mod decode;
mod inflate;
mod needles;
mod runs;

pub use inflate::{Coding, InflateError, InflateLimits, inflate};

use crate::VaultError;
use crate::rules::validate_value_len;
use decode::View;
use needles::Needles;
use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};
use zeroize::Zeroizing;

/// A layer of encoding the deep check undid before it found a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// A gzip stream, found by its magic number.
    Gzip,
    /// A zlib stream at the start of a view.
    Zlib,
    /// A zstd frame, found by its magic number.
    Zstd,
    /// Base64, standard or url-safe alphabet, any line width.
    Base64,
    /// Base32 (RFC 4648), either case.
    Base32,
    /// Hexadecimal, either case.
    Hex,
    /// `%XX` escapes.
    Percent,
    /// Quoted-printable (`=XX`, soft line breaks).
    QuotedPrintable,
    /// HTML or XML entities, named or numeric.
    Entities,
    /// JSON string escapes (`\uXXXX`, ...).
    JsonEscapes,
    /// UTF-16 (a byte-order mark or many NUL bytes), decoded.
    Utf16,
    /// NUL bytes removed (ASCII in UTF-16 or UTF-32, at any alignment).
    NulsRemoved,
    /// Whitespace removed (line-wrapped or spaced-out text).
    WhitespaceRemoved,
    /// Every byte but ASCII letters and digits removed (`de:ad:be:ef`, `s-k-...`).
    SeparatorsRemoved,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Step::Gzip => "gzip",
            Step::Zlib => "zlib",
            Step::Zstd => "zstd",
            Step::Base64 => "base64",
            Step::Base32 => "base32",
            Step::Hex => "hex",
            Step::Percent => "percent-encoding",
            Step::QuotedPrintable => "quoted-printable",
            Step::Entities => "HTML entities",
            Step::JsonEscapes => "JSON escapes",
            Step::Utf16 => "UTF-16",
            Step::NulsRemoved => "UTF-16/32 (NULs removed)",
            Step::WhitespaceRemoved => "whitespace removed",
            Step::SeparatorsRemoved => "separators removed",
        })
    }
}

/// How the secret's own bytes were arranged where they were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reading {
    /// As they are.
    Plain,
    /// Back to front.
    Reversed,
    /// ROT13.
    Rot13,
    /// ROT13, back to front.
    Rot13Reversed,
    /// With the secret's own separators (non-alphanumeric bytes) taken out.
    Stripped,
    /// Without separators, back to front.
    StrippedReversed,
}

impl Reading {
    /// Every reading, plainest first.
    const ALL: [Reading; 6] = [
        Reading::Plain,
        Reading::Reversed,
        Reading::Rot13,
        Reading::Rot13Reversed,
        Reading::Stripped,
        Reading::StrippedReversed,
    ];

    /// Where the first `prefix` bytes of `value` lie in this reading.
    fn span_of_prefix(self, value: &[u8], prefix: usize) -> std::ops::Range<usize> {
        let kept = |bytes: &[u8]| bytes.iter().filter(|b| b.is_ascii_alphanumeric()).count();
        match self {
            Reading::Plain | Reading::Rot13 => 0..prefix,
            Reading::Reversed | Reading::Rot13Reversed => value.len() - prefix..value.len(),
            Reading::Stripped => 0..kept(&value[..prefix]),
            Reading::StrippedReversed => {
                let total = kept(value);
                total - kept(&value[..prefix])..total
            }
        }
    }

    /// This reading of `value`; `None` when it equals another (a secret without separators).
    fn of(self, value: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let rot13 = |b: &u8| match b {
            b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
            b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
            _ => *b,
        };
        let stripped = || value.iter().copied().filter(u8::is_ascii_alphanumeric);
        let bytes: Vec<u8> = match self {
            Reading::Plain => value.to_vec(),
            Reading::Reversed => value.iter().rev().copied().collect(),
            Reading::Rot13 => value.iter().map(rot13).collect(),
            Reading::Rot13Reversed => value.iter().rev().map(rot13).collect(),
            Reading::Stripped | Reading::StrippedReversed if stripped().count() == value.len() => return None,
            Reading::Stripped => stripped().collect(),
            Reading::StrippedReversed => stripped().collect::<Vec<u8>>().into_iter().rev().collect(),
        };
        Some(Zeroizing::new(bytes))
    }
}

impl std::fmt::Display for Reading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Reading::Plain => "as is",
            Reading::Reversed => "reversed",
            Reading::Rot13 => "ROT13",
            Reading::Rot13Reversed => "ROT13, reversed",
            Reading::Stripped => "without its separators",
            Reading::StrippedReversed => "without its separators, reversed",
        })
    }
}

/// A secret the deep check found. Names the secret and the form, never the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reflection {
    /// The secret's name.
    pub secret: String,
    /// The layers undone to find it, outermost first.
    pub layers: Vec<Step>,
    /// How its bytes were arranged.
    pub reading: Reading,
    /// The byte every byte of it was XOR-ed with, if any.
    pub xor: Option<u8>,
    /// Whether only a part of it (at least half) was found.
    pub part: bool,
}

impl Reflection {
    /// The form, in words: `"gzip → base64 → reversed, XOR 0x5a, part of it"`.
    pub fn form(&self) -> String {
        let mut words: Vec<String> = self.layers.iter().map(Step::to_string).collect();
        if self.reading != Reading::Plain || words.is_empty() {
            words.push(self.reading.to_string());
        }
        let mut form = words.join(" → ");
        if let Some(key) = self.xor {
            form.push_str(&format!(", XOR 0x{key:02x}"));
        }
        if self.part {
            form.push_str(", part of it");
        }
        form
    }
}

impl std::fmt::Display for Reflection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "secret {:?} ({})", self.secret, self.form())
    }
}

/// Why the deep check could not vouch for a message: it is refused, as a leak would be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeepError {
    /// Still encoded after the most layers the check follows.
    #[error("encoded more than {limit} layers deep ({layers}): too deep to check")]
    TooDeep {
        /// The layer limit.
        limit: usize,
        /// The layers undone so far, in words.
        layers: String,
    },
    /// The decoded views would exceed the byte budget.
    #[error("decoding it would take more than {budget} bytes: too much to check")]
    TooLarge {
        /// The budget, in bytes.
        budget: usize,
    },
    /// A compressed stream inflated past its cap.
    #[error(transparent)]
    Bomb(#[from] InflateError),
}

/// The bounds of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeepLimits {
    /// Most layers undone one inside another (whitespace and separator removal are not layers).
    pub max_layers: usize,
    /// Decoded views may total this many times the message's size...
    pub budget_per_byte: usize,
    /// ...plus this many bytes.
    pub budget_floor: usize,
    /// Caps on a compressed stream found inside the message.
    pub inflate: InflateLimits,
}

impl Default for DeepLimits {
    fn default() -> DeepLimits {
        DeepLimits { max_layers: 5, budget_per_byte: 64, budget_floor: 1 << 20, inflate: InflateLimits::default() }
    }
}

/// The deep check for a few secrets. Build once per set of secrets (a job's grants) and share.
pub struct DeepScanner {
    names: Vec<String>,
    needles: Needles,
    limits: DeepLimits,
}

impl DeepScanner {
    /// A scanner for `(name, value)` pairs, with the default limits. Values are 8 to 8192 bytes.
    pub fn new<'a>(secrets: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<DeepScanner, VaultError> {
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (name, value) in secrets {
            validate_value_len(name, value.len())?;
            names.push(name.to_string());
            values.push(value);
        }
        Ok(DeepScanner { names, needles: Needles::new(&values)?, limits: DeepLimits::default() })
    }

    /// The same scanner with other limits.
    pub fn with_limits(self, limits: DeepLimits) -> DeepScanner {
        DeepScanner { limits, ..self }
    }

    /// The names of the secrets it looks for.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether it looks for no secret (every check passes).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The first secret `message` carries in any form, searching the plainest views first; an
    /// error when the message could not be checked within the limits.
    pub fn check(&self, message: &[u8]) -> Result<Option<Reflection>, DeepError> {
        if self.is_empty() {
            return Ok(None);
        }
        let budget = message.len().saturating_mul(self.limits.budget_per_byte).saturating_add(self.limits.budget_floor);
        let mut spent = 0usize;
        // Views are deduplicated by a hash keyed afresh per check: an attacker cannot make two
        // different views collide so that the one carrying the secret is skipped.
        let keys = RandomState::new();
        let mut seen = HashSet::new();
        let mut scratch = Vec::new();
        let mut queue = VecDeque::from([View::root(message)]);
        let mut children = Vec::new();
        while let Some(view) = queue.pop_front() {
            if let Some(found) = self.needles.find(&view.bytes, !view.stripped, &mut scratch) {
                return Ok(Some(Reflection {
                    secret: self.names[found.of.secret].clone(),
                    layers: view.path,
                    reading: found.of.reading,
                    xor: found.xor,
                    part: found.of.len < found.of.reading_len,
                }));
            }
            if view.layers >= self.limits.max_layers {
                if decode::still_encoded(&view, self.needles.shortest()) {
                    let layers = view.path.iter().map(Step::to_string).collect::<Vec<_>>().join(" → ");
                    return Err(DeepError::TooDeep { limit: self.limits.max_layers, layers });
                }
                continue;
            }
            decode::children(&view, self.needles.shortest(), &self.limits.inflate, &mut children)?;
            for child in children.drain(..) {
                spent = spent.saturating_add(child.bytes.len());
                if spent > budget {
                    return Err(DeepError::TooLarge { budget });
                }
                if seen.insert(keys.hash_one(&child.bytes[..])) {
                    queue.push_back(child);
                }
            }
        }
        Ok(None)
    }
}

impl std::fmt::Debug for DeepScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeepScanner").field("secrets", &self.names).finish_non_exhaustive()
    }
}
