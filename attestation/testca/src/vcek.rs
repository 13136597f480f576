//! Test VCEKs: P-384 keys certified by the test ASK with AMD's VCEK extensions.

use der::Encode;
use der::asn1::{Ia5String, ObjectIdentifier, OctetString};
use p384::ecdsa::SigningKey as EcdsaKey;
use redoubt_snp::{Family, Tcb};
use rsa::pss::SigningKey;
use sha2::Sha384;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{DynSignatureAlgorithmIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::time::Validity;

use crate::x509::{amd_like_name, seeded_rng, sign_tbs};

/// A test chip: its VCEK certificate and the P-384 key that signs its reports.
#[derive(Clone)]
pub struct TestChip {
    pub(crate) family: Family,
    pub(crate) chip_id: [u8; 64],
    pub(crate) tcb: Tcb,
    vcek_der: Vec<u8>,
    pub(crate) key: EcdsaKey,
}

impl TestChip {
    /// The VCEK certificate, DER.
    pub fn vcek_der(&self) -> Vec<u8> {
        self.vcek_der.clone()
    }

    /// The chip id the VCEK certifies (as given at issue; Turin's hwID is its first 8 bytes).
    pub fn chip_id(&self) -> [u8; 64] {
        self.chip_id
    }

    /// The TCB the VCEK certifies.
    pub fn tcb(&self) -> Tcb {
        self.tcb
    }

    pub(crate) fn issue(
        family: Family,
        ask_name: &Name,
        ask_key: &SigningKey<Sha384>,
        chip_id: [u8; 64],
        tcb: Tcb,
        validity: Validity,
    ) -> TestChip {
        let tcb_bytes = [tcb.fmc.unwrap_or(0), tcb.bootloader, tcb.tee, tcb.snp, tcb.microcode];
        let mut rng = seeded_rng("vcek", &[family.name().as_bytes(), &chip_id, &tcb_bytes]);
        let key = EcdsaKey::random(&mut rng);
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: SerialNumber::from(0u32),
            signature: ask_key.signature_algorithm_identifier().expect("PSS parameters encode"),
            issuer: ask_name.clone(),
            validity,
            subject: amd_like_name("SEV-VCEK"),
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).expect("P-384 SPKI"),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(amd_extensions(family, &chip_id, &tcb)),
        };
        let vcek_der = sign_tbs(tbs, ask_key, &mut rng);
        TestChip { family, chip_id, tcb, vcek_der, key }
    }
}

/// AMD's VCEK extensions in AMD's order: structVersion, productName, SPLs (fmcSPL first on Turin),
/// hwID as raw bytes (64 on Milan/Genoa, 8 on Turin).
fn amd_extensions(family: Family, chip_id: &[u8; 64], tcb: &Tcb) -> Vec<Extension> {
    let der_u8 = |v: u8| v.to_der().expect("INTEGER encodes");
    let product = match family {
        Family::Milan => "Milan-B0",
        Family::Genoa => "Genoa-B1",
        Family::Turin => "Turin",
    };
    let mut values: Vec<(&str, Vec<u8>)> = vec![
        ("1.3.6.1.4.1.3704.1.1", der_u8(1)),
        ("1.3.6.1.4.1.3704.1.2", Ia5String::new(product).and_then(|s| s.to_der()).expect("IA5String encodes")),
    ];
    if let Some(fmc) = tcb.fmc {
        values.push(("1.3.6.1.4.1.3704.1.3.9", der_u8(fmc)));
    }
    values.extend([
        ("1.3.6.1.4.1.3704.1.3.1", der_u8(tcb.bootloader)),
        ("1.3.6.1.4.1.3704.1.3.2", der_u8(tcb.tee)),
        ("1.3.6.1.4.1.3704.1.3.3", der_u8(tcb.snp)),
        ("1.3.6.1.4.1.3704.1.3.4", der_u8(0)),
        ("1.3.6.1.4.1.3704.1.3.5", der_u8(0)),
        ("1.3.6.1.4.1.3704.1.3.6", der_u8(0)),
        ("1.3.6.1.4.1.3704.1.3.7", der_u8(0)),
        ("1.3.6.1.4.1.3704.1.3.8", der_u8(tcb.microcode)),
        ("1.3.6.1.4.1.3704.1.4", chip_id[..family.hwid_len()].to_vec()),
    ]);
    values
        .into_iter()
        .map(|(oid, value)| Extension {
            extn_id: ObjectIdentifier::new_unwrap(oid),
            critical: false,
            extn_value: OctetString::new(value).expect("extension value fits"),
        })
        .collect()
}
