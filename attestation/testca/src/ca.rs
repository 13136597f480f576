//! The test ARK and ASK: RSA keys with RSASSA-PSS/SHA-384 certificates shaped like AMD's.

use std::sync::{Arc, OnceLock};

use der::Encode;
use der::asn1::Ia5String;
use redoubt_snp::{Family, Roots, Tcb};
use rsa::RsaPrivateKey;
use rsa::pss::SigningKey;
use sha2::Sha384;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::CrlDistributionPoints;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use crate::TestChip;
use crate::x509::{ROOT_VALID_UNTIL, VALID_FROM, VALID_UNTIL, amd_like_name, seeded_rng, validity};

/// RSA modulus size of the test ARK and ASK. AMD uses 4096 bits; 2048 keeps key generation in
/// tests to about a second while exercising the same RSASSA-PSS/SHA-384 code paths.
const RSA_BITS: usize = 2048;

/// A test ARK + ASK for one family, mimicking AMD's chain. Cheap to clone; keys are generated
/// once per family per process (deterministically) and cached.
#[derive(Clone)]
pub struct TestCa {
    inner: Arc<Authority>,
}

struct Authority {
    family: Family,
    ark_der: Vec<u8>,
    ask_der: Vec<u8>,
    ask_name: Name,
    ask_key: SigningKey<Sha384>,
}

impl TestCa {
    /// The test authority of a family (generated on first use in the process, then cached).
    pub fn new(family: Family) -> TestCa {
        static CACHE: [OnceLock<Arc<Authority>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = &CACHE[Family::ALL.iter().position(|&f| f == family).expect("every family is listed")];
        TestCa { inner: slot.get_or_init(|| Arc::new(Authority::generate(family))).clone() }
    }

    /// The family this authority mimics.
    pub fn family(&self) -> Family {
        self.inner.family
    }

    /// The self-signed test ARK, DER.
    pub fn ark_der(&self) -> Vec<u8> {
        self.inner.ark_der.clone()
    }

    /// The test ASK (signed by the test ARK), DER.
    pub fn ask_der(&self) -> Vec<u8> {
        self.inner.ask_der.clone()
    }

    /// Roots that trust this test authority: for tests only, never for a production verifier.
    pub fn roots(&self) -> Roots {
        Roots::custom(vec![(self.family(), self.ark_der(), self.ask_der())])
    }

    /// Issue a VCEK for a chip at a TCB, valid [`VALID_FROM`]..[`VALID_UNTIL`]. On Turin the hwID is
    /// `chip_id[..8]`; pass an FMC value in `reported_tcb` for Turin and none otherwise.
    pub fn issue_vcek(&self, chip_id: [u8; 64], reported_tcb: Tcb) -> TestChip {
        self.issue_vcek_valid(chip_id, reported_tcb, VALID_FROM, VALID_UNTIL)
    }

    /// Issue a VCEK with a chosen validity window (unix seconds), e.g. an expired one.
    pub fn issue_vcek_valid(&self, chip_id: [u8; 64], reported_tcb: Tcb, not_before: u64, not_after: u64) -> TestChip {
        let a = &self.inner;
        TestChip::issue(a.family, &a.ask_name, &a.ask_key, chip_id, reported_tcb, validity(not_before, not_after))
    }
}

impl Authority {
    fn generate(family: Family) -> Authority {
        let mut rng = seeded_rng("ca", &[family.name().as_bytes()]);
        let ark_key = SigningKey::<Sha384>::new(RsaPrivateKey::new(&mut rng, RSA_BITS).expect("RSA key generation"));
        let ask_key = SigningKey::<Sha384>::new(RsaPrivateKey::new(&mut rng, RSA_BITS).expect("RSA key generation"));
        let ark_name = amd_like_name(&format!("ARK-{family}"));
        let ask_name = amd_like_name(&format!("SEV-{family}"));
        let crl = crl_distribution_point(family);

        let ark_spki = SubjectPublicKeyInfoOwned::from_key(ark_key.as_ref().to_public_key()).expect("RSA SPKI");
        let mut ark = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::from(0x10000u32),
            validity(VALID_FROM, ROOT_VALID_UNTIL),
            ark_name.clone(),
            ark_spki,
            &ark_key,
        )
        .expect("ARK builder");
        ark.add_extension(&crl).expect("CRL extension");
        let ark_der = ark.build_with_rng::<rsa::pss::Signature>(&mut rng).expect("ARK signs").to_der().expect("DER");

        let ask_spki = SubjectPublicKeyInfoOwned::from_key(ask_key.as_ref().to_public_key()).expect("RSA SPKI");
        let mut ask = CertificateBuilder::new(
            Profile::SubCA { issuer: ark_name, path_len_constraint: Some(0) },
            SerialNumber::from(0x10001u32),
            validity(VALID_FROM, ROOT_VALID_UNTIL),
            ask_name.clone(),
            ask_spki,
            &ark_key,
        )
        .expect("ASK builder");
        ask.add_extension(&crl).expect("CRL extension");
        let ask_der =
            ask.build_with_rng::<rsa::pss::Signature>(&mut rng).expect("ARK signs ASK").to_der().expect("DER");
        Authority { family, ark_der, ask_der, ask_name, ask_key }
    }
}

/// The CRL distribution point extension AMD puts on its ARK and ASK (pointing nowhere real).
fn crl_distribution_point(family: Family) -> CrlDistributionPoints {
    let uri = Ia5String::new(&format!("https://testca.invalid/vcek/v1/{family}/crl")).expect("ASCII URI");
    CrlDistributionPoints(vec![DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![GeneralName::UniformResourceIdentifier(uri)])),
        reasons: None,
        crl_issuer: None,
    }])
}
