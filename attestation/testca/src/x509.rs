//! X.509 helpers shared by the test certificates: AMD-like names, validity, RSASSA-PSS signing.

use std::str::FromStr;
use std::time::Duration;

use der::Encode;
use der::asn1::{BitString, GeneralizedTime, UtcTime};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rsa::pss::SigningKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use sha2::{Digest, Sha256, Sha384};
use x509_cert::certificate::{Certificate, TbsCertificate};
use x509_cert::name::Name;
use x509_cert::spki::DynSignatureAlgorithmIdentifier;
use x509_cert::time::{Time, Validity};

/// Start of validity of every test certificate: 2025-01-01T00:00:00Z.
pub const VALID_FROM: u64 = 1_735_689_600;
/// End of validity of test VCEKs: 2032-01-01T00:00:00Z (AMD issues VCEKs for 7 years).
pub const VALID_UNTIL: u64 = 1_956_528_000;
/// End of validity of the test ARK and ASK: 2045-01-01T00:00:00Z.
pub const ROOT_VALID_UNTIL: u64 = 2_366_841_600;

/// An AMD-style distinguished name, marked as a test authority in its organisation.
pub fn amd_like_name(common_name: &str) -> Name {
    let dn = format!("CN={common_name},O=Redoubt TEST CA (not AMD),ST=CA,L=Santa Clara,C=US,OU=Engineering");
    Name::from_str(&dn).expect("a fixed, well-formed distinguished name")
}

/// A validity window from unix seconds (UTCTime before 2050, GeneralizedTime after, per RFC 5280).
pub fn validity(not_before: u64, not_after: u64) -> Validity {
    Validity { not_before: time(not_before), not_after: time(not_after) }
}

fn time(unix: u64) -> Time {
    let d = Duration::from_secs(unix);
    match UtcTime::from_unix_duration(d) {
        Ok(utc) => Time::UtcTime(utc),
        Err(_) => Time::GeneralTime(GeneralizedTime::from_unix_duration(d).expect("a representable test date")),
    }
}

/// A deterministic RNG for one purpose: test keys and signatures are reproducible across runs.
pub fn seeded_rng(label: &str, parts: &[&[u8]]) -> StdRng {
    let mut hash = Sha256::new_with_prefix(b"redoubt-snp-testca:");
    hash.update(label);
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    StdRng::from_seed(hash.finalize().into())
}

/// Sign a TBS certificate with RSASSA-PSS/SHA-384 (salt 48, as AMD's ASK signs VCEKs).
pub fn sign_tbs(tbs: TbsCertificate, signer: &SigningKey<Sha384>, rng: &mut StdRng) -> Vec<u8> {
    let message = tbs.to_der().expect("a TBS certificate built here encodes");
    let signature = signer.sign_with_rng(rng, &message).to_vec();
    let cert = Certificate {
        signature_algorithm: signer.signature_algorithm_identifier().expect("PSS parameters encode"),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(&signature).expect("a signature fits a bit string"),
    };
    cert.to_der().expect("a certificate built here encodes")
}
