//! A cache of VCEKs whose chain verified, by fingerprint, so repeat verifications only check the
//! report signature and policy.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use redoubt_snp::{Rejection, Roots, VerifiedVcek, vcek_fingerprint, verify_vcek};

/// Verified VCEKs keyed by the SHA-256 of their DER, bounded (oldest evicted first). Only chains
/// verified against the owning verifier's roots are stored, so a hit is as good as a verification.
#[derive(Debug)]
pub struct ChainCache {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    by_fingerprint: HashMap<[u8; 32], VerifiedVcek>,
    order: VecDeque<[u8; 32]>,
}

impl ChainCache {
    /// An empty cache holding at most `capacity` VCEKs (0 disables caching).
    pub fn new(capacity: usize) -> ChainCache {
        ChainCache { capacity, inner: Mutex::new(Entries::default()) }
    }

    /// The verified VCEK for this DER: from the cache, or by verifying its chain to `roots` and
    /// storing the result. The caller must use the same `roots` for every call on one cache.
    pub fn get_or_verify(&self, vcek_der: &[u8], roots: &Roots) -> Result<VerifiedVcek, Rejection> {
        let fingerprint = vcek_fingerprint(vcek_der);
        if let Some(hit) = self.lock().by_fingerprint.get(&fingerprint) {
            return Ok(hit.clone());
        }
        let verified = verify_vcek(vcek_der, roots)?;
        if self.capacity > 0 {
            let mut entries = self.lock();
            if entries.by_fingerprint.insert(fingerprint, verified.clone()).is_none() {
                entries.order.push_back(fingerprint);
            }
            while entries.order.len() > self.capacity {
                if let Some(old) = entries.order.pop_front() {
                    entries.by_fingerprint.remove(&old);
                }
            }
        }
        Ok(verified)
    }

    /// Number of cached VCEKs.
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forget every cached VCEK (e.g. after a revocation list update).
    pub fn clear(&self) {
        let mut entries = self.lock();
        entries.by_fingerprint.clear();
        entries.order.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave a half-written entry visible; recover it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
