//! Offline verification of evidence: AMD roots (or explicitly chosen test roots), the chain cache,
//! the key/nonce binding, dev-evidence handling and the JSON outcome.
//!
//! - `cache`: verified VCEKs by fingerprint.
//! - `ecdsa`: the AWS-LC backend for the report signature.
//! - `error`: [`VerifyError`], the reasons beyond the core's [`Rejection`].
//! - `outcome`: [`VerifyOutcome`] and [`VerifiedReport`] for the CLI and JSON.
//! - `receipts`: checking a signed receipt with its proof and evidence.

mod cache;
mod ecdsa;
mod error;
mod outcome;
mod receipts;

use near_crypto::PublicKey;
use redoubt_snp::{
    Rejection, Report, Roots, VerifiedVcek, VerifierPolicy, report_data_binding, vcek_family, verify_report_with,
};

use crate::evidence::{BoundKeys, Evidence, SnpEvidence};

pub use cache::ChainCache;
pub use ecdsa::AwsLcP384;
pub use error::VerifyError;
pub use outcome::{SnpFiles, VerifiedReport, VerifyOutcome};
pub use receipts::{ReceiptChecks, ReceiptOutcome};

/// VCEKs a verifier keeps verified (a node fleet is far smaller).
const CACHE_CAPACITY: usize = 4096;

/// What the verifier expects of the evidence beyond its policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    /// A fresh nonce the evidence must answer (replay protection); `None` accepts the evidence's own.
    pub nonce: Option<Vec<u8>>,
    /// The node's ed25519 key, if the verifier knows it (e.g. from the registry).
    pub ed25519_public_key: Option<PublicKey>,
    /// The node's X25519 key, if known.
    pub x25519_public_key: Option<[u8; 32]>,
}

/// Evidence that verified: its keys, and the report for SEV-SNP evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The keys and nonce the evidence binds.
    pub keys: BoundKeys,
    /// The verified report (`None` for allowed dev evidence).
    pub report: Option<Report>,
    /// [`Evidence::hash`].
    pub evidence_hash: [u8; 32],
}

/// An offline verifier: trusted roots, a policy, whether dev evidence is allowed, a chain cache.
#[derive(Debug)]
pub struct Verifier {
    roots: Roots,
    policy: VerifierPolicy,
    allow_dev: bool,
    cache: ChainCache,
}

impl Verifier {
    /// A production verifier: AMD's built-in ARK/ASK for Milan, Genoa and Turin; dev evidence rejected.
    pub fn new(policy: VerifierPolicy) -> Verifier {
        Verifier { roots: Roots::amd(), policy, allow_dev: false, cache: ChainCache::new(CACHE_CAPACITY) }
    }

    /// A verifier that trusts the given roots INSTEAD of AMD's. For tests with a test CA only: never
    /// use it in production, never expose it on a command line; evidence it accepts proves nothing
    /// about AMD hardware.
    pub fn with_trusted_roots_for_tests(roots: Roots, policy: VerifierPolicy) -> Verifier {
        Verifier { roots, ..Verifier::new(policy) }
    }

    /// Allow (or not) dev evidence, which proves nothing. Off by default.
    pub fn allow_dev(mut self, allow: bool) -> Verifier {
        self.allow_dev = allow;
        self
    }

    /// The policy reports are held to.
    pub fn policy(&self) -> &VerifierPolicy {
        &self.policy
    }

    /// The chain cache.
    pub fn cache(&self) -> &ChainCache {
        &self.cache
    }

