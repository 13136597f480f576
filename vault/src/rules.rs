//! The naming and length rules secrets obey (shared with the agent manifest's secret names).

use crate::VaultError;

/// Shortest secret value accepted, in bytes: shorter values cannot be scanned for safely (their
/// encodings occur in ordinary text, so leaks could not be told from noise).
pub const MIN_VALUE_LEN: usize = 8;
/// Longest secret value accepted, in bytes.
pub const MAX_VALUE_LEN: usize = 8192;

/// Checks a secret name: 1 to 128 characters of `[A-Za-z0-9_.-]`, as in agent manifests.
pub fn validate_name(name: &str) -> Result<(), VaultError> {
    let ok = (1..=128).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if ok { Ok(()) } else { Err(VaultError::InvalidName(name.to_string())) }
}

/// Checks a value's length is within [`MIN_VALUE_LEN`]..=[`MAX_VALUE_LEN`].
pub(crate) fn validate_value_len(name: &str, len: usize) -> Result<(), VaultError> {
    if (MIN_VALUE_LEN..=MAX_VALUE_LEN).contains(&len) {
        Ok(())
    } else {
        Err(VaultError::ValueLength { name: name.to_string(), len, min: MIN_VALUE_LEN, max: MAX_VALUE_LEN })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_manifest_rule() {
        for ok in ["a", "OPENAI_KEY", "gh.token-2", &"x".repeat(128)] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a/b", "ключ", "a\n", &"x".repeat(129)] {
            assert!(matches!(validate_name(bad), Err(VaultError::InvalidName(_))), "{bad}");
        }
    }

    #[test]
    fn length_errors_explain_why_without_the_value() {
        let err = validate_value_len("k", 7).unwrap_err().to_string();
        assert!(err.contains("7 bytes") && err.contains("cannot be scanned"), "{err}");
        assert!(validate_value_len("k", 8).is_ok());
        assert!(validate_value_len("k", 8192).is_ok());
        assert!(validate_value_len("k", 8193).is_err());
    }
}
