//! RFC 6962 Merkle trees over receipt hashes: leaf = H(0x00 || data), node = H(0x01 || l || r),
//! with inclusion proofs verified as in RFC 9162 section 2.1.3.2.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::encoding::hex32_list;

/// Why an inclusion proof was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The proof is for another batch than the one the verifier trusts.
    #[error("proof is for batch {}, not the trusted batch {}", hex::encode(.proof_root), hex::encode(.trusted_root))]
    OtherBatch {
        /// Root named in the proof.
        proof_root: [u8; 32],
        /// Root the verifier trusts (e.g. anchored on NEAR).
        trusted_root: [u8; 32],
    },
    /// The index is outside the tree or the path has the wrong length for it.
    #[error("proof shape is invalid: leaf {leaf_index} of a tree of {tree_size} with {path_len} path hashes")]
    Shape {
        /// Leaf index.
        leaf_index: u64,
        /// Tree size.
        tree_size: u64,
        /// Path length.
        path_len: usize,
    },
    /// The path does not lead from the leaf to the root.
    #[error("proof does not lead from this receipt to the batch root")]
    Mismatch,
}

/// Proof that a receipt hash is leaf `leaf_index` of the tree of `tree_size` leaves with root `batch_root`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// Root of the batch.
    #[serde(with = "hex::serde")]
    pub batch_root: [u8; 32],
    /// Position of the leaf.
    pub leaf_index: u64,
    /// Number of leaves.
    pub tree_size: u64,
    /// Sibling hashes from the leaf up.
    #[serde(with = "hex32_list")]
    pub path: Vec<[u8; 32]>,
}

/// RFC 6962 leaf hash: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> [u8; 32] {
    Sha256::new_with_prefix([0u8]).chain_update(data).finalize().into()
}

/// RFC 6962 interior node hash: SHA-256(0x01 || left || right).
fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    Sha256::new_with_prefix([1u8]).chain_update(left).chain_update(right).finalize().into()
}

/// A batch of receipts: every level of its RFC 6962 tree, for roots and proofs.
#[derive(Clone, Debug)]
pub struct Batch {
    /// `levels[0]` are leaf hashes; each next level pairs neighbours, carrying an odd last node up
    /// unchanged (which is RFC 6962's shape for sizes that are not powers of two).
    levels: Vec<Vec<[u8; 32]>>,
}

impl Batch {
    /// Build the tree over the leaves' data (receipt hashes). Returns `None` for an empty batch.
    pub fn new<D: AsRef<[u8]>>(leaves: &[D]) -> Option<Batch> {
        if leaves.is_empty() {
            return None;
        }
        let mut levels = vec![leaves.iter().map(|d| leaf_hash(d.as_ref())).collect::<Vec<_>>()];
        while levels.last().is_some_and(|level| level.len() > 1) {
            let below = levels.last().expect("checked non-empty");
            let above = below
                .chunks(2)
                .map(|pair| match pair {
                    [left, right] => node_hash(left, right),
                    [single] => *single,
                    _ => unreachable!("chunks(2) yields one or two"),
                })
                .collect();
            levels.push(above);
        }
        Some(Batch { levels })
    }

    /// Number of leaves.
    pub fn len(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Whether the batch has no leaves (never: [`Batch::new`] refuses empty batches).
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The root (Merkle tree hash).
    pub fn root(&self) -> [u8; 32] {
        self.levels.last().expect("a batch has a root level")[0]
    }

    /// The inclusion proof of leaf `index`, or `None` if out of range.
    pub fn proof(&self, index: u64) -> Option<InclusionProof> {
        if index >= self.len() {
            return None;
        }
        let mut path = Vec::new();
        let mut i = index as usize;
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = i ^ 1;
            if sibling < level.len() {
                path.push(level[sibling]);
            }
            i /= 2;
        }
        Some(InclusionProof { batch_root: self.root(), leaf_index: index, tree_size: self.len(), path })
    }
}

/// Verify that `data` (a receipt hash) is in the batch whose root the verifier trusts.
pub fn verify_inclusion(data: &[u8], proof: &InclusionProof, trusted_root: &[u8; 32]) -> Result<(), ProofError> {
    if &proof.batch_root != trusted_root {
        return Err(ProofError::OtherBatch { proof_root: proof.batch_root, trusted_root: *trusted_root });
    }
    let shape =
        || ProofError::Shape { leaf_index: proof.leaf_index, tree_size: proof.tree_size, path_len: proof.path.len() };
    if proof.leaf_index >= proof.tree_size {
        return Err(shape());
    }
    let (mut f, mut s) = (proof.leaf_index, proof.tree_size - 1);
    let mut hash = leaf_hash(data);
    for sibling in &proof.path {
        if s == 0 {
            return Err(shape());
        }
        if f & 1 == 1 || f == s {
            hash = node_hash(sibling, &hash);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(shape());
    }
    if &hash != trusted_root {
        return Err(ProofError::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962 MTH computed by its recursive definition, as an independent reference.
    fn reference_root(leaves: &[[u8; 32]]) -> [u8; 32] {
        match leaves.len() {
            1 => leaf_hash(&leaves[0]),
            n => {
                // The largest power of two smaller than n.
                let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn roots_match_the_recursive_definition() {
        for n in 1..=40u8 {
            let leaves: Vec<[u8; 32]> = (0..n).map(|i| [i; 32]).collect();
            assert_eq!(Batch::new(&leaves).unwrap().root(), reference_root(&leaves), "size {n}");
        }
        assert!(Batch::new::<[u8; 32]>(&[]).is_none());
    }

    #[test]
    fn single_leaf_root_is_the_leaf_hash_with_the_rfc_prefix() {
        let batch = Batch::new(&[b"abc"]).unwrap();
        let expected: [u8; 32] = Sha256::digest(b"\x00abc").into();
        assert_eq!(batch.root(), expected);
        assert_eq!(batch.proof(0).unwrap().path, Vec::<[u8; 32]>::new());
    }
}