    /// Verify evidence at `now_unix`: nonce freshness and expected keys, then for SEV-SNP the chain,
    /// the report, the policy and report_data = binding(keys, nonce) in constant time (for evidence
    /// the binding replaces any raw `report_data` in the policy: presented keys are always bound).
    pub fn verify(&self, evidence: &Evidence, expect: &Expectations, now_unix: u64) -> Result<Verified, VerifyError> {
        let keys = evidence.keys();
        check_expectations(keys, expect)?;
        let report = match evidence {
            Evidence::DevInsecure(_) if !self.allow_dev => return Err(VerifyError::DevEvidence),
            Evidence::DevInsecure(_) => None,
            Evidence::SevSnp(snp) => Some(self.verify_snp_evidence(snp, now_unix)?),
        };
        Ok(Verified { keys: keys.clone(), report, evidence_hash: evidence.hash() })
    }

    fn verify_snp_evidence(&self, snp: &SnpEvidence, now_unix: u64) -> Result<Report, VerifyError> {
        let ed25519 =
            snp.keys.ed25519_bytes().ok_or_else(|| VerifyError::KeyType(snp.keys.ed25519_public_key.to_string()))?;
        let nonce = snp.keys.nonce.as_deref().unwrap_or_default();
        let policy = VerifierPolicy {
            report_data: Some(report_data_binding(&ed25519, &snp.keys.x25519_public_key, nonce)),
            ..self.policy.clone()
        };
        let report =
            self.verify_signed_report(&snp.report, &snp.vcek, snp.ask.as_deref(), snp.ark.as_deref(), now_unix)?;
        report.check(&policy)?;
        Ok(report)
    }

    /// Chain and report signature (not the policy): the VCEK to the trusted roots (a presented ARK
    /// must equal the trusted one; a presented ASK must be signed by it), then the report.
    pub fn verify_signed_report(
        &self,
        report: &[u8],
        vcek_der: &[u8],
        ask_der: Option<&[u8]>,
        ark_der: Option<&[u8]>,
        now_unix: u64,
    ) -> Result<Report, Rejection> {
        let vcek = self.verified_vcek(vcek_der, ask_der, ark_der)?;
        verify_report_with(report, &vcek, now_unix, &AwsLcP384)
    }

    fn verified_vcek(
        &self,
        vcek_der: &[u8],
        ask: Option<&[u8]>,
        ark: Option<&[u8]>,
    ) -> Result<VerifiedVcek, Rejection> {
        if ask.is_none() && ark.is_none() {
            return self.cache.get_or_verify(vcek_der, &self.roots);
        }
        let family = vcek_family(vcek_der)?;
        let trusted_ark = self.roots.ark_der(family).ok_or(Rejection::NoRoots { family })?;
        if ark.is_some_and(|ark| ark != trusted_ark) {
            return Err(Rejection::UntrustedArk { family });
        }
        match ask {
            Some(ask) if Some(ask) != self.roots.ask_der(family) => {
                // Another ASK is acceptable only if the trusted ARK signs it: verify without caching.
                let roots = Roots::custom(vec![(family, trusted_ark.to_vec(), ask.to_vec())]);
                redoubt_snp::verify_vcek(vcek_der, &roots)
            }
            _ => self.cache.get_or_verify(vcek_der, &self.roots),
        }
    }
}

fn check_expectations(keys: &BoundKeys, expect: &Expectations) -> Result<(), VerifyError> {
    if let Some(expected) = &expect.nonce
        && keys.nonce.as_ref() != Some(expected)
    {
        return Err(VerifyError::NonceMismatch {
            expected: hex::encode(expected),
            presented: keys.nonce.as_ref().map_or_else(|| "none".to_owned(), hex::encode),
        });
    }
    if let Some(expected) = &expect.ed25519_public_key
        && expected != &keys.ed25519_public_key
    {
        return Err(VerifyError::KeyMismatch {
            which: "ed25519",
            expected: expected.to_string(),
            presented: keys.ed25519_public_key.to_string(),
        });
    }
    if let Some(expected) = &expect.x25519_public_key
        && expected != &keys.x25519_public_key
    {
        return Err(VerifyError::KeyMismatch {
            which: "x25519",
            expected: hex::encode(expected),
            presented: hex::encode(keys.x25519_public_key),
        });
    }
    Ok(())
}
