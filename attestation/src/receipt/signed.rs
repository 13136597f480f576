//! A receipt with the node's ed25519 signature over its hash, in NEAR's key and signature format.

use near_crypto::{KeyType, PublicKey, Signature};
use serde::{Deserialize, Serialize};

use super::Receipt;
use crate::NodeKeys;

/// Why a signed receipt was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The receipt names a non-ed25519 key.
    #[error("receipt key {0} is not ed25519")]
    KeyType(String),
    /// The signature does not verify over the receipt hash under the receipt's key.
    #[error("receipt signature does not verify under {0}: the receipt was altered or signed by another key")]
    BadSignature(String),
    /// The receipt is signed by a key other than the one the verifier expects.
    #[error("receipt is signed by {actual}, expected the node key {expected}")]
    UnexpectedKey {
        /// Key in the receipt.
        actual: String,
        /// Key the verifier expected.
        expected: String,
    },
}

/// A receipt and the node's signature over [`Receipt::hash`] (`ed25519:<base58>` strings in JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReceipt {
    /// The receipt.
    pub receipt: Receipt,
    /// ed25519 signature over the receipt hash.
    pub signature: Signature,
}

impl SignedReceipt {
    /// Sign a receipt with the node's key. The receipt's `node_public_key` and `node_account_id`
    /// are set from the keys, so a receipt always names its signer.
    pub fn sign(mut receipt: Receipt, keys: &NodeKeys) -> SignedReceipt {
        receipt.node_public_key = keys.public_key();
        receipt.node_account_id = keys.account_id().to_string();
        let signature = keys.sign(&receipt.hash());
        SignedReceipt { receipt, signature }
    }

    /// Verify the signature under the key the receipt names; returns the receipt hash.
    pub fn verify(&self) -> Result<[u8; 32], ReceiptError> {
        let key = &self.receipt.node_public_key;
        if !matches!(key.key_type(), KeyType::ED25519) || !matches!(self.signature.key_type(), KeyType::ED25519) {
            return Err(ReceiptError::KeyType(key.to_string()));
        }
        let hash = self.receipt.hash();
        if !self.signature.verify(&hash, key) {
            return Err(ReceiptError::BadSignature(key.to_string()));
        }
        Ok(hash)
    }

    /// Verify, and require the signer to be `expected` (e.g. the key registered on chain).
    pub fn verify_from(&self, expected: &PublicKey) -> Result<[u8; 32], ReceiptError> {
        if &self.receipt.node_public_key != expected {
            return Err(ReceiptError::UnexpectedKey {
                actual: self.receipt.node_public_key.to_string(),
                expected: expected.to_string(),
            });
        }
        self.verify()
    }
}
