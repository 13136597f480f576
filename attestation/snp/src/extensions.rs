//! AMD's VCEK X.509 extensions (VCEK specification #57230, OIDs 1.3.6.1.4.1.3704.1.*).

use der::Decode;
use der::asn1::{Ia5StringRef, ObjectIdentifier, Utf8StringRef};
use x509_cert::Certificate;

use crate::{Family, Rejection, Tcb};

/// One AMD extension: its name in the specification and its OID.
#[derive(Clone, Copy)]
struct AmdExtension {
    name: &'static str,
    oid: &'static str,
}

const PRODUCT_NAME: AmdExtension = AmdExtension { name: "productName", oid: "1.3.6.1.4.1.3704.1.2" };
const BL_SPL: AmdExtension = AmdExtension { name: "blSPL", oid: "1.3.6.1.4.1.3704.1.3.1" };
const TEE_SPL: AmdExtension = AmdExtension { name: "teeSPL", oid: "1.3.6.1.4.1.3704.1.3.2" };
const SNP_SPL: AmdExtension = AmdExtension { name: "snpSPL", oid: "1.3.6.1.4.1.3704.1.3.3" };
const UCODE_SPL: AmdExtension = AmdExtension { name: "ucodeSPL", oid: "1.3.6.1.4.1.3704.1.3.8" };
const FMC_SPL: AmdExtension = AmdExtension { name: "fmcSPL", oid: "1.3.6.1.4.1.3704.1.3.9" };
const HW_ID: AmdExtension = AmdExtension { name: "hwID", oid: "1.3.6.1.4.1.3704.1.4" };

/// What a VCEK certifies about its chip, read from its extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VcekClaims {
    pub family: Family,
    pub tcb: Tcb,
    pub hwid: Vec<u8>,
}

/// Read productName, the TCB SPLs and hwID; each must appear exactly once and decode.
pub(crate) fn read_claims(cert: &Certificate) -> Result<VcekClaims, Rejection> {
    let product = product_name(value(cert, PRODUCT_NAME)?).ok_or(malformed(PRODUCT_NAME))?;
    let family = Family::from_product_name(&product)?;
    let spl = |ext| value(cert, ext).and_then(|v| u8::from_der(v).map_err(|_| malformed(ext)));
    let fmc = if family.has_fmc() { Some(spl(FMC_SPL)?) } else { None };
    let tcb = Tcb { fmc, bootloader: spl(BL_SPL)?, tee: spl(TEE_SPL)?, snp: spl(SNP_SPL)?, microcode: spl(UCODE_SPL)? };
    let hwid = value(cert, HW_ID)?;
    if hwid.len() != family.hwid_len() {
        return Err(malformed(HW_ID));
    }
    Ok(VcekClaims { family, tcb, hwid: hwid.to_vec() })
}

/// The productName string (IA5String per AMD; UTF8String accepted).
fn product_name(der: &[u8]) -> Option<String> {
    let ia5 = Ia5StringRef::from_der(der).map(|s| s.to_string());
    ia5.or_else(|_| Utf8StringRef::from_der(der).map(|s| s.to_string())).ok()
}

/// The raw value (OCTET STRING contents) of the single extension with this OID.
fn value(cert: &Certificate, ext: AmdExtension) -> Result<&[u8], Rejection> {
    let oid = ObjectIdentifier::new_unwrap(ext.oid);
    let mut found = cert.tbs_certificate.extensions.iter().flatten().filter(|e| e.extn_id == oid);
    match (found.next(), found.next()) {
        (Some(e), None) => Ok(e.extn_value.as_bytes()),
        _ => Err(malformed(ext)),
    }
}

fn malformed(ext: AmdExtension) -> Rejection {
    Rejection::VcekExtension { name: ext.name, oid: ext.oid }
}
