//! Fixed-length byte strings: lowercase hex in JSON, raw bytes in borsh (no length prefix).

use near_sdk::borsh::{BorshDeserialize, BorshSerialize};
use near_sdk::serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::fmt;

/// `N` bytes that a JSON API shows as `2N` lowercase hex digits (e.g. a SHA-256 hash, a measurement).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
#[borsh(crate = "near_sdk::borsh")]
pub struct HexBytes<const N: usize>(pub [u8; N]);

impl<const N: usize> HexBytes<N> {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> Default for HexBytes<N> {
    fn default() -> Self {
        Self([0; N])
    }
}

impl<const N: usize> From<[u8; N]> for HexBytes<N> {
    fn from(bytes: [u8; N]) -> Self {
        Self(bytes)
    }
}

impl<const N: usize> fmt::Display for HexBytes<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl<const N: usize> fmt::Debug for HexBytes<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HexBytes({self})")
    }
}

impl<const N: usize> std::str::FromStr for HexBytes<N> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; N];
        hex::decode_to_slice(s, &mut out)
            .map_err(|e| format!("expected {} hex digits ({N} bytes), got {} characters: {e}", 2 * N, s.len()))?;
        Ok(Self(out))
    }
}

impl<const N: usize> Serialize for HexBytes<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de, const N: usize> Deserialize<'de> for HexBytes<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(deserializer)?;
        s.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_sdk::serde_json;

    #[test]
    fn json_round_trip_is_lowercase_hex() {
        let value = HexBytes([0xab, 0x01, 0xff]);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, "\"ab01ff\"");
        assert_eq!(serde_json::from_str::<HexBytes<3>>(&json).unwrap(), value);
        assert_eq!(serde_json::from_str::<HexBytes<3>>("\"AB01FF\"").unwrap(), value);
    }

    #[test]
    fn wrong_length_or_non_hex_is_refused() {
        let short = serde_json::from_str::<HexBytes<3>>("\"ab01\"").unwrap_err().to_string();
        assert!(short.contains("expected 6 hex digits (3 bytes)"), "{short}");
        assert!(serde_json::from_str::<HexBytes<3>>("\"ab01ff00\"").is_err());
        assert!(serde_json::from_str::<HexBytes<3>>("\"zz01ff\"").is_err());
        assert!(serde_json::from_str::<HexBytes<3>>("[171,1,255]").is_err());
    }

    #[test]
    fn borsh_is_the_raw_bytes() {
        let value = HexBytes([1u8, 2, 3, 4]);
        let bytes = near_sdk::borsh::to_vec(&value).unwrap();
        assert_eq!(bytes, vec![1, 2, 3, 4]);
        assert_eq!(near_sdk::borsh::from_slice::<HexBytes<4>>(&bytes).unwrap(), value);
    }
}
