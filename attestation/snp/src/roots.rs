//! Trust anchors: AMD's ARK and ASK per family (built in), or explicitly chosen ones.

use sev::certs::snp::builtin;

use crate::Family;

/// One family's ARK and ASK, DER-encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RootPair {
    family: Family,
    ark_der: Vec<u8>,
    ask_der: Vec<u8>,
}

/// The ARK (root) and ASK (intermediate) certificates the verifier trusts, per family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roots {
    pairs: Vec<RootPair>,
}

impl Roots {
    /// AMD's ARK and ASK for Milan, Genoa and Turin, as shipped in `sev::certs::snp::builtin`.
    pub fn amd() -> Roots {
        Roots::custom(Family::ALL.map(|family| {
            let (ark, ask) = amd_pem(family);
            (family, pem_to_der(ark), pem_to_der(ask))
        }))
    }

    /// Roots chosen by the caller (for example a test CA). Later entries for a family replace earlier ones.
    /// Production verifiers use [`Roots::amd`]; anything else trusts whoever made these certificates.
    pub fn custom(entries: impl IntoIterator<Item = (Family, Vec<u8>, Vec<u8>)>) -> Roots {
        let mut pairs: Vec<RootPair> = Vec::new();
        for (family, ark_der, ask_der) in entries {
            pairs.retain(|p| p.family != family);
            pairs.push(RootPair { family, ark_der, ask_der });
        }
        Roots { pairs }
    }

    /// The trusted ARK of a family, DER.
    pub fn ark_der(&self, family: Family) -> Option<&[u8]> {
        self.pair(family).map(|p| p.ark_der.as_slice())
    }

    /// The trusted ASK of a family, DER.
    pub fn ask_der(&self, family: Family) -> Option<&[u8]> {
        self.pair(family).map(|p| p.ask_der.as_slice())
    }

    /// Families these roots cover.
    pub fn families(&self) -> impl Iterator<Item = Family> + '_ {
        self.pairs.iter().map(|p| p.family)
    }

    fn pair(&self, family: Family) -> Option<&RootPair> {
        self.pairs.iter().find(|p| p.family == family)
    }
}

/// The built-in ARK and ASK PEM of a family.
fn amd_pem(family: Family) -> (&'static [u8], &'static [u8]) {
    match family {
        Family::Milan => (builtin::milan::ARK, builtin::milan::ASK),
        Family::Genoa => (builtin::genoa::ARK, builtin::genoa::ASK),
        Family::Turin => (builtin::turin::ARK, builtin::turin::ASK),
    }
}

/// Decode one of the crate's own built-in PEM certificates (constants: a failure is a build defect).
fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let cert = sev::certs::snp::Certificate::from_pem(pem).expect("sev's built-in AMD certificates are valid PEM");
    cert.to_der().expect("a parsed certificate re-encodes as DER")
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    #[test]
    fn builtin_arks_have_amds_fingerprints() {
        let roots = Roots::amd();
        let fp = |f| hex::encode_upper(Sha256::digest(roots.ark_der(f).unwrap()));
        assert_eq!(fp(Family::Milan), "69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD");
        assert_eq!(fp(Family::Genoa), "4C6598D19C18719C5DFD4A7D335F674E5BFE1D8F800CEA2CF270C10D103DB2F1");
        assert_eq!(fp(Family::Turin), "1F084161A44BB6D93778A904877D4819CAFA5D05EF4193B2DED9DD9C73DD3F6A");
        let ask = hex::encode_upper(Sha256::digest(roots.ask_der(Family::Milan).unwrap()));
        assert_eq!(ask, "67D303BD3905FD38DB8B20E0793699870E7FA612EAAD5DEC358293FD8C0BAC1B");
    }

    #[test]
    fn custom_replaces_per_family() {
        let roots = Roots::custom([(Family::Genoa, vec![1], vec![2]), (Family::Genoa, vec![3], vec![4])]);
        assert_eq!(roots.ark_der(Family::Genoa), Some(&[3u8][..]));
        assert_eq!(roots.ark_der(Family::Milan), None);
        assert_eq!(roots.families().collect::<Vec<_>>(), vec![Family::Genoa]);
    }
}
